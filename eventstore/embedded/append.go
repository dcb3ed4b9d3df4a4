package embedded

import (
	"context"
	"fmt"

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

	// checked says that none of the events' IDs was in the ID index once
	// every group up to generation checkedGen was applied (see recentIDs).
	checked    bool
	checkedGen uint64
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
	if err := s.precheckIDs(r); err != nil {
		return eventstore.AppendResult{}, err
	}
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
