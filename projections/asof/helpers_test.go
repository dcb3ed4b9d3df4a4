package asof_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// clock is the store's clock in these tests: the history says what it
// reads at each append, so recorded-at times are known and differ from the
// effective times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// recorded is one event of a history as the test knows it, independently
// of the package under test.
type recorded struct {
	ev       domain.Event // decoded from the bytes appended
	typ      string
	version  uint64
	position uint64
	occurred time.Time
	recorded time.Time
	batch    int // the append it came in, counted per case
}

// history is a generated history held by an embedded store.
type history struct {
	store  *embedded.Store
	clock  *clock
	cases  []string // in order of submission
	events map[string][]recorded
	last   time.Time // the store clock's last reading
}

// MustStore opens an embedded store on disk (inMemory false) or on
// pebble's in-memory file system, driven by a test clock.
func MustStore(tb testing.TB, inMemory bool) (*embedded.Store, *clock) {
	tb.Helper()
	c := &clock{}
	opts := embedded.Options{Clock: c.now}
	if inMemory {
		opts.FS = vfs.NewMem()
	}
	s, err := embedded.Open(tb.TempDir(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s, c
}

// MustHistory appends a generated history of the given number of cases.
// The store records each append some minutes after it took effect (the lag
// cycles from 0 to 3 hours), never going back.
func MustHistory(tb testing.TB, cases int, inMemory bool) *history {
	tb.Helper()
	s, c := MustStore(tb, inMemory)
	h := &history{store: s, clock: c, events: map[string][]recorded{}}
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	cfg.Rates.Correction = 0.5
	g, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	k := 0
	for a := range g.All() {
		if len(h.events[a.CaseID]) == 0 {
			h.cases = append(h.cases, a.CaseID)
		}
		lag := time.Duration(k%7) * 30 * time.Minute
		k++
		h.MustAppend(tb, a.CaseID, a.Expected, a.At.Add(lag), a.Events)
	}
	if err := g.Err(); err != nil {
		tb.Fatal(err)
	}
	return h
}

// MustAppend appends events to a case with the store's clock at rec (or
// just after its last reading, which it never goes back from) and
// remembers them.
func (h *history) MustAppend(tb testing.TB, caseID string, expected eventstore.ExpectedVersion, rec time.Time, events []eventstore.EventData) {
	tb.Helper()
	if !rec.After(h.last) {
		rec = h.last.Add(time.Millisecond)
	}
	h.last = rec
	h.clock.set(rec)
	res, err := h.store.Append(context.Background(), "case-"+caseID, expected, events...)
	if err != nil {
		tb.Fatalf("append to case %s: %v", caseID, err)
	}
	prev := h.events[caseID]
	batch := 0
	if len(prev) > 0 {
		batch = prev[len(prev)-1].batch + 1
	}
	for i, e := range events {
		ev, err := domain.Decode(e.Type, e.Data, e.Metadata)
		if err != nil {
			tb.Fatal(err)
		}
		h.events[caseID] = append(h.events[caseID], recorded{ev: ev, typ: e.Type,
			version: res.FirstVersion + uint64(i), position: res.FirstPosition + uint64(i),
			occurred: ev.Meta().OccurredAt, recorded: rec.UTC(), batch: batch})
	}
}

// MustDecide decides cmd on the case as the history knows it and appends
// the events, recorded at rec.
func (h *history) MustDecide(tb testing.TB, cmd domain.Command, rec time.Time) []domain.Event {
	tb.Helper()
	caseID := cmd.Metadata().CaseID
	evs, err := domain.Decide(h.replay(caseID, nil), cmd, env())
	if err != nil {
		tb.Fatalf("decide %T: %v", cmd, err)
	}
	data := make([]eventstore.EventData, len(evs))
	for i, ev := range evs {
		if data[i], err = domain.EventData(ev); err != nil {
			tb.Fatal(err)
		}
	}
	known := h.events[caseID]
	h.MustAppend(tb, caseID, eventstore.Exact(known[len(known)-1].version), rec, data)
	return evs
}

// replay is the test's own answer: domain.Replay of the case's events that
// keep passes, in stream order.
func (h *history) replay(caseID string, keep func(recorded) bool) domain.State {
	var evs []domain.Event
	for _, r := range h.events[caseID] {
		if keep == nil || keep(r) {
			evs = append(evs, r.ev)
		}
	}
	return domain.Replay(evs)
}

// find returns the first case with an event that match accepts, and the
// index of that event.
func (h *history) find(tb testing.TB, match func(recorded) bool) (string, int) {
	tb.Helper()
	for _, id := range h.cases {
		for i, r := range h.events[id] {
			if match(r) {
				return id, i
			}
		}
	}
	tb.Fatal("no case in the history has the event sought")
	return "", 0
}

func env() domain.Env {
	return domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: casegen.DefaultConfig().Policy}
}

// code returns the domain code of err and whether it wraps target.
func code(err error, target error) (domain.Code, bool) {
	return domain.ErrorCode(err), target != nil && errors.Is(err, target)
}
