package embedded

import (
	"bytes"
	"context"

	"github.com/caseledger/caseledger/eventstore"
)

// ReadAll reads the global log (rule 10).
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.acquire(); err != nil {
		return nil, err
	}
	defer s.release()
	events, _, err := s.scan(ctx, opts.From, opts.Direction, opts.Limit, 0, opts.Filter, s.head.Load(), nil, nil)
	if len(events) == 0 {
		events = nil
	}
	return events, err
}

// scan reads the log from position from in direction dir, never past head,
// keeping up to limit events that pass f (0: no limit) and examining up to
// maxScan records (0: no bound). It appends the kept events to dst and
// returns them with the last position examined, 0 if none; their data come
// from arena, or from an arena of their own if it is nil. The caller holds
// acquire.
func (s *Store) scan(ctx context.Context, from uint64, dir eventstore.Direction, limit, maxScan int, f eventstore.Filter, head uint64, dst []eventstore.RecordedEvent, arena *byteArena) ([]eventstore.RecordedEvent, uint64, error) {
	switch {
	case head == 0:
		return nil, 0, nil
	case dir == eventstore.Backwards:
		from = min(from, head)
		if from == 0 {
			return nil, 0, nil
		}
	case from > head:
		return nil, 0, nil
	default:
		from = max(from, 1)
	}
	frames, err := s.newFrameReader(from, dir, head)
	if err != nil {
		return nil, 0, err
	}
	defer frames.close()
	var (
		events   = dst
		last     uint64
		rec      record
		n        names
		examined int
	)
	if arena == nil {
		arena = &byteArena{size: arenaChunk}
	}
	if f.IsZero() && limit > 0 && cap(events)-len(events) < min(limit, 1024) {
		// Every record examined is kept: size the result once.
		events = append(make([]eventstore.RecordedEvent, 0, len(events)+min(limit, 1024)), events...)
	}
	for {
		pos, v, ok, err := frames.next()
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			break
		}
		if examined&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		examined++
		last = pos
		if !f.IsZero() {
			stream, typ, err := peekStreamType(v)
			if err != nil {
				return nil, 0, corruptAt(last, err)
			}
			if !matches(f, stream, typ) {
				if maxScan > 0 && examined >= maxScan {
					break
				}
				continue
			}
		}
		if err := decodeRecord(v, &rec); err != nil {
			return nil, 0, corruptAt(last, err)
		}
		events = append(events, eventstore.RecordedEvent{})
		rec.materialize(last, &events[len(events)-1], &n, arena)
		if (limit > 0 && len(events) >= limit) || (maxScan > 0 && examined >= maxScan) {
			break
		}
	}
	return events, last, nil
}

// matches is eventstore.Filter.Matches on undecoded bytes, so that skipped
// events cost no allocation.
func matches(f eventstore.Filter, stream, typ []byte) bool {
	if len(f.Categories) > 0 {
		cat := stream
		if i := bytes.IndexByte(stream, '-'); i >= 0 {
			cat = stream[:i]
		}
		if !containsBytes(f.Categories, cat) {
			return false
		}
	}
	return len(f.Types) == 0 || containsBytes(f.Types, typ)
}

func containsBytes(xs []string, b []byte) bool {
	for _, x := range xs {
		if x == string(b) {
			return true
		}
	}
	return false
}
