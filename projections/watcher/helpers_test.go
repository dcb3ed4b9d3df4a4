package watcher_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/caseledger/caseledger/projections/watcher"
)

var china = time.FixedZone("UTC+08:00", 8*60*60)

// warning names one (case, item, level).
type warning struct {
	caseID, item string
	level        domain.WarningLevel
}

// history is a generated history without the generator's own watcher: its
// RaiseWarning appends are held back and kept as the oracle of what a
// watcher ticking at 08:30 every working day must raise.
type history struct {
	appends []casegen.Append
	oracle  map[warning]bool
	// decided holds the (case, item) decided in the history.
	decided  map[[2]string]bool
	from, to workday.Date
}

func MustHistory(tb testing.TB, cases int) *history {
	tb.Helper()
	return generated.Get(tb, cases, generateHistory)
}

var generated projectiontest.Memo[int, *history]

func generateHistory(tb testing.TB, cases int) *history {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	cfg.From = time.Date(2025, 3, 1, 0, 0, 0, 0, china)
	cfg.To = time.Date(2025, 6, 1, 0, 0, 0, 0, china)
	h := &history{oracle: map[warning]bool{}, decided: map[[2]string]bool{},
		from: workday.DateOf(cfg.From), to: workday.DateOf(cfg.To)}
	for _, a := range projectiontest.MustGenerate(tb, cfg) {
		for _, ev := range a.Decided {
			if d, ok := ev.(*domain.ItemDecided); ok {
				h.decided[[2]string{a.CaseID, d.Item}] = true
			}
		}
		if w, ok := a.Command.(*domain.RaiseWarning); ok {
			h.oracle[warning{a.CaseID, w.Item, w.Level}] = true
			continue
		}
		h.appends = append(h.appends, a)
	}
	return h
}

// MustStore opens an embedded store in memory.
func MustStore(tb testing.TB) *embedded.Store {
	tb.Helper()
	return projectiontest.MustMemStore(tb)
}

// MustViews opens a runner with the watcher's index over dir.
func MustViews(tb testing.TB, store eventstore.Store, dir string) *projections.Runner {
	tb.Helper()
	return projectiontest.MustRunner(tb, store, dir, watcher.Index{})
}

func env() domain.Env {
	return domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: domain.DefaultPolicy()}
}

// clock is a fake clock the test sets before each tick.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// replayer appends the history up to successive instants. Streams get Any:
// the watcher's warnings, interleaved, shift the generated versions.
type replayer struct {
	h     *history
	store eventstore.Store
	next  int
}

func (r *replayer) until(tb testing.TB, t time.Time) {
	tb.Helper()
	for ; r.next < len(r.h.appends) && r.h.appends[r.next].At.Before(t); r.next++ {
		a := r.h.appends[r.next]
		if _, err := r.store.Append(context.Background(), a.Stream, eventstore.Any, a.Events...); err != nil {
			tb.Fatal(err)
		}
	}
}

// ticks are 08:30 China time on every working day of the history's window,
// when the generator's watcher looks; it stops with the window.
func (h *history) ticks() []time.Time {
	cal := workday.Default()
	var out []time.Time
	for d := h.from; d.Before(h.to); d = d.AddDays(1) {
		if cal.IsWorkingDay(d) {
			out = append(out, time.Date(d.Year, d.Month, d.Day, 8, 30, 0, 0, china))
		}
	}
	return out
}

// warnings reads every WarningRaised from the store, counting each
// (case, item, level).
func warnings(tb testing.TB, store eventstore.Store) map[warning]int {
	tb.Helper()
	recs, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{
		Filter: eventstore.Filter{Types: []string{(*domain.WarningRaised)(nil).Type()}}})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[warning]int{}
	for _, r := range recs {
		ev, err := domain.DecodeRecorded(r)
		if err != nil {
			tb.Fatal(err)
		}
		w := ev.(*domain.WarningRaised)
		out[warning{strings.TrimPrefix(r.Stream, "case-"), w.Item, w.Level}]++
	}
	return out
}
