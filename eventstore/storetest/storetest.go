// Package storetest is the conformance suite of the event store contract:
// every rule of package eventstore's comment that a test can observe, as
// subtests named for the behaviour they pin down. A backend's test is a few
// lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) eventstore.Store {
//			s, err := mybackend.Open(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// newStore must return a new, empty store on every call; Run closes it when
// the subtest ends, after checking it with eventstore.Verify. Durability
// (rule 6) needs crash tests of the backend itself and is not covered here.
//
// The default is the strict contract. A backend that keeps a rule only in a
// weaker form the contract allows says so with an Option, so the difference
// is named in its test file rather than hidden in the suite.
//
// Sizes shrink under testing.Short; the whole suite takes seconds, not
// minutes, so that it runs in every `go test ./...`.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// Option declares a difference between a backend and the strict contract.
type Option func(*config)

type config struct {
	positionGaps bool
}

// PositionGaps declares that the backend's positions strictly increase but
// may leave gaps (rule 3 allows it; EventStoreDB commit positions are byte
// offsets). Without it the suite requires positions 1, 2, 3, ...
func PositionGaps() Option { return func(c *config) { c.positionGaps = true } }

// Run runs the conformance suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) eventstore.Store, opts ...Option) {
	su := &suite{newStore: newStore}
	for _, o := range opts {
		o(&su.cfg)
	}
	groups := []struct {
		name string
		run  func(*testing.T)
	}{
		{"append", su.testAppend},
		{"atomicity", su.testAtomicity},
		{"idempotency", su.testIdempotency},
		{"record", su.testRecord},
		{"read stream", su.testReadStream},
		{"read all", su.testReadAll},
		{"head", su.testHead},
		{"subscribe", su.testSubscribe},
		{"subscription lifetime", su.testSubscriptionLifetime},
		{"concurrency", su.testConcurrency},
		{"verify", su.testVerify},
	}
	for _, g := range groups {
		t.Run(g.name, g.run)
	}
}

type suite struct {
	cfg      config
	newStore func(t *testing.T) eventstore.Store
}

// harness is one subtest's store and the helpers that use it.
type harness struct {
	t      *testing.T
	s      eventstore.Store
	cfg    config
	ctx    context.Context
	seq    *atomic.Int64 // makes every event's data distinct
	closed bool          // set when the test closed the store itself
}

