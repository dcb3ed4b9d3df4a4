package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
)

// subscriptionTimeout ends every subscription the suite starts, so that a
// backend that loses an event fails the test instead of hanging it: a Next
// waiting for that event returns the context's error. nextTimeout bounds
// the wait for a Next that a test ended itself. Neither is a timing
// assertion: nothing correct comes close to them.
const (
	subscriptionTimeout = time.Minute
	nextTimeout         = 30 * time.Second
)

// subReader reads a subscription and checks, on every message, the rules
// that hold whatever the test does: events match the filter and arrive in
// strictly increasing positions, CaughtUp comes at most once and nothing
// delivered later lies at or before it, and a checkpoint is never followed
// by an event at or before its position.
type subReader struct {
	t        *testing.T
	sub      eventstore.Subscription
	cancel   context.CancelFunc
	filter   eventstore.Filter
	last     uint64              // position of the last event, CaughtUp or checkpoint
	caughtUp *eventstore.Message // the CaughtUp message once seen
}

// subscribe starts a subscription that the test's cleanup closes.
func (h *harness) subscribe(opts eventstore.SubscribeOptions) *subReader {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, subscriptionTimeout)
	sub, err := h.s.Subscribe(ctx, opts)
	if err != nil {
		cancel()
		h.t.Fatalf("Subscribe(%+v): %v", opts, err)
	}
	h.t.Cleanup(func() {
		sub.Close()
		cancel()
	})
	return &subReader{t: h.t, sub: sub, cancel: cancel, filter: opts.Filter, last: opts.After}
}

// next returns the next event or CaughtUp message; checkpoints are checked
// and skipped.
func (r *subReader) next() eventstore.Message {
	r.t.Helper()
	for {
		m, err := r.sub.Next()
		if err != nil {
			r.t.Fatalf("Next after position %d: %v", r.last, err)
		}
		switch m.Kind {
		case eventstore.MessageEvent:
			e := &m.Event
			if e.Position <= r.last {
				r.t.Fatalf("event at position %d delivered after position %d: want strictly increasing, no duplicates", e.Position, r.last)
			}
			if m.Position != e.Position {
				r.t.Errorf("event message has Position %d, want its event's position %d", m.Position, e.Position)
			}
			if !r.filter.Matches(e) {
				r.t.Fatalf("event %s (%s) delivered through filter %+v", e.Stream, e.Type, r.filter)
			}
			r.last = e.Position
			return m
		case eventstore.MessageCaughtUp:
			if r.caughtUp != nil {
				r.t.Fatalf("second CaughtUp at position %d, the first was at %d: want exactly one", m.Position, r.caughtUp.Position)
			}
			if m.Position < r.last {
				r.t.Fatalf("CaughtUp at position %d after delivering position %d", m.Position, r.last)
			}
			r.caughtUp = &m
			r.last = m.Position
			return m
		case eventstore.MessageCheckpoint:
			if m.Position < r.last {
				r.t.Fatalf("checkpoint at position %d after position %d: want non-decreasing", m.Position, r.last)
			}
			r.last = m.Position
		default:
			r.t.Fatalf("message of unknown kind %d", m.Kind)
		}
	}
}

// catchUp reads until CaughtUp and returns the events before it.
func (r *subReader) catchUp() ([]eventstore.RecordedEvent, eventstore.Message) {
	r.t.Helper()
	if r.caughtUp != nil {
		r.t.Fatal("catchUp called after CaughtUp")
	}
	var events []eventstore.RecordedEvent
	for {
		m := r.next()
		if m.Kind == eventstore.MessageCaughtUp {
			return events, m
		}
		events = append(events, m.Event)
	}
}

// events reads n events after CaughtUp.
func (r *subReader) events(n int) []eventstore.RecordedEvent {
	r.t.Helper()
	events := make([]eventstore.RecordedEvent, 0, n)
	for len(events) < n {
		m := r.next()
		if m.Kind != eventstore.MessageEvent {
			r.t.Fatalf("got message kind %d after %d of %d events, want an event", m.Kind, len(events), n)
		}
		events = append(events, m.Event)
	}
	return events
}

// nextAsync calls Next in a goroutine, so that a test can end a blocked
// Next; the channel yields its error.
func (r *subReader) nextAsync() <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := r.sub.Next()
		done <- err
	}()
	return done
}

// await waits for a Next started by nextAsync, failing the test if it does
// not return within nextTimeout.
func await(t *testing.T, done <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(nextTimeout):
		t.Fatalf("Next did not return within %v after %s", nextTimeout, what)
		return nil
	}
}
