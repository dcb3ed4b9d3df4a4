package storetest

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
)

// testSubscribeReady checks eventstore.Readier where a backend implements
// it: Ready is true through the history and its CaughtUp message, false at
// the head, true again once an append is acknowledged and once the
// subscription is closed; and whenever it says true, Next returns without
// waiting (a Next that blocked fails the test instead of hanging it).
func (su *suite) testSubscribeReady(t *testing.T) {
	h := su.open(t)
	const history = 30
	name := stream("case")
	for range history {
		h.mustAppend(name, eventstore.Any, h.event("Noted"))
	}
	r := h.subscribe(eventstore.SubscribeOptions{})
	rd, ok := r.sub.(eventstore.Readier)
	if !ok {
		t.Skip("the backend's subscriptions do not implement Readier")
	}
	readyNext := func(what string) eventstore.Message {
		t.Helper()
		if !rd.Ready() {
			t.Fatalf("Ready is false %s, want true", what)
		}
		type result struct {
			m   eventstore.Message
			err error
		}
		got := make(chan result, 1)
		go func() {
			m, err := r.sub.Next()
			got <- result{m, err}
		}()
		select {
		case res := <-got:
			if res.err != nil {
				t.Fatalf("Next %s: %v", what, res.err)
			}
			return res.m
		case <-time.After(10 * time.Second):
			r.cancel()
			<-got
			t.Fatalf("Next waited %s although Ready was true", what)
			return eventstore.Message{}
		}
	}
	for i := range history {
		if m := readyNext("in the history"); m.Kind != eventstore.MessageEvent {
			t.Fatalf("message %d is of kind %d, want an event", i, m.Kind)
		}
	}
	if m := readyNext("before CaughtUp"); m.Kind != eventstore.MessageCaughtUp {
		t.Fatalf("after the history got kind %d, want CaughtUp", m.Kind)
	}
	if rd.Ready() {
		t.Fatal("Ready is true at the head with nothing appended, want false")
	}
	res := h.mustAppend(name, eventstore.Any, h.event("Noted"))
	if m := readyNext("after an acknowledged append"); m.Kind != eventstore.MessageEvent || m.Event.Position != res.FirstPosition {
		t.Fatalf("after the append got %+v, want the event at position %d", m, res.FirstPosition)
	}
	if rd.Ready() {
		t.Fatal("Ready is true at the head again, want false")
	}
	if err := r.sub.Close(); err != nil {
		t.Fatal(err)
	}
	if !rd.Ready() {
		t.Fatal("Ready is false after Close, want true: Next returns ErrClosed at once")
	}
}
