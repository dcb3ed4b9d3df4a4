package embedded

import (
	"context"
	"fmt"
	"sync"

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
	if !s.queue.push(r) {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	// Once queued the append may be committed, so it is awaited whatever
	// ctx does: returning early would leave the caller unsure, and the wait
	// is bounded by one fsync.
	<-r.done
	return r.res, r.err
}

// appendQueue is where appends wait for the writer. A sender appends under
// a mutex and nudges the writer through a one-slot channel; the writer takes
// everything waiting at once. A channel of appends would cost each sender a
// second wake-up (the hand-over, then the acknowledgement); with 128
// appenders that is a wake-up per event on a 2-core machine.
type appendQueue struct {
	mu     sync.Mutex
	reqs   []*appendReq
	closed bool
	// signal holds a token when appends may be waiting; a stale token
	// costs the writer one empty take.
	signal chan struct{}
}

func newAppendQueue() *appendQueue { return &appendQueue{signal: make(chan struct{}, 1)} }

// push queues r and reports whether the queue was still open.
func (q *appendQueue) push(r *appendReq) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	q.reqs = append(q.reqs, r)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
	return true
}

// take moves up to max waiting appends, oldest first, to dst.
func (q *appendQueue) take(dst []*appendReq, max int) []*appendReq {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.reqs), max)
	dst = append(dst, q.reqs[:n]...)
	rest := copy(q.reqs, q.reqs[n:])
	clear(q.reqs[rest:])
	q.reqs = q.reqs[:rest]
	return dst
}

// len reports how many appends are queued.
func (q *appendQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.reqs)
}

// close refuses later pushes; what is queued stays for take.
func (q *appendQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}
