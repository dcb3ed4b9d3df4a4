package metrics_test

import (
	"context"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/metrics"
	"github.com/caseledger/caseledger/projections/projectiontest"
)

func historyCases() int {
	if testing.Short() {
		return 60
	}
	return 200
}

// MustAppends generates a history of cases cases. Few catalogue items may
// be extended, so extensions are made likely enough to show in a small
// history.
func MustAppends(tb testing.TB, cases int) []casegen.Append {
	tb.Helper()
	return generated.Get(tb, cases, generateAppends)
}

var generated projectiontest.Memo[int, []casegen.Append]

func generateAppends(tb testing.TB, cases int) []casegen.Append {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	cfg.Rates.Extension = 0.9
	return projectiontest.MustGenerate(tb, cfg)
}

// MustStore opens an embedded store in memory.
func MustStore(tb testing.TB) *embedded.Store {
	tb.Helper()
	return projectiontest.MustMemStore(tb)
}

// MustAppend appends as and returns the last position.
func MustAppend(tb testing.TB, store eventstore.Store, as []casegen.Append) uint64 {
	tb.Helper()
	return projectiontest.MustAppend(tb, store, as)
}

func MustViews(tb testing.TB, store eventstore.Store, dir string) *projections.Runner {
	tb.Helper()
	return projectiontest.MustRunner(tb, store, dir, metrics.Projection{})
}

// facts is the oracle's version of a cell: raw durations instead of
// histograms, so percentiles are computed by sorting.
type facts struct {
	cases        map[domain.Status]int
	supplemented int
	caseCycles   []int
	ratings      map[domain.RatingLabel]int
	items        map[domain.Outcome]int
	itemCycles   []int
	onTime       int
	extended     int
	paused       int
	delay        int
}

func inc[K comparable](m *map[K]int, k K, n int) {
	if *m == nil {
		*m = map[K]int{}
	}
	(*m)[k] += n
	if (*m)[k] == 0 {
		delete(*m, k)
	}
}

// oracle recomputes every cell by folding each case with domain.Evolve and
// watching its state change event by event.
func oracle(tb testing.TB, store eventstore.Store) map[metrics.Key]*facts {
	tb.Helper()
	cal := workday.Default()
	recs, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[metrics.Key]*facts{}
	at := func(k metrics.Key) *facts {
		if out[k] == nil {
			out[k] = &facts{}
		}
		return out[k]
	}
	states := map[string]domain.State{}
	ratingMonth := map[string]string{}
	for _, r := range recs {
		ev, err := domain.DecodeRecorded(r)
		if err != nil {
			tb.Fatal(err)
		}
		caseID := strings.TrimPrefix(r.Stream, "case-")
		prev := states[caseID]
		next := domain.Evolve(prev, ev)
		states[caseID] = next
		on := workday.DateOf(ev.Meta().OccurredAt)
		m := on.String()[:7]
		ck := metrics.Key{Month: m, Bundle: next.Bundle.Code, Region: next.Region}
		ended := func(s domain.Status) bool {
			return s != domain.StatusNone && s != domain.StatusSubmitted && s != domain.StatusAccepted
		}
		if !ended(prev.Status) && ended(next.Status) {
			f := at(ck)
			inc(&f.cases, next.Status, 1)
			if next.Supplement.Requested {
				f.supplemented++
			}
			if next.Status == domain.StatusCompleted {
				f.caseCycles = append(f.caseCycles, cal.WorkingDaysBetween(next.SubmittedAt, on))
			}
		}
		if !next.Acceptance.On.IsZero() {
			for i := range next.Items {
				p, n := &prev.Items[i], &next.Items[i]
				outcome := domain.Outcome("")
				switch {
				case !p.Settled() && n.Settled():
					outcome = n.Outcome
				case n.Settled():
				case prev.Status != domain.StatusTerminated && next.Status == domain.StatusTerminated:
					outcome = metrics.OutcomeTerminated
				case ev.Type() == "BundleCompleted":
					outcome = domain.Unreachable
				}
				if outcome == "" {
					continue
				}
				ik := ck
				ik.Department, ik.Item = n.Department, n.Code
				f := at(ik)
				inc(&f.items, outcome, 1)
				if n.Status != domain.ItemConcluded {
					continue
				}
				f.itemCycles = append(f.itemCycles, cal.WorkingDaysBetween(n.DispatchedOn, on))
				if on.After(n.Due) {
					f.delay += cal.WorkingDaysBetween(n.Due, on)
				} else {
					f.onTime++
				}
				if n.Extension.Value > 0 {
					f.extended++
				}
				for _, pa := range n.Pauses {
					f.paused += cal.WorkingDaysBetween(pa.From, pa.To)
				}
			}
		}
		if !prev.Rating.Rated && next.Rating.Rated {
			ratingMonth[caseID] = m
			inc(&at(ck).ratings, next.Rating.Label, 1)
		}
		if !prev.Rating.Upheld && next.Rating.Upheld {
			rk := ck
			rk.Month = ratingMonth[caseID]
			inc(&at(rk).ratings, next.Rating.Label, -1)
		}
	}
	return out
}
