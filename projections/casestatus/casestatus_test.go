package casestatus_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
	"github.com/caseledger/caseledger/projections/projectiontest"
)

// MustHistory appends a generated history and returns its case IDs and the
// head.
func MustHistory(tb testing.TB, store eventstore.Store, cases int) ([]string, uint64) {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	appends := projectiontest.MustGenerate(tb, cfg)
	return projectiontest.CaseIDs(appends), projectiontest.MustAppend(tb, store, appends)
}

// replayCase folds a case's events with the domain's own Evolve: the oracle.
func replayCase(tb testing.TB, store eventstore.Store, caseID string) domain.State {
	tb.Helper()
	_, _, st := projectiontest.MustReadCase(tb, store, caseID)
	return st
}

// intakeCentre is the unit of the first window officer in the case's
// intake events, read straight from the log.
func intakeCentre(tb testing.TB, store eventstore.Store, caseID string) string {
	tb.Helper()
	recs, err := store.ReadStream(context.Background(), "case-"+caseID, eventstore.ReadStreamOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range recs {
		ev, err := domain.Decode(r.Type, r.Data, r.Metadata)
		if err != nil {
			tb.Fatal(err)
		}
		switch ev.(type) {
		case *domain.CaseSubmitted, *domain.CaseRefused, *domain.CaseAccepted, *domain.SupplementRequested:
			if a := ev.Meta().Actor; a.Role == domain.RoleWindow {
				return a.Unit
			}
		}
	}
	return ""
}

func TestStatusAgreesWithTheDomainFold(t *testing.T) {
	cases := 150
	if testing.Short() {
		cases = 50
	}
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ids, head := MustHistory(t, store, cases)
	r, err := projections.Open(store, t.TempDir(), projections.Options{}, casestatus.Projection{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cal := workday.Default()
	today := workday.NewDate(2026, 7, 1)
	seen := map[string]bool{}
	var largest, sum int
	for _, id := range ids {
		got, err := casestatus.Get(ctx, r, id, head, today, cal)
		if err != nil {
			t.Fatal(err)
		}
		want := replayCase(t, store, id)
		checkCase(t, id, got, want)
		if want := intakeCentre(t, store, id); got.Centre != want {
			t.Errorf("case %s: centre %q, want %q", id, got.Centre, want)
		}
		if got.Centre != "" {
			seen["centre"] = true
		}
		if got.Agent != "" {
			seen["agent"] = true
		}
		seen[string(got.Status)] = true
		for _, a := range got.Next {
			seen[string(a.Kind)] = true
		}
		for _, it := range got.Items {
			if it.Pause != "" {
				seen["paused"] = true
			}
		}
		if len(got.Deliveries) > 0 {
			seen["delivered"] = true
		}
		var stored int
		err = r.Read(ctx, casestatus.Name, head, func(v *projections.View) error {
			b, _, err := v.Get([]byte("case/" + id))
			stored = len(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		largest, sum = max(largest, stored), sum+stored
	}
	// The history must have exercised the interesting paths, or the
	// comparison above proves little.
	for _, want := range []string{"accepted", "completed", "refused", "rate", "delivered", "centre", "agent"} {
		if !seen[want] {
			t.Errorf("no case in the history shows %q; got %v", want, seen)
		}
	}
	if largest > 1536 {
		t.Errorf("largest stored status is %d bytes, want at most 1.5 KB", largest)
	}
	t.Logf("%d cases, %d events, stored status: mean %d bytes, largest %d; seen %v", len(ids), head, sum/len(ids), largest, seen)
}

func checkCase(t *testing.T, id string, got casestatus.Status, want domain.State) {
	t.Helper()
	if got.Status != want.Status || got.Version != want.Version || got.Bundle != want.Bundle.Code {
		t.Errorf("case %s: status %s v%d bundle %s, want %s v%d bundle %s", id,
			got.Status, got.Version, got.Bundle, want.Status, want.Version, want.Bundle.Code)
	}
	var wantAgent domain.SubjectRef
	if want.Agent != nil {
		wantAgent = want.Agent.Ref
	}
	if got.Applicant != want.Applicant.Ref || got.Agent != wantAgent || got.Region != want.Region {
		t.Errorf("case %s: applicant %q agent %q region %q, want %q %q %q", id,
			got.Applicant, got.Agent, got.Region, want.Applicant.Ref, wantAgent, want.Region)
	}
	if got.PromisedDue != want.Acceptance.PromisedDue {
		t.Errorf("case %s: promised due %s, want %s", id, got.PromisedDue, want.Acceptance.PromisedDue)
	}
	if open := got.Supplement != nil; open != want.Supplement.Open {
		t.Errorf("case %s: supplement open %v, want %v", id, open, want.Supplement.Open)
	}
	if tol := want.Acceptance.Tolerance; tol != nil && !slices.Equal(got.ToleranceMissing, tol.Missing) {
		t.Errorf("case %s: tolerance missing %v, want %v", id, got.ToleranceMissing, tol.Missing)
	}
	if len(got.Items) != len(want.Items) {
		t.Fatalf("case %s: %d items, want %d", id, len(got.Items), len(want.Items))
	}
	for i, it := range got.Items {
		w := want.Items[i]
		if it.Code != w.Code || it.Department != w.Department || it.Status != w.Status ||
			it.Outcome != w.Outcome || it.Due != w.Due || (it.Pause != "") != w.Paused() {
			t.Errorf("case %s item %d: %+v, want %s/%s %s %s due %s paused %v", id, i, it,
				w.Code, w.Department, w.Status, w.Outcome, w.Due, w.Paused())
		}
		if (it.Certificate != "") != (w.Certificate != nil) {
			t.Errorf("case %s item %s: certificate %q, want present %v", id, it.Code, it.Certificate, w.Certificate != nil)
		}
		running := it.Status == domain.ItemSent || it.Status == domain.ItemInProgress
		if hasRemaining := got.Remaining[i] != nil; hasRemaining != (running && !it.Due.IsZero()) {
			t.Errorf("case %s item %s: remaining %v for a %s item due %s", id, it.Code, got.Remaining[i], it.Status, it.Due)
		}
	}
	var delivered []string
	for _, d := range got.Deliveries {
		for _, code := range d.Items {
			if !slices.Contains(delivered, code) {
				delivered = append(delivered, code)
			}
		}
	}
	if !slices.Equal(delivered, want.Delivered) {
		t.Errorf("case %s: delivered %v, want %v", id, delivered, want.Delivered)
	}
	wantRate := !want.Rating.Rated && (want.Status == domain.StatusCompleted || want.Status == domain.StatusRefused)
	if gotRate := slices.ContainsFunc(got.Next, func(a casestatus.Action) bool { return a.Kind == casestatus.ActionRate }); gotRate != wantRate {
		t.Errorf("case %s: asks to rate %v, want %v", id, gotRate, wantRate)
	}
}

func TestGetUnknownCaseIsNotFound(t *testing.T) {
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r, err := projections.Open(store, t.TempDir(), projections.Options{}, casestatus.Projection{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = casestatus.Get(context.Background(), r, "no-such-case", 0, workday.NewDate(2026, 1, 5), workday.Default())
	if got, want := domain.ErrorCode(err), domain.CodeNotFound; got != want {
		t.Errorf("Get of an unknown case: code %q (%v), want %q", got, err, want)
	}
}
