package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
)

// testSubscribe pins down what a subscription delivers (rule 10).
func (su *suite) testSubscribe(t *testing.T) {
	t.Run("from the start it delivers history, then CaughtUp at the head, then live events", su.testSubscribeFromStart)
	t.Run("on an empty store it is caught up at position 0, then delivers live events", su.testSubscribeEmpty)
	t.Run("resuming after a delivered position continues exactly after it", su.testSubscribeResume)
	t.Run("a filter delivers only matching history and live events", su.testSubscribeFilter)
	t.Run("a filtered subscription passes over long runs of other events", su.testSubscribeSparseFilter)
	t.Run("a slow consumer sees every event once in order and does not block appenders", su.testSlowConsumer)
	t.Run("recycling delivered events leaves the events held after them intact", su.testSubscribeRecycle)
	t.Run("Ready says when Next would return without waiting", su.testSubscribeReady)
}

func (su *suite) testSubscribeFromStart(t *testing.T) {
	h := su.open(t)
	streams := []string{stream("case"), stream("bundle")}
	for i := range 5 {
		h.mustAppend(streams[i%2], eventstore.Any, h.events(1+i%2, "Noted")...)
	}
	history, head := h.readAll(), h.head()
	r := h.subscribe(eventstore.SubscribeOptions{})
	got, caughtUp := r.catchUp()
	checkEvents(t, "history", got, history)
	if caughtUp.Position != head {
		t.Errorf("CaughtUp at position %d, want the head %d", caughtUp.Position, head)
	}
	h.mustAppend(streams[0], eventstore.Any, h.events(2, "Noted")...)
	h.mustAppend(streams[1], eventstore.Any, h.event("Closed"))
	live := h.readAll()[len(history):]
	// r.events fails on a second CaughtUp.
	checkEvents(t, "live events", r.events(len(live)), live)
}

func (su *suite) testSubscribeEmpty(t *testing.T) {
	h := su.open(t)
	r := h.subscribe(eventstore.SubscribeOptions{})
	got, caughtUp := r.catchUp()
	if len(got) != 0 || caughtUp.Position != 0 {
		t.Fatalf("on an empty store: %d events then CaughtUp at %d, want none then 0", len(got), caughtUp.Position)
	}
	h.mustAppend(stream("case"), eventstore.NoStream, h.events(2, "Opened")...)
	checkEvents(t, "live events", r.events(2), h.readAll())
}

func (su *suite) testSubscribeResume(t *testing.T) {
	h := su.open(t)
	a, b := stream("case"), stream("bundle")
	h.mustAppend(a, eventstore.NoStream, h.event("Opened"))
	h.mustAppend(b, eventstore.NoStream, h.events(3, "Noted")...)
	h.mustAppend(a, eventstore.Exact(0), h.event("Noted"))
	h.mustAppend(b, eventstore.Exact(2), h.events(2, "Closed")...)
	all := h.readAll()
	tests := []struct {
		name      string
		delivered int // events the first subscription consumed
	}{
		{"after nothing", 0},
		{"after the first event", 1},
		{"after an event inside a multi-event append", 3},
		{"after the last event", len(all)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.sub(t)
			first := h.subscribe(eventstore.SubscribeOptions{})
			var checkpoint uint64
			if tt.delivered > 0 {
				checkpoint = first.events(tt.delivered)[tt.delivered-1].Position
			}
			first.sub.Close()
			second := h.subscribe(eventstore.SubscribeOptions{After: checkpoint})
			got, _ := second.catchUp()
			checkEvents(t, fmt.Sprintf("resumed after position %d", checkpoint), got, all[tt.delivered:])
		})
	}
}

