package storetest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
)

// testIdempotency pins down rule 7: a re-sent append is recognised forever,
// and a recorded ID never names other content.
func (su *suite) testIdempotency(t *testing.T) {
	t.Run("a re-sent append returns the original result and records nothing", su.testResend)
	t.Run("a recorded ID with other content fails with ErrDuplicateEventID", su.testReusedID)
	t.Run("mixing recorded and new IDs fails with ErrDuplicateEventID", su.testMixedIDs)
}

func (su *suite) testResend(t *testing.T) {
	h := su.open(t)
	name := stream("case")
	single := []eventstore.EventData{h.event("Opened")}
	first := h.mustAppend(name, eventstore.NoStream, single...)
	multi := h.events(3, "Noted")
	multi[1].Metadata = json.RawMessage(`{"actor":"officer-7"}`)
	second := h.mustAppend(name, eventstore.Exact(0), multi...)
	// A retry right away, with the expected version that was right then.
	if res, err := h.s.Append(h.ctx, name, eventstore.Exact(0), multi...); err != nil || res != second {
		t.Fatalf("immediate re-send = %+v, %v; want the original %+v", res, err, second)
	}
	// Later appends to this and another stream must not matter.
	h.mustAppend(name, eventstore.Exact(3), h.events(2, "Noted")...)
	h.mustAppend(stream("bundle"), eventstore.NoStream, h.event("Opened"))

	tests := []struct {
		name     string
		events   []eventstore.EventData
		expected eventstore.ExpectedVersion
		want     eventstore.AppendResult
	}{
		{"single event with its original, now wrong, no stream", single, eventstore.NoStream, first},
		{"single event with any", single, eventstore.Any, first},
		{"single event with stream exists", single, eventstore.StreamExists, first},
		{"single event with the current version", single, eventstore.Exact(5), first},
		{"several events with their original, now wrong, exact version", multi, eventstore.Exact(0), second},
		{"several events with no stream", multi, eventstore.NoStream, second},
		{"several events with a version ahead of the stream", multi, eventstore.Exact(1000), second},
		{"several events with any", multi, eventstore.Any, second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.sub(t)
			before := h.readAll()
			got, err := h.s.Append(h.ctx, name, tt.expected, tt.events...)
			if err != nil {
				t.Fatalf("re-sent Append: %v", err)
			}
			if got != tt.want {
				t.Errorf("re-sent Append = %+v, want the original %+v", got, tt.want)
			}
			h.checkUnchanged(before)
		})
	}
}

func (su *suite) testReusedID(t *testing.T) {
	h := su.open(t)
	name := stream("case")
	orig := h.event("Opened")
	orig.Data = json.RawMessage(`{"a":1}`)
	orig.Metadata = json.RawMessage(`{"actor":"x"}`)
	h.mustAppend(name, eventstore.NoStream, orig)
	otherStream := stream("case")
	h.mustAppend(otherStream, eventstore.NoStream, h.event("Opened"))
	tests := []struct {
		name   string
		stream string
		change func(*eventstore.EventData)
	}{
		{"other data", name, func(e *eventstore.EventData) { e.Data = json.RawMessage(`{"a":2}`) }},
		{"equivalent data with other bytes", name, func(e *eventstore.EventData) { e.Data = json.RawMessage(`{"a": 1}`) }},
		{"other type", name, func(e *eventstore.EventData) { e.Type = "Closed" }},
		{"other metadata", name, func(e *eventstore.EventData) { e.Metadata = json.RawMessage(`{"actor":"y"}`) }},
		{"no metadata", name, func(e *eventstore.EventData) { e.Metadata = nil }},
		{"same content in a new stream", stream("case"), func(*eventstore.EventData) {}},
		{"same content in another existing stream", otherStream, func(*eventstore.EventData) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.sub(t)
			before := h.readAll()
			e := orig
			tt.change(&e)
			_, err := h.s.Append(h.ctx, tt.stream, eventstore.Any, e)
			if !errors.Is(err, eventstore.ErrDuplicateEventID) {
				t.Fatalf("Append = %v, want ErrDuplicateEventID", err)
			}
			h.checkUnchanged(before)
		})
	}
	t.Run("one changed event in a re-sent multi-event append", func(t *testing.T) {
		h := h.sub(t)
		events := h.events(3, "Noted")
		h.mustAppend(name, eventstore.Exact(0), events...)
		before := h.readAll()
		changed := append([]eventstore.EventData(nil), events...)
		changed[2].Data = json.RawMessage(`{"changed":true}`)
		_, err := h.s.Append(h.ctx, name, eventstore.Exact(0), changed...)
		if !errors.Is(err, eventstore.ErrDuplicateEventID) {
			t.Fatalf("Append = %v, want ErrDuplicateEventID", err)
		}
		h.checkUnchanged(before)
	})
}

func (su *suite) testMixedIDs(t *testing.T) {
	h := su.open(t)
	name := stream("case")
	a := h.events(2, "Opened")
	h.mustAppend(name, eventstore.NoStream, a...)
	b := h.events(2, "Noted")
	h.mustAppend(name, eventstore.Exact(1), b...)
	x, y, z := h.event("Noted"), h.event("Noted"), h.event("Noted")
	tests := []struct {
		name   string
		events []eventstore.EventData
		fresh  []eventstore.EventData // appendable once the mix is refused
	}{
		{"recorded then new", []eventstore.EventData{a[0], x}, []eventstore.EventData{x}},
		{"new then recorded", []eventstore.EventData{y, b[1]}, []eventstore.EventData{y}},
		{"IDs recorded by two different appends", []eventstore.EventData{a[1], b[0]}, nil},
		{"an append's IDs plus a new one", []eventstore.EventData{b[0], b[1], z}, []eventstore.EventData{z}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.sub(t)
			before := h.readAll()
			_, err := h.s.Append(h.ctx, name, eventstore.Any, tt.events...)
			if !errors.Is(err, eventstore.ErrDuplicateEventID) {
				t.Fatalf("Append = %v, want ErrDuplicateEventID", err)
			}
			h.checkUnchanged(before)
			if len(tt.fresh) > 0 {
				h.mustAppend(name, eventstore.Any, tt.fresh...)
			}
		})
	}
}
