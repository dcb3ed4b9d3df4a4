package timeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/timeline"
)

// MustStore opens an embedded store in a temporary directory.
func MustStore(tb testing.TB) eventstore.Store {
	tb.Helper()
	store, err := embedded.Open(tb.TempDir(), embedded.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

// MustRunner opens a runner with the timeline projection over dir.
func MustRunner(tb testing.TB, store eventstore.Store, dir string) *projections.Runner {
	tb.Helper()
	r, err := projections.Open(store, dir, projections.Options{}, timeline.Projection{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// MustAppend appends appends in order and returns the IDs of the cases they
// submit and the last position.
func MustAppend(tb testing.TB, store eventstore.Store, appends []casegen.Append) ([]string, uint64) {
	tb.Helper()
	var ids []string
	var head uint64
	for _, a := range appends {
		if a.Expected == eventstore.NoStream {
			ids = append(ids, a.CaseID)
		}
		res, err := store.Append(context.Background(), a.Stream, a.Expected, a.Events...)
		if err != nil {
			tb.Fatal(err)
		}
		head = res.LastPosition
	}
	return ids, head
}

// MustGenerate returns the appends of a generated history of cases cases.
func MustGenerate(tb testing.TB, cases int) []casegen.Append {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	g, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var out []casegen.Append
	for a := range g.All() {
		out = append(out, a)
	}
	if err := g.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// MustHistory appends a generated history and returns its case IDs and the
// head.
func MustHistory(tb testing.TB, store eventstore.Store, cases int) ([]string, uint64) {
	tb.Helper()
	return MustAppend(tb, store, MustGenerate(tb, cases))
}

// readCase returns a case's recorded events and the domain's own fold of
// them: the oracle.
func readCase(tb testing.TB, store eventstore.Store, caseID string) ([]eventstore.RecordedEvent, []domain.Event, domain.State) {
	tb.Helper()
	recs, err := store.ReadStream(context.Background(), "case-"+caseID, eventstore.ReadStreamOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	evs := make([]domain.Event, len(recs))
	for i, r := range recs {
		if evs[i], err = domain.Decode(r.Type, r.Data, r.Metadata); err != nil {
			tb.Fatal(err)
		}
	}
	return recs, evs, domain.Replay(evs)
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}
