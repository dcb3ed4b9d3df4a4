package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// testConcurrency pins down rules 3 to 5 under concurrent appends.
func (su *suite) testConcurrency(t *testing.T) {
	t.Run("competing appenders to one stream: exactly one wins each version", su.testCompetingAppenders)
	t.Run("appenders to their own streams all succeed in commit order, seen once by a subscriber", su.testIndependentAppenders)
}

func (su *suite) testCompetingAppenders(t *testing.T) {
	h := su.open(t)
	name := stream("case")
	contenders, rounds := scale(8, 4), scale(20, 8)
	var winners []uuid.UUID
	for round := range rounds {
		expected := eventstore.NoStream
		if round > 0 {
			expected = eventstore.Exact(uint64(round - 1))
		}
		start := make(chan struct{})
		events := h.events(contenders, "Claimed")
		results := make([]appendCall, contenders)
		var wg sync.WaitGroup
		for i := range contenders {
			wg.Go(func() {
				<-start
				results[i].res, results[i].err = h.s.Append(h.ctx, name, expected, events[i])
			})
		}
		close(start)
		wg.Wait()
		won := -1
		for i, c := range results {
			if c.err == nil {
				if won >= 0 {
					t.Fatalf("round %d (expected %s): contenders %d and %d both won", round, expected, won, i)
				}
				won = i
				if c.res.FirstVersion != uint64(round) {
					t.Errorf("round %d: winner recorded version %d, want %d", round, c.res.FirstVersion, round)
				}
				continue
			}
			var wv *eventstore.WrongVersionError
			if !errors.As(c.err, &wv) || !errors.Is(c.err, eventstore.ErrWrongVersion) {
				t.Fatalf("round %d: loser got %v, want a *WrongVersionError", round, c.err)
			}
			// A loser is checked after the winner, so it sees the winner's event.
			if !wv.Exists || wv.Actual != uint64(round) {
				t.Errorf("round %d: loser saw actual version %d (exists %v), want %d", round, wv.Actual, wv.Exists, round)
			}
		}
		if won < 0 {
			t.Fatalf("round %d (expected %s): nobody won: %v", round, expected, results[0].err)
		}
		winners = append(winners, events[won].ID)
	}
	got := h.readStream(name)
	if len(got) != rounds {
		t.Fatalf("stream has %d events, want one per round (%d)", len(got), rounds)
	}
	for i, e := range got {
		if e.ID != winners[i] || e.Version != uint64(i) {
			t.Errorf("version %d holds event %s at version %d, want the winner %s", i, e.ID, e.Version, winners[i])
		}
	}
	if n := len(h.readAll()); n != rounds {
		t.Errorf("log holds %d events, want %d: losers must record nothing", n, rounds)
	}
}

func (su *suite) testIndependentAppenders(t *testing.T) {
	h := su.open(t)
	writers, appendsEach := scale(8, 4), scale(25, 10)
	sizeOf := func(i int) int { return 1 + 2*(i%4/3) } // every fourth append holds 3 events
	total := 0
	for i := range appendsEach {
		total += sizeOf(i)
	}
	total *= writers

	r := h.subscribe(eventstore.SubscribeOptions{})
	r.catchUp()
	// The subscriber reads up to a last event appended after all others, so
	// that a lost event shows at once instead of as a timeout.
	last := h.event("Closed")
	seen := make(chan []eventstore.RecordedEvent, 1)
	go func() {
		// Off the test goroutine t.Fatal is not allowed, so this reads Next
		// directly; comparing with the log below checks order and
		// uniqueness.
		var got []eventstore.RecordedEvent
		for {
			m, err := r.sub.Next()
			if err != nil {
				break
			}
			if m.Kind == eventstore.MessageEvent {
				got = append(got, m.Event)
				if m.Event.ID == last.ID {
					break
				}
			}
		}
		seen <- got
	}()

	calls := make([][]appendCall, writers)
	var wg sync.WaitGroup
	for w := range writers {
		name := stream("case")
		wg.Go(func() {
			for i := range appendsEach {
				c := appendCall{stream: name, events: h.events(sizeOf(i), "Noted")}
				c.res, c.err = h.s.Append(h.ctx, name, eventstore.Any, c.events...)
				calls[w] = append(calls[w], c)
			}
		})
	}
	wg.Wait()
	h.mustAppend(stream("case"), eventstore.NoStream, last)

	log := h.readAll()
	if len(log) != total+1 {
		t.Fatalf("log holds %d events, want %d", len(log), total+1)
	}
	h.checkPositions(log)
	for w, cs := range calls {
		var prev eventstore.AppendResult
		for i, c := range cs {
			if c.err != nil {
				t.Fatalf("writer %d append %d: %v", w, i, c.err)
			}
			if i > 0 && (c.res.FirstPosition <= prev.LastPosition || c.res.FirstVersion != prev.LastVersion+1) {
				t.Fatalf("writer %d append %d: %+v after %+v, want later positions and the next version", w, i, c.res, prev)
			}
			prev = c.res
		}
	}
	got := <-seen
	checkEvents(t, "events seen by a concurrent subscriber", got, log)
}
