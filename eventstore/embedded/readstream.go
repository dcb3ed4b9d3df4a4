package embedded

import (
	"context"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/caseledger/caseledger/eventstore"
)

// ReadStream reads one stream (rule 10). The stream's index entries are
// adjacent keys, so a read is one seek and a short scan of the index, then
// reads of the log, mostly served by the page cache (see "Layout" in the
// package comment). The newest entries may still be pending, in memory;
// they are always a suffix of the stream's versions (invariant 11). Entries
// past head belong to appends not yet acknowledged and are skipped
// (invariant 6).
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
	// The pending entries first, pebble second (invariant 11).
	tail := s.pending.stream(stream)
	lower, upper := streamBounds(stream)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	sel := streamSelection{head: head, limit: opts.Limit}
	if opts.Direction == eventstore.Forwards {
		err = sel.forwards(s, it, stream, opts.From, tail)
	} else {
		err = sel.backwards(s, it, stream, opts.From, tail)
	}
	if err != nil {
		return nil, err
	}
	if len(sel.locs) > 0 {
		return s.readEvents(stream, sel.locs)
	}
	// Nothing selected: tell an empty range of a stream from no stream.
	// Version 0 is the stream's first event, so the stream exists if
	// version 0 is acknowledged.
	if len(tail) > 0 && tail[0].version == 0 {
		if tail[0].l.pos > head {
			return nil, eventstore.ErrStreamNotFound
		}
		return nil, nil
	}
	if !it.First() {
		if err := it.Error(); err != nil {
			return nil, err
		}
		return nil, eventstore.ErrStreamNotFound
	}
	l, err := s.entryLoc(it)
	if err != nil {
		return nil, err
	}
	if l.pos > head {
		return nil, eventstore.ErrStreamNotFound
	}
	return nil, nil
}

// streamSelection gathers the locations of the events a stream read
// returns, from pebble and from the pending entries.
type streamSelection struct {
	head  uint64
	limit int
	locs  []loc
}

func (sel *streamSelection) full() bool { return sel.limit > 0 && len(sel.locs) >= sel.limit }

// forwards selects versions from on, pebble's first, then the pending ones
// pebble does not hold.
func (sel *streamSelection) forwards(s *Store, it *pebble.Iterator, stream string, from uint64, tail []streamEntry) error {
	next := from // the next version wanted
	for ok := it.SeekGE(appendStreamKey(nil, stream, from)); ok && !sel.full(); ok = it.Next() {
		l, err := s.entryLoc(it)
		if err != nil {
			return err
		}
		if l.pos > sel.head {
			// Invariant 3: later versions have later positions.
			return it.Error()
		}
		sel.locs = append(sel.locs, l)
		next = versionOfStreamKey(it.Key()) + 1
	}
	if err := it.Error(); err != nil {
		return err
	}
	for _, e := range tail {
		if sel.full() || e.l.pos > sel.head {
			break
		}
		if e.version >= next {
			sel.locs = append(sel.locs, e.l)
			next = e.version + 1
		}
	}
	return nil
}

// backwards selects versions from from down, the pending ones first, then
// pebble's below them.
func (sel *streamSelection) backwards(s *Store, it *pebble.Iterator, stream string, from uint64, tail []streamEntry) error {
	below := from // versions up to below are wanted
	if from != eventstore.End {
		below = from + 1
	}
	for i := len(tail) - 1; i >= 0 && !sel.full(); i-- {
		e := tail[i]
		if e.version >= below || e.l.pos > sel.head {
			continue
		}
		sel.locs = append(sel.locs, e.l)
		below = e.version
	}
	var ok bool
	if below == eventstore.End {
		ok = it.Last()
	} else {
		ok = it.SeekLT(appendStreamKey(nil, stream, below))
	}
	for ; ok && !sel.full(); ok = it.Prev() {
		l, err := s.entryLoc(it)
		if err != nil {
			return err
		}
		if l.pos > sel.head {
			continue
		}
		sel.locs = append(sel.locs, l)
	}
	return it.Error()
}

// entryLoc decodes the stream or ID entry under it.
func (s *Store) entryLoc(it *pebble.Iterator) (loc, error) {
	v, err := it.ValueAndErr()
	if err != nil {
		return loc{}, err
	}
	l, ok := decodeLoc(v)
	if !ok {
		return loc{}, fmt.Errorf("%w: index entry %q", errCorrupt, it.Key())
	}
	return l, nil
}

// maxCoalesce bounds one read of adjacent records.
const maxCoalesce = 64 << 10

// readEvents reads the records at locs, which belong to stream, in order.
// Records that lie next to each other in the log (the events of one append,
// or of appends in one group) are read with one call.
func (s *Store) readEvents(stream string, locs []loc) ([]eventstore.RecordedEvent, error) {
	events := make([]eventstore.RecordedEvent, len(locs))
	// One chunk for all the events: their records' sizes bound what their
	// data and metadata need.
	total := 0
	for _, l := range locs {
		total += int(l.n)
	}
	var (
		n     = names{stream: stream}
		rec   record
		buf   []byte
		arena = byteArena{size: total}
	)
	for i := 0; i < len(locs); {
		// A run of records each starting within a few bytes (a length
		// prefix) of where the one before it ended, in either direction.
		lo, hi, j := locs[i].off, locs[i].off+int64(locs[i].n), i+1
	extend:
		for ; j < len(locs); j++ {
			l := locs[j]
			end := l.off + int64(l.n)
			switch {
			case l.off >= hi && l.off-hi <= 8 && end-lo <= maxCoalesce:
				hi = end
			case end <= lo && lo-end <= 8 && hi-l.off <= maxCoalesce:
				lo = l.off
			default:
				break extend
			}
		}
		if cap(buf) < int(hi-lo) {
			buf = make([]byte, hi-lo, max(hi-lo, 4096))
		}
		buf = buf[:hi-lo]
		if err := s.log.readAt(buf, lo); err != nil {
			return nil, corruptAt(locs[i].pos, err)
		}
		for k := i; k < j; k++ {
			l := locs[k]
			if err := decodeRecord(buf[l.off-lo:l.off-lo+int64(l.n)], &rec); err != nil {
				return nil, corruptAt(l.pos, err)
			}
			if invariantsOn {
				// Invariants 2 and 3: the entry names this stream's
				// event, and versions have no gaps.
				invariant(string(rec.stream) == stream, "%s: entry at position %d names %s", stream, l.pos, rec.stream)
				if k > 0 {
					prev, v := events[k-1].Version, rec.version
					invariant(v == prev+1 || v+1 == prev, "%s: version %d next to %d", stream, v, prev)
				}
			}
			rec.materialize(l.pos, &events[k], &n, &arena)
		}
		i = j
	}
	return events, nil
}

// readRecord reads the record at l from the log into buf (grown as needed)
// and decodes it into rec, which aliases buf.
func (s *Store) readRecord(buf []byte, l loc, rec *record) ([]byte, error) {
	if cap(buf) < int(l.n) {
		buf = make([]byte, l.n, max(int(l.n), 1024))
	}
	buf = buf[:l.n]
	if err := s.log.readAt(buf, l.off); err != nil {
		return buf, corruptAt(l.pos, err)
	}
	if err := decodeRecord(buf, rec); err != nil {
		return buf, corruptAt(l.pos, err)
	}
	return buf, nil
}
