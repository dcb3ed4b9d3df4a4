package storetest

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// testAtomicity pins down rule 5: an append is recorded whole or not at all.
func (su *suite) testAtomicity(t *testing.T) {
	t.Run("concurrent multi-event appends are contiguous in versions and positions", su.testContiguousAppends)
	t.Run("a failing multi-event append records nothing, not even its event IDs", su.testFailedAppendRecordsNothing)
}

type appendCall struct {
	stream string
	events []eventstore.EventData
	res    eventstore.AppendResult
	err    error
}

func (su *suite) testContiguousAppends(t *testing.T) {
	h := su.open(t)
	const writers, appendsEach, eventsEach = 4, 5, 4
	calls := make([][]appendCall, writers)
	var wg sync.WaitGroup
	for w := range writers {
		name := stream("case")
		wg.Go(func() {
			for i := range appendsEach {
				c := appendCall{stream: name, events: h.events(eventsEach, "Noted")}
				expected := eventstore.NoStream
				if i > 0 {
					expected = eventstore.Exact(uint64(i*eventsEach - 1))
				}
				c.res, c.err = h.s.Append(h.ctx, name, expected, c.events...)
				calls[w] = append(calls[w], c)
			}
		})
	}
	wg.Wait()
	log := h.readAll()
	h.checkPositions(log)
	index := make(map[uuid.UUID]int, len(log))
	for i, e := range log {
		index[e.ID] = i
	}
	for _, cs := range calls {
		for _, c := range cs {
			if c.err != nil {
				t.Fatalf("Append(%s): %v", c.stream, c.err)
			}
			first, ok := index[c.events[0].ID]
			if !ok {
				t.Fatalf("event %s of an acknowledged append is not in the log", c.events[0].ID)
			}
			for k, d := range c.events {
				i := first + k
				if i >= len(log) || log[i].ID != d.ID {
					t.Fatalf("event %d of an append to %s is not next to event %d in the log: appends must be contiguous", k, c.stream, k-1)
				}
				if got, want := log[i].Version, c.res.FirstVersion+uint64(k); got != want {
					t.Errorf("event %d of an append to %s has version %d, want %d", k, c.stream, got, want)
				}
			}
			last := first + len(c.events) - 1
			got := [4]uint64{c.res.FirstVersion, c.res.LastVersion, c.res.FirstPosition, c.res.LastPosition}
			want := [4]uint64{log[first].Version, log[last].Version, log[first].Position, log[last].Position}
			if got != want {
				t.Errorf("AppendResult (first/last version, first/last position) = %v, want %v as recorded", got, want)
			}
		}
	}
}

func (su *suite) testFailedAppendRecordsNothing(t *testing.T) {
	h := su.open(t)
	other := h.event("Opened")
	h.mustAppend(stream("bundle"), eventstore.NoStream, other)
	reused := other
	reused.Data = json.RawMessage(`{"different":true}`)
	tests := []struct {
		name     string
		expected eventstore.ExpectedVersion
		last     eventstore.EventData // appended after two fresh events
		wantErr  error
	}{
		{"wrong expected version", eventstore.Exact(7), h.event("Noted"), eventstore.ErrWrongVersion},
		{"invalid last event", eventstore.Exact(0), eventstore.EventData{ID: uuid.New(), Type: "Noted", Data: json.RawMessage(`{`)}, eventstore.ErrInvalidEvent},
		{"last event reusing a recorded ID", eventstore.Exact(0), reused, eventstore.ErrDuplicateEventID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.sub(t)
			name := stream("case")
			h.mustAppend(name, eventstore.NoStream, h.event("Opened"))
			before := h.readAll()
			fresh := h.events(2, "Noted")
			_, err := h.s.Append(h.ctx, name, tt.expected, append(fresh, tt.last)...)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Append = %v, want %v", err, tt.wantErr)
			}
			h.checkUnchanged(before)
			// Had the failed append left its IDs behind, this would be taken
			// for a retry or refused as a duplicate.
			res := h.mustAppend(name, eventstore.Exact(0), fresh...)
			if got, want := [2]uint64{res.FirstVersion, res.LastVersion}, [2]uint64{1, 2}; got != want {
				t.Errorf("appending the failed append's fresh events afterwards: versions %v, want %v", got, want)
			}
			if res.FirstPosition <= lastPosition(before) {
				t.Errorf("appending the failed append's fresh events afterwards: first position %d, want after %d", res.FirstPosition, lastPosition(before))
			}
		})
	}
}
