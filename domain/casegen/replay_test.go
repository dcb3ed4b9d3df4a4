package casegen_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
)

// MustGenerator returns a generator of cfg, failing the test on an error.
func MustGenerator(tb testing.TB, cfg casegen.Config) *casegen.Generator {
	tb.Helper()
	g, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// config is the default configuration with n cases.
func config(n int) casegen.Config {
	cfg := casegen.DefaultConfig()
	cfg.Cases = n
	return cfg
}

// env is what the generator decides with by default.
func env() domain.Env {
	return domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: casegen.DefaultConfig().Policy}
}

// TestHistoryReplays checks every append against the decider on its own:
// the command decided again on the case's state, folded from the decoded
// events of the earlier appends, gives byte-identical events; the expected
// version is the case's version; and appends come in time order.
func TestHistoryReplays(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 300
	}
	e := env()
	g := MustGenerator(t, config(n))
	states := map[string]domain.State{}
	var last time.Time
	appends := 0
	for a := range g.All() {
		appends++
		s := states[a.CaseID]
		if a.Stream != "case-"+a.CaseID {
			t.Fatalf("append %d: stream %q for case %s", appends, a.Stream, a.CaseID)
		}
		want := eventstore.NoStream
		if s.Version > 0 {
			want = eventstore.Exact(uint64(s.Version - 1))
		}
		if got := a.Expected; got != want {
			t.Fatalf("append %d (%T): expected version %v, want %v", appends, a.Command, got, want)
		}
		if a.At.Before(last) {
			t.Fatalf("append %d at %s comes after one at %s", appends, a.At, last)
		}
		last = a.At
		evs, err := domain.Decide(s, a.Command, e)
		if err != nil {
			t.Fatalf("append %d: case %s: deciding %T again: %v", appends, a.CaseID, a.Command, err)
		}
		if got, want := len(a.Events), len(evs); got != want {
			t.Fatalf("append %d (%T): %d events, deciding again gives %d", appends, a.Command, got, want)
		}
		for i, ev := range evs {
			redo, err := domain.EventData(ev)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Events[i]; got.ID != redo.ID || got.Type != redo.Type ||
				!bytes.Equal(got.Data, redo.Data) || !bytes.Equal(got.Metadata, redo.Metadata) {
				t.Fatalf("append %d event %d: generated\n%s %s %s\ndecided again\n%s %s %s",
					appends, i, got.Type, got.Data, got.Metadata, redo.Type, redo.Data, redo.Metadata)
			}
			stored, err := domain.Decode(a.Events[i].Type, a.Events[i].Data, a.Events[i].Metadata)
			if err != nil {
				t.Fatalf("append %d event %d: decode: %v", appends, i, err)
			}
			if got := stored.Meta().OccurredAt; !got.Equal(a.At) {
				t.Fatalf("append %d event %d occurred at %s, append at %s", appends, i, got, a.At)
			}
			s = domain.Evolve(s, stored)
		}
		states[a.CaseID] = s
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	if got := len(states); got != n {
		t.Errorf("%d cases in the history, want %d", got, n)
	}
	if appends == 0 {
		t.Fatal("no appends")
	}
}
