package embedded

import (
	"context"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/caseledger/caseledger/eventstore"
)

// appendReq is one Append waiting for the writer. The writer fills res or
// err; the acker closes done once the group holding it is durable.
type appendReq struct {
	ctx      context.Context
	stream   string
	expected eventstore.ExpectedVersion
	events   []eventstore.EventData
	res      eventstore.AppendResult
	err      error
	done     chan struct{}
}

// Append records events at the end of stream (rules 4 to 8). Input is
// validated here, in the caller's goroutine; the writer does the rest (see
// the package comment, "Concurrency").
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if expected < eventstore.StreamExists {
		return eventstore.AppendResult{}, fmt.Errorf("%w: expected version %s", eventstore.ErrInvalidEvent, expected)
	}
	if f := s.failure.Load(); f != nil {
		return eventstore.AppendResult{}, *f
	}
	r := &appendReq{ctx: ctx, stream: stream, expected: expected, events: events, done: make(chan struct{})}
	select {
	case s.queue <- r:
	case <-s.closing:
		return eventstore.AppendResult{}, eventstore.ErrClosed
	case <-ctx.Done():
		return eventstore.AppendResult{}, ctx.Err()
	}
	// Once queued the append may be committed, so it is awaited whatever
	// ctx does: returning early would leave the caller unsure, and the wait
	// is bounded by one fsync.
	<-r.done
	return r.res, r.err
}

// pendingEvent is an event prepared in the current group, not yet applied to
// pebble, so the ID index on disk does not know it yet.
type pendingEvent struct {
	req      *appendReq
	index    int
	position uint64
	version  uint64
}

// findRecorded applies rule 7: it reports the original result if every event
// of r was recorded by one earlier append with the same content, nothing if
// none was, and ErrDuplicateEventID otherwise.
func (w *writer) findRecorded(r *appendReq) (eventstore.AppendResult, bool, error) {
	var res eventstore.AppendResult
	found := 0
	for i := range r.events {
		d := &r.events[i]
		ok, same, pos, version, err := w.lookupID(r.stream, d, i, len(r.events))
		if err != nil {
			return res, false, err
		}
		if !ok {
			continue
		}
		if !same {
			return res, false, fmt.Errorf("%w: %s in %s", eventstore.ErrDuplicateEventID, d.ID, r.stream)
		}
		if found == 0 {
			res.FirstPosition, res.FirstVersion = pos, version
		}
		// The original append's events have contiguous positions and
		// versions (rule 5), so index i sits i after the first.
		if pos != res.FirstPosition+uint64(i) || version != res.FirstVersion+uint64(i) {
			return res, false, fmt.Errorf("%w: %s in %s", eventstore.ErrDuplicateEventID, d.ID, r.stream)
		}
		res.LastPosition, res.LastVersion = pos, version
		found++
	}
	switch found {
	case 0:
		return res, false, nil
	case len(r.events):
		return res, true, nil
	}
	return res, false, fmt.Errorf("%w: append to %s mixes recorded and new event IDs", eventstore.ErrDuplicateEventID, r.stream)
}

// lookupID finds d.ID in the current group or in the ID index and reports
// whether the recorded event is d, as event index of an append of count
// events to stream.
func (w *writer) lookupID(stream string, d *eventstore.EventData, index, count int) (found, same bool, pos, version uint64, err error) {
	if p, ok := w.groupIDs[d.ID]; ok {
		o := &p.req.events[p.index]
		same = p.index == index && len(p.req.events) == count && p.req.stream == stream &&
			o.Type == d.Type && string(o.Data) == string(d.Data) && string(o.Metadata) == string(d.Metadata)
		return true, same, p.position, p.version, nil
	}
	w.key = appendIDKey(w.key[:0], d.ID)
	v, closer, err := w.s.db.Get(w.key)
	if err == pebble.ErrNotFound {
		return false, false, 0, 0, nil
	}
	if err != nil {
		return false, false, 0, 0, err
	}
	pos, ok := decodePosition(v)
	closer.Close()
	if !ok {
		return false, false, 0, 0, fmt.Errorf("%w: ID index entry for %s", errCorrupt, d.ID)
	}
	v, closer, err = w.s.db.Get(logKey(pos))
	if err != nil {
		// Invariant 2: every ID index entry names a recorded position.
		return false, false, 0, 0, corruptAt(pos, err)
	}
	defer closer.Close()
	var rec record
	if err := decodeRecord(v, &rec); err != nil {
		return false, false, 0, 0, corruptAt(pos, err)
	}
	e := eventstore.RecordedEvent{ID: rec.id, Stream: string(rec.stream), Type: string(rec.typ), Data: rec.data, Metadata: rec.metadata}
	same = rec.index == uint64(index) && rec.count == uint64(count) && eventstore.SameContent(&e, stream, d)
	return true, same, pos, rec.version, nil
}
