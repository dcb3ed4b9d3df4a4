package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
)

// readFixture is a log of three interleaved streams with several types and
// one multi-event append, written in a known order.
type readFixture struct {
	all     []eventstore.RecordedEvent
	streams map[string][]eventstore.RecordedEvent
	caseA   string // the stream with six events, versions 0 to 5
}

func (h *harness) writeReadFixture() readFixture {
	h.t.Helper()
	a, b, c := stream("case"), stream("bundle"), stream("case")
	h.mustAppend(a, eventstore.NoStream, h.event("Opened"))
	h.mustAppend(b, eventstore.NoStream, h.event("Opened"))
	h.mustAppend(a, eventstore.Exact(0), h.event("Noted"), h.event("Noted"))
	h.mustAppend(c, eventstore.NoStream, h.event("Opened"))
	h.mustAppend(b, eventstore.Exact(0), h.event("Noted"))
	h.mustAppend(a, eventstore.Exact(2), h.event("Noted"))
	h.mustAppend(c, eventstore.Exact(0), h.event("Closed"))
	h.mustAppend(a, eventstore.Exact(3), h.event("Noted"), h.event("Closed"))
	h.mustAppend(b, eventstore.Exact(1), h.event("Closed"))
	fx := readFixture{all: h.readAll(), streams: map[string][]eventstore.RecordedEvent{}, caseA: a}
	if len(fx.all) != 11 {
		h.t.Fatalf("fixture log holds %d events, want 11", len(fx.all))
	}
	h.checkPositions(fx.all)
	for _, e := range fx.all {
		fx.streams[e.Stream] = append(fx.streams[e.Stream], e)
	}
	return fx
}

// reversed returns events in reverse order.
func reversed(events []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	out := slices.Clone(events)
	slices.Reverse(out)
	return out
}

// testReadStream pins down ReadStream (rule 10).
func (su *suite) testReadStream(t *testing.T) {
	h := su.open(t)
	fx := h.writeReadFixture()
	a := fx.streams[fx.caseA]
	fw, bw := eventstore.Forwards, eventstore.Backwards
	tests := []struct {
		name string
		opts eventstore.ReadStreamOptions
		want []eventstore.RecordedEvent
	}{
		{"forwards from 0 without a limit reads the whole stream", eventstore.ReadStreamOptions{Direction: fw}, a},
		{"forwards from a version is inclusive", eventstore.ReadStreamOptions{Direction: fw, From: 2}, a[2:]},
		{"forwards with a limit", eventstore.ReadStreamOptions{Direction: fw, From: 2, Limit: 3}, a[2:5]},
		{"forwards with a limit beyond the end", eventstore.ReadStreamOptions{Direction: fw, From: 4, Limit: 10}, a[4:]},
		{"forwards from the last version", eventstore.ReadStreamOptions{Direction: fw, From: 5}, a[5:]},
		{"forwards past the end is empty", eventstore.ReadStreamOptions{Direction: fw, From: 6}, nil},
		{"backwards from End reads the whole stream last first", eventstore.ReadStreamOptions{Direction: bw, From: eventstore.End}, reversed(a)},
		{"backwards from End with a limit", eventstore.ReadStreamOptions{Direction: bw, From: eventstore.End, Limit: 2}, reversed(a[4:])},
		{"backwards from a version is inclusive", eventstore.ReadStreamOptions{Direction: bw, From: 3}, reversed(a[:4])},
		{"backwards from a version with a limit", eventstore.ReadStreamOptions{Direction: bw, From: 3, Limit: 2}, reversed(a[2:4])},
		{"backwards from version 0", eventstore.ReadStreamOptions{Direction: bw, From: 0}, a[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.s.ReadStream(t.Context(), fx.caseA, tt.opts)
			if err != nil {
				t.Fatalf("ReadStream(%+v): %v", tt.opts, err)
			}
			checkEvents(t, fmt.Sprintf("ReadStream(%+v)", tt.opts), got, tt.want)
		})
	}
	t.Run("a missing stream fails with ErrStreamNotFound", func(t *testing.T) {
		for _, opts := range []eventstore.ReadStreamOptions{
			{Direction: fw},
			{Direction: bw, From: eventstore.End},
		} {
			if got, err := h.s.ReadStream(t.Context(), stream("case"), opts); !errors.Is(err, eventstore.ErrStreamNotFound) {
				t.Errorf("ReadStream(missing, %+v) = %d events, %v; want ErrStreamNotFound", opts, len(got), err)
			}
		}
	})
}

