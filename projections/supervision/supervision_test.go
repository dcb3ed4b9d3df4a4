package supervision_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/supervision"
)

// expected computes both lists from the domain's own fold of every case: the
// oracle the projection is checked against.
func expected(tb testing.TB, store eventstore.Store, ids []string, cut uint64) (warnings, dubans map[string]string) {
	tb.Helper()
	warnings, dubans = map[string]string{}, map[string]string{}
	for _, id := range ids {
		recs, err := store.ReadStream(context.Background(), "case-"+id, eventstore.ReadStreamOptions{})
		if err != nil {
			tb.Fatal(err)
		}
		var evs []domain.Event
		for _, r := range recs {
			if r.Position > cut {
				break
			}
			ev, err := domain.Decode(r.Type, r.Data, r.Metadata)
			if err != nil {
				tb.Fatal(err)
			}
			evs = append(evs, ev)
		}
		if len(evs) == 0 {
			continue
		}
		s := domain.Replay(evs)
		for _, it := range s.Items {
			if s.Status != domain.StatusAccepted || it.Settled() || len(it.Warnings) == 0 {
				continue
			}
			level := domain.WarningYellow
			if slices.Contains(it.Warnings, domain.WarningOverdue) {
				level = domain.WarningOverdue
			}
			warnings[fmt.Sprintf("%s %s %s %s", s.Region, it.Department, id, it.Code)] = string(level)
		}
		for _, d := range s.Dubans {
			if !d.Closed {
				dubans[fmt.Sprintf("%s %s %s", s.Region, id, d.ID)] = d.Item
			}
		}
	}
	return warnings, dubans
}

func TestListsAgreeWithTheDomainFold(t *testing.T) {
	cfg := casegen.DefaultConfig()
	cfg.Cases = 120
	if testing.Short() {
		cfg.Cases = 80
	}
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	g, err := casegen.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var head uint64
	for a := range g.All() {
		if a.Expected == eventstore.NoStream {
			ids = append(ids, a.CaseID)
		}
		res, err := store.Append(context.Background(), a.Stream, a.Expected, a.Events...)
		if err != nil {
			t.Fatal(err)
		}
		head = res.LastPosition
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	r, err := projections.Open(store, t.TempDir(), projections.Options{}, supervision.Projection{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The lists as of several moments of the history (replayed copies), and
	// as of now (the runner): at the end most cases are settled.
	var sawWarnings, sawDubans bool
	for _, cut := range cuts(t, store, head) {
		c, err := projections.Replay(ctx, store, supervision.Projection{}, filepath.Join(t.TempDir(), "copy"), projections.ReplayOptions{UpTo: cut})
		if err != nil {
			t.Fatal(err)
		}
		var gotWarnings, gotDubans map[string]string
		err = c.Read(func(v *projections.View) error {
			gotWarnings, gotDubans = lists(t, v, cfg.Regions)
			return nil
		})
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		wantWarnings, wantDubans := expected(t, store, ids, cut)
		sawWarnings, sawDubans = sawWarnings || len(wantWarnings) > 0, sawDubans || len(wantDubans) > 0
		if !maps.Equal(gotWarnings, wantWarnings) {
			t.Errorf("at %d: warnings: got %d, want %d\ngot  %v\nwant %v", cut, len(gotWarnings), len(wantWarnings), gotWarnings, wantWarnings)
		}
		if !maps.Equal(gotDubans, wantDubans) {
			t.Errorf("at %d: open 督办: got %d, want %d\ngot  %v\nwant %v", cut, len(gotDubans), len(wantDubans), gotDubans, wantDubans)
		}
		if len(wantWarnings) > 0 || len(wantDubans) > 0 {
			t.Logf("at %d of %d: %d warned items, %d open 督办", cut, head, len(wantWarnings), len(wantDubans))
		}
	}
	if !sawWarnings || !sawDubans {
		t.Errorf("the history never had warned items (%v) or open 督办 (%v), want both", sawWarnings, sawDubans)
	}
	var liveWarnings []supervision.Warning
	for _, region := range cfg.Regions {
		ws, err := supervision.Warnings(ctx, r, region, "", head)
		if err != nil {
			t.Fatal(err)
		}
		liveWarnings = append(liveWarnings, ws...)
		if _, err := supervision.OpenDubans(ctx, r, region, head); err != nil {
			t.Fatal(err)
		}
	}
	wantWarnings, _ := expected(t, store, ids, head)
	if len(liveWarnings) != len(wantWarnings) {
		t.Errorf("runner lists %d warnings at the head, want %d", len(liveWarnings), len(wantWarnings))
	}
}

// lists reads both lists of every region, checking the department filter.
func lists(t *testing.T, v *projections.View, regions []string) (warnings, dubans map[string]string) {
	t.Helper()
	warnings, dubans = map[string]string{}, map[string]string{}
	for _, region := range regions {
		ws, err := supervision.ListWarnings(v, region, "")
		if err != nil {
			t.Fatal(err)
		}
		byDept := map[string]int{}
		for _, w := range ws {
			if w.Region != region {
				t.Errorf("warning %+v listed under region %s", w, region)
			}
			warnings[fmt.Sprintf("%s %s %s %s", w.Region, w.Department, w.CaseID, w.Item)] = string(w.Level)
			byDept[w.Department]++
		}
		for dept, n := range byDept {
			ws, err := supervision.ListWarnings(v, region, dept)
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != n || ws[0].Department != dept {
				t.Errorf("region %s department %s: %d warnings, want %d of that department", region, dept, len(ws), n)
			}
		}
		ds, err := supervision.ListOpenDubans(v, region)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			dubans[fmt.Sprintf("%s %s %s", d.Region, d.CaseID, d.ID)] = d.Item
		}
	}
	return warnings, dubans
}

// cuts returns the moments to check: spread over the history, and right
// after some 督办 and warnings, which are short-lived.
func cuts(t *testing.T, store eventstore.Store, head uint64) []uint64 {
	t.Helper()
	var out []uint64
	for i := uint64(1); i <= 10; i++ {
		out = append(out, head*i/10)
	}
	for _, typ := range []string{"DubanIssued", "WarningRaised"} {
		recs, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{Limit: 5, Filter: eventstore.Filter{Types: []string{typ}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			out = append(out, r.Position)
		}
	}
	return out
}
