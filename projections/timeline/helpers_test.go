package timeline_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
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
	"github.com/caseledger/caseledger/projections/timeline"
)

// MustStore opens an embedded store in a temporary directory.
func MustStore(tb testing.TB) eventstore.Store {
	tb.Helper()
	return projectiontest.MustStore(tb)
}

// MustRunner opens a runner with the timeline projection over dir.
func MustRunner(tb testing.TB, store eventstore.Store, dir string) *projections.Runner {
	tb.Helper()
	return projectiontest.MustRunner(tb, store, dir, timeline.Projection{})
}

// MustAppend appends appends in order and returns the IDs of the cases they
// submit and the last position.
func MustAppend(tb testing.TB, store eventstore.Store, appends []casegen.Append) ([]string, uint64) {
	tb.Helper()
	return projectiontest.CaseIDs(appends), projectiontest.MustAppend(tb, store, appends)
}

// MustGenerate returns the appends of a generated history of cases cases,
// with the generator's default rates.
func MustGenerate(tb testing.TB, cases int) []casegen.Append {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	return projectiontest.MustGenerate(tb, cfg)
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
	return projectiontest.MustReadCase(tb, store, caseID)
}

// fixture is a generated history with extra 督办 (the generator closes
// all of its own), its timeline, and every case's domain state.
type fixture struct {
	store  eventstore.Store
	r      *projections.Runner
	ids    []string
	head   uint64
	states []domain.State
}

var (
	fixtureOnce sync.Once
	fixtureDir  string
	theFixture  *fixture
	fixtureErr  error
)

// sharedFixture builds the fixture once for the package's tests, which
// only read it; TestMain removes it.
func sharedFixture(t *testing.T) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { theFixture, fixtureErr = buildFixture(t) })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return theFixture
}

func buildFixture(t *testing.T) (*fixture, error) {
	cases := 400
	if testing.Short() {
		cases = 120
	}
	var err error
	if fixtureDir, err = os.MkdirTemp("", "timeline-test-"); err != nil {
		return nil, err
	}
	store, err := embedded.Open(filepath.Join(fixtureDir, "store"), embedded.Options{})
	if err != nil {
		return nil, err
	}
	f := &fixture{store: store}
	f.ids, f.head = MustAppend(t, store, MustGenerate(t, cases))
	for i, id := range f.ids {
		if i%7 == 0 {
			if pos, ok := issueDuban(t, store, id, i%21 == 0); ok {
				f.head = pos
			}
		}
	}
	if f.r, err = projections.Open(store, filepath.Join(fixtureDir, "views"), projections.Options{}, timeline.Projection{}); err != nil {
		return nil, err
	}
	for _, id := range f.ids {
		_, _, st := readCase(t, store, id)
		f.states = append(f.states, st)
	}
	return f, nil
}

// issueDuban has the domain decide a 督办 on the case, and its closing
// when close is set; ok is false when the domain refuses (a closed case).
func issueDuban(t *testing.T, store eventstore.Store, caseID string, close bool) (uint64, bool) {
	_, _, st := readCase(t, store, caseID)
	sup := domain.Actor{Role: domain.RoleSupervisor, PersonID: "s-test", Region: st.Region}
	env := domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: domain.DefaultPolicy()}
	when := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)
	item := ""
	if len(st.Items) > 1 {
		item = st.Items[1].Code
	}
	cmds := []domain.Command{&domain.IssueDuban{CommandMeta: domain.CommandMeta{ID: "test-duban", CaseID: caseID, Actor: sup, At: when},
		Item: item, Reason: "逾期未办结", Reference: "督办-" + caseID[:8]}}
	var pos uint64
	for i := 0; i < len(cmds); i++ {
		evs, err := domain.Decide(st, cmds[i], env)
		if err != nil {
			return 0, false
		}
		var data []eventstore.EventData
		for _, ev := range evs {
			d, err := domain.EventData(ev)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, d)
			st = domain.Evolve(st, ev)
		}
		res, err := store.Append(context.Background(), "case-"+caseID, eventstore.Exact(uint64(st.Version-len(evs)-1)), data...)
		if err != nil {
			t.Fatal(err)
		}
		pos = res.LastPosition
		if close && i == 0 {
			cmds = append(cmds, &domain.CloseDuban{CommandMeta: domain.CommandMeta{ID: "test-duban-close", CaseID: caseID, Actor: sup,
				At: when.Add(time.Hour)}, DubanID: evs[0].(*domain.DubanIssued).DubanID, Result: "已办结"})
		}
	}
	return pos, true
}

func TestMain(m *testing.M) {
	code := m.Run()
	if theFixture != nil {
		theFixture.r.Close()
		theFixture.store.Close()
	}
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}