// testReadAll pins down ReadAll (rule 10).
func (su *suite) testReadAll(t *testing.T) {
	t.Run("an empty store reads empty both ways", func(t *testing.T) {
		h := su.open(t)
		for _, opts := range []eventstore.ReadAllOptions{{}, {Direction: eventstore.Backwards, From: eventstore.End}} {
			if got := h.mustReadAll(opts); len(got) != 0 {
				t.Errorf("ReadAll(%+v) on an empty store = %d events, want none", opts, len(got))
			}
		}
	})
	h := su.open(t)
	fx := h.writeReadFixture()
	all := fx.all
	pos := func(i int) uint64 { return all[i].Position }
	fw, bw := eventstore.Forwards, eventstore.Backwards
	cases := eventstore.Filter{Categories: []string{"case"}}
	noted := eventstore.Filter{Types: []string{"Noted"}}
	casesClosed := eventstore.Filter{Categories: []string{"case"}, Types: []string{"Closed"}}
	tests := []struct {
		name string
		opts eventstore.ReadAllOptions
		want []eventstore.RecordedEvent
	}{
		{"forwards from 0 reads everything", eventstore.ReadAllOptions{Direction: fw}, all},
		{"forwards from a position is inclusive", eventstore.ReadAllOptions{Direction: fw, From: pos(3)}, all[3:]},
		{"forwards with a limit", eventstore.ReadAllOptions{Direction: fw, From: pos(3), Limit: 4}, all[3:7]},
		{"forwards past the head is empty", eventstore.ReadAllOptions{Direction: fw, From: pos(len(all)-1) + 1}, nil},
		{"backwards from End reads everything last first", eventstore.ReadAllOptions{Direction: bw, From: eventstore.End}, reversed(all)},
		{"backwards from End with a limit", eventstore.ReadAllOptions{Direction: bw, From: eventstore.End, Limit: 3}, reversed(all[len(all)-3:])},
		{"backwards from a position is inclusive", eventstore.ReadAllOptions{Direction: bw, From: pos(5)}, reversed(all[:6])},
		{"backwards from a position with a limit", eventstore.ReadAllOptions{Direction: bw, From: pos(5), Limit: 2}, reversed(all[4:6])},
		{"filtered by category", eventstore.ReadAllOptions{Filter: cases}, matching(all, cases)},
		{"filtered by type", eventstore.ReadAllOptions{Filter: noted}, matching(all, noted)},
		{"filtered by category and type", eventstore.ReadAllOptions{Filter: casesClosed}, matching(all, casesClosed)},
		{"filtered by several categories", eventstore.ReadAllOptions{Filter: eventstore.Filter{Categories: []string{"bundle", "case"}}}, all},
		{"filtered with nothing matching", eventstore.ReadAllOptions{Filter: eventstore.Filter{Types: []string{"Unknown"}}}, nil},
		{"filtered, the limit counts matching events", eventstore.ReadAllOptions{Filter: noted, Limit: 2}, matching(all, noted)[:2]},
		{"filtered forwards from a position", eventstore.ReadAllOptions{Filter: cases, From: pos(4)}, matching(all[4:], cases)},
		{"filtered backwards with a limit", eventstore.ReadAllOptions{Direction: bw, From: eventstore.End, Filter: cases, Limit: 3},
			reversed(matching(all, cases))[:3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.s.ReadAll(t.Context(), tt.opts)
			if err != nil {
				t.Fatalf("ReadAll(%+v): %v", tt.opts, err)
			}
			checkEvents(t, fmt.Sprintf("ReadAll(%+v)", tt.opts), got, tt.want)
		})
	}
}

// testHead pins down Head.
func (su *suite) testHead(t *testing.T) {
	h := su.open(t)
	if got := h.head(); got != 0 {
		t.Errorf("Head of an empty store = %d, want 0", got)
	}
	name := stream("case")
	for i, n := range []int{1, 3, 1} {
		expected := eventstore.NoStream
		if i > 0 {
			expected = eventstore.StreamExists
		}
		res := h.mustAppend(name, expected, h.events(n, "Noted")...)
		if got, want := h.head(), res.LastPosition; got != want {
			t.Errorf("Head after append %d = %d, want its last position %d", i, got, want)
		}
	}
	if got, want := h.head(), lastPosition(h.readAll()); got != want {
		t.Errorf("Head = %d, want the last event's position %d", got, want)
	}
}