func (su *suite) testSubscribeFilter(t *testing.T) {
	h := su.open(t)
	// Every category and type appears alone, together, and not at all, in
	// the history and in the live events.
	write := func() {
		h.mustAppend(stream("case"), eventstore.NoStream, h.event("Opened"), h.event("Noted"))
		h.mustAppend(stream("bundle"), eventstore.NoStream, h.event("Opened"))
		h.mustAppend(stream("audit"), eventstore.NoStream, h.event("Noted"), h.event("Closed"))
		h.mustAppend(stream("case"), eventstore.NoStream, h.event("Closed"))
	}
	write()
	history := h.readAll()
	tests := []struct {
		name   string
		filter eventstore.Filter
	}{
		{"one category", eventstore.Filter{Categories: []string{"case"}}},
		{"two categories", eventstore.Filter{Categories: []string{"case", "bundle"}}},
		{"one type", eventstore.Filter{Types: []string{"Noted"}}},
		{"category and type", eventstore.Filter{Categories: []string{"case"}, Types: []string{"Opened", "Closed"}}},
		{"a category that is a prefix of another is not matched by it", eventstore.Filter{Categories: []string{"cas"}}},
	}
	subs := make([]*subReader, len(tests))
	for i, tt := range tests {
		subs[i] = h.subscribe(eventstore.SubscribeOptions{Filter: tt.filter})
		got, _ := subs[i].catchUp()
		checkEvents(t, tt.name+": history", got, matching(history, tt.filter))
	}
	write()
	live := h.readAll()[len(history):]
	for i, tt := range tests {
		want := matching(live, tt.filter)
		checkEvents(t, tt.name+": live", subs[i].events(len(want)), want)
	}
}

// testSubscribeSparseFilter makes a filtered subscription skip far more
// events than any page a backend reads at once, in history and live, which
// is where backends send checkpoints; subReader checks them.
func (su *suite) testSubscribeSparseFilter(t *testing.T) {
	h := su.open(t)
	noise := func() {
		name := stream("audit")
		for i := range scale(100, 30) {
			expected := eventstore.NoStream
			if i > 0 {
				expected = eventstore.StreamExists
			}
			h.mustAppend(name, expected, h.events(10, "Noted")...)
		}
	}
	filter := eventstore.Filter{Categories: []string{"case"}}
	noise()
	h.mustAppend(stream("case"), eventstore.NoStream, h.event("Opened"))
	noise()
	r := h.subscribe(eventstore.SubscribeOptions{Filter: filter})
	got, caughtUp := r.catchUp()
	all := h.readAll()
	checkEvents(t, "history", got, matching(all, filter))
	if caughtUp.Position != lastPosition(all) {
		t.Errorf("CaughtUp at position %d, want the head %d", caughtUp.Position, lastPosition(all))
	}
	noise()
	h.mustAppend(stream("case"), eventstore.NoStream, h.event("Opened"))
	checkEvents(t, "live", r.events(1), matching(h.readAll()[len(all):], filter))
}

func matching(events []eventstore.RecordedEvent, f eventstore.Filter) []eventstore.RecordedEvent {
	var out []eventstore.RecordedEvent
	for i := range events {
		if f.Matches(&events[i]) {
			out = append(out, events[i])
		}
	}
	return out
}

// testSlowConsumer stalls a subscriber completely while appenders write
// thousands of events: appenders that waited for subscribers would never
// finish, and a backend that dropped events for a lagging subscriber would
// show a gap once it resumes.
func (su *suite) testSlowConsumer(t *testing.T) {
	h := su.open(t)
	const appenders, perAppend = 2, 10
	total := scale(3000, 600)
	r := h.subscribe(eventstore.SubscribeOptions{})
	r.catchUp()

	done := make(chan struct{})
	errs := make(chan error, appenders)
	var wg sync.WaitGroup
	for range appenders {
		name := stream("case")
		wg.Go(func() {
			for range total / appenders / perAppend {
				if _, err := h.s.Append(h.ctx, name, eventstore.Any, h.events(perAppend, "Noted")...); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(done) }()

	var got []eventstore.RecordedEvent
	for range total / 10 {
		got = append(got, r.events(1)...)
		time.Sleep(100 * time.Microsecond)
	}
	select {
	case <-done:
	case <-time.After(nextTimeout):
		t.Fatalf("appenders did not finish within %v while a subscriber stalled: a slow subscriber blocks appenders", nextTimeout)
	}
	close(errs)
	for err := range errs {
		t.Fatalf("Append: %v", err)
	}
	// Reading up to a last event appended after all others, rather than
	// counting, makes a lost event fail at once instead of at a timeout.
	last := h.event("Closed")
	h.mustAppend(stream("case"), eventstore.NoStream, last)
	for i := 0; len(got) == 0 || got[len(got)-1].ID != last.ID; i++ {
		got = append(got, r.events(1)...)
		if i%100 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	checkEvents(t, "events seen by the slow consumer", got, h.readAll())
}