// open gives the subtest a fresh store. When the subtest ends the store is
// verified (so every subtest also checks that Verify passes on what it
// wrote) and closed.
func (su *suite) open(t *testing.T) *harness {
	t.Helper()
	s := su.newStore(t)
	if s == nil {
		t.Fatal("newStore returned nil")
	}
	h := &harness{t: t, s: s, cfg: su.cfg, ctx: t.Context(), seq: new(atomic.Int64)}
	t.Cleanup(func() {
		if h.closed {
			return
		}
		// t.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := eventstore.Verify(ctx, s, eventstore.VerifyOptions{GaplessPositions: !su.cfg.positionGaps}); err != nil {
			t.Errorf("Verify after the test: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

// sub returns a harness on the same store for a nested subtest, so that
// its failures are reported, and its context cancelled, there.
func (h *harness) sub(t *testing.T) *harness {
	return &harness{t: t, s: h.s, cfg: h.cfg, ctx: t.Context(), seq: h.seq}
}

// closeStore closes the store within the test.
func (h *harness) closeStore() {
	h.t.Helper()
	h.closed = true
	if err := h.s.Close(); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
}

// stream returns a new stream name in category cat.
func stream(cat string) string { return cat + "-" + uuid.NewString() }

// event returns a valid event of type typ with distinct data.
func (h *harness) event(typ string) eventstore.EventData {
	return eventstore.EventData{
		ID:   uuid.New(),
		Type: typ,
		Data: fmt.Appendf(nil, `{"n":%d}`, h.seq.Add(1)),
	}
}

// events returns n valid events of type typ.
func (h *harness) events(n int, typ string) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = h.event(typ)
	}
	return out
}

// mustAppend appends and fails the test on error.
func (h *harness) mustAppend(stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) eventstore.AppendResult {
	h.t.Helper()
	res, err := h.s.Append(h.ctx, stream, expected, events...)
	if err != nil {
		h.t.Fatalf("Append(%s, expected %s, %d events): %v", stream, expected, len(events), err)
	}
	return res
}

// readAll reads the whole log forwards.
func (h *harness) readAll() []eventstore.RecordedEvent {
	h.t.Helper()
	return h.mustReadAll(eventstore.ReadAllOptions{})
}

func (h *harness) mustReadAll(opts eventstore.ReadAllOptions) []eventstore.RecordedEvent {
	h.t.Helper()
	events, err := h.s.ReadAll(h.ctx, opts)
	if err != nil {
		h.t.Fatalf("ReadAll(%+v): %v", opts, err)
	}
	return events
}

// readStream reads a whole stream forwards; a missing stream is empty.
func (h *harness) readStream(stream string) []eventstore.RecordedEvent {
	h.t.Helper()
	events, err := h.s.ReadStream(h.ctx, stream, eventstore.ReadStreamOptions{})
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		h.t.Fatalf("ReadStream(%s): %v", stream, err)
	}
	return events
}

func (h *harness) head() uint64 {
	h.t.Helper()
	head, err := h.s.Head(h.ctx)
	if err != nil {
		h.t.Fatalf("Head: %v", err)
	}
	return head
}

// checkUnchanged fails the test if the log differs from before, which is
// how the suite asserts that a refused append recorded nothing.
func (h *harness) checkUnchanged(before []eventstore.RecordedEvent) {
	h.t.Helper()
	checkEvents(h.t, "log after a refused append", h.readAll(), before)
	if got, want := h.head(), lastPosition(before); got != want {
		h.t.Errorf("Head = %d after a refused append, want %d", got, want)
	}
}

// checkPositions fails the test unless positions strictly increase, and,
// unless the backend declared PositionGaps, run 1, 2, 3, ...
func (h *harness) checkPositions(events []eventstore.RecordedEvent) {
	h.t.Helper()
	var last uint64
	for i, e := range events {
		switch {
		case e.Position <= last:
			h.t.Fatalf("event %d has position %d after position %d, want strictly increasing", i, e.Position, last)
		case !h.cfg.positionGaps && e.Position != last+1:
			h.t.Fatalf("event %d has position %d after position %d, want gapless positions", i, e.Position, last)
		}
		last = e.Position
	}
}

func lastPosition(events []eventstore.RecordedEvent) uint64 {
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].Position
}

// diffEvent describes how got differs from want, "" when they are equal.
func diffEvent(got, want *eventstore.RecordedEvent) string {
	switch {
	case got.ID != want.ID:
		return fmt.Sprintf("ID %s, want %s", got.ID, want.ID)
	case got.Stream != want.Stream:
		return fmt.Sprintf("stream %q, want %q", got.Stream, want.Stream)
	case got.Version != want.Version:
		return fmt.Sprintf("version %d, want %d", got.Version, want.Version)
	case got.Position != want.Position:
		return fmt.Sprintf("position %d, want %d", got.Position, want.Position)
	case got.Type != want.Type:
		return fmt.Sprintf("type %q, want %q", got.Type, want.Type)
	case string(got.Data) != string(want.Data):
		return fmt.Sprintf("data %q, want %q", got.Data, want.Data)
	case string(got.Metadata) != string(want.Metadata):
		return fmt.Sprintf("metadata %q, want %q", got.Metadata, want.Metadata)
	case !got.RecordedAt.Equal(want.RecordedAt) || got.RecordedAt.Location() != want.RecordedAt.Location():
		return fmt.Sprintf("recorded at %v, want %v", got.RecordedAt, want.RecordedAt)
	case got.Hash != want.Hash:
		return fmt.Sprintf("hash %x, want %x", got.Hash, want.Hash)
	}
	return ""
}

// checkEvents fails the test unless got and want hold equal events in the
// same order.
func checkEvents(t *testing.T, what string, got, want []eventstore.RecordedEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events (positions %v), want %d (positions %v)", what, len(got), positions(got), len(want), positions(want))
	}
	for i := range got {
		if d := diffEvent(&got[i], &want[i]); d != "" {
			t.Fatalf("%s: event %d: %s", what, i, d)
		}
	}
}

func positions(events []eventstore.RecordedEvent) []uint64 {
	out := make([]uint64, len(events))
	for i, e := range events {
		out[i] = e.Position
	}
	return out
}

// scale returns n, or small under testing.Short.
func scale(n, small int) int {
	if testing.Short() {
		return small
	}
	return n
}
