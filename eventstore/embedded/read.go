package embedded

import (
	"bytes"
	"context"

	"github.com/cockroachdb/pebble/v2"

	"github.com/caseledger/caseledger/eventstore"
)

// ReadStream reads one stream (rule 10). It reads the stream's index entries
// in version order, then the log records they name with one iterator that
// seeks forwards, so that a read costs one index seek plus one seek per
// event (see "Layout" in the package comment).
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	if err := s.acquire(); err != nil {
		return nil, err
	}
	defer s.release()
	head := s.head.Load()
	positions, err := s.streamPositions(stream, opts, head)
	if err != nil || len(positions) == 0 {
		return nil, err
	}
	lower, upper := logBounds(1, head)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	events := make([]eventstore.RecordedEvent, len(positions))
	key := make([]byte, 0, 9)
	var rec record
	for i, pos := range positions {
		key = appendLogKey(key[:0], pos)
		if !it.SeekGE(key) || !bytes.Equal(it.Key(), key) {
			// Invariant 2: every stream index entry names a recorded
			// position.
			return nil, corruptAt(pos, errCorrupt)
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, err
		}
		if err := decodeRecord(v, &rec); err != nil {
			return nil, corruptAt(pos, err)
		}
		rec.materialize(pos, &events[i])
	}
	return events, it.Error()
}

// streamPositions returns the positions of the events opts selects in
// stream, in read order, or ErrStreamNotFound. Entries past head belong to
// appends not yet acknowledged and are skipped (invariant 6).
func (s *Store) streamPositions(stream string, opts eventstore.ReadStreamOptions, head uint64) ([]uint64, error) {
	lower, upper := streamBounds(stream)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var positions []uint64
	full := func() bool { return opts.Limit > 0 && len(positions) >= opts.Limit }
	if opts.Direction == eventstore.Backwards {
		var ok bool
		if opts.From == eventstore.End {
			ok = it.Last()
		} else {
			ok = it.SeekLT(appendStreamKey(nil, stream, opts.From+1))
		}
		for ; ok && !full(); ok = it.Prev() {
			if pos, _ := decodePosition(it.Value()); pos <= head {
				positions = append(positions, pos)
			}
		}
	} else {
		for ok := it.SeekGE(appendStreamKey(nil, stream, opts.From)); ok && !full(); ok = it.Next() {
			pos, _ := decodePosition(it.Value())
			if pos > head {
				// A stream's positions grow with its versions.
				break
			}
			positions = append(positions, pos)
		}
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if len(positions) > 0 {
		return positions, nil
	}
	// Nothing selected: tell an empty range of a stream from no stream.
	// Version 0 is the stream's first event, so it exists if version 0 is
	// acknowledged.
	if !it.First() {
		if err := it.Error(); err != nil {
			return nil, err
		}
		return nil, eventstore.ErrStreamNotFound
	}
	if pos, _ := decodePosition(it.Value()); pos > head {
		return nil, eventstore.ErrStreamNotFound
	}
	return nil, nil
}

// ReadAll reads the global log (rule 10).
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.acquire(); err != nil {
		return nil, err
	}
	defer s.release()
	events, _, err := s.scan(ctx, opts.From, opts.Direction, opts.Limit, 0, opts.Filter, s.head.Load())
	return events, err
}

// scan reads the log from position from in direction dir, never past head,
// keeping up to limit events that pass f (0: no limit) and examining up to
// maxScan records (0: no bound). It returns the kept events and the last
// position examined, 0 if none. The caller holds acquire.
func (s *Store) scan(ctx context.Context, from uint64, dir eventstore.Direction, limit, maxScan int, f eventstore.Filter, head uint64) ([]eventstore.RecordedEvent, uint64, error) {
	var lower, upper []byte
	switch {
	case head == 0:
		return nil, 0, nil
	case dir == eventstore.Backwards:
		lower, upper = logBounds(1, min(from, head))
	case from > head:
		return nil, 0, nil
	default:
		lower, upper = logBounds(max(from, 1), head)
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	step, ok := it.Next, it.First()
	if dir == eventstore.Backwards {
		step, ok = it.Prev, it.Last()
	}
	var (
		events   []eventstore.RecordedEvent
		last     uint64
		rec      record
		examined int
	)
	for ; ok; ok = step() {
		if examined&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		examined++
		last = positionOfLogKey(it.Key())
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, 0, err
		}
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
		rec.materialize(last, &events[len(events)-1])
		if (limit > 0 && len(events) >= limit) || (maxScan > 0 && examined >= maxScan) {
			break
		}
	}
	return events, last, it.Error()
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
