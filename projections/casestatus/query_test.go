package casestatus_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/google/uuid"
)

const caseID = "0b0e5b1a-3f43-4c4f-9d4e-6f0a3e5a7c11"

// meta stamps a hand-made event of the case as taking effect on day.
func meta(day workday.Date) domain.EventMeta {
	return domain.EventMeta{ID: uuid.New(), CaseID: caseID, CommandID: uuid.NewString(),
		Actor: domain.Actor{Role: domain.RoleSystem}, OccurredAt: day.Start().Add(10 * time.Hour)}
}

func mustAppend(tb testing.TB, store eventstore.Store, evs ...domain.Event) uint64 {
	tb.Helper()
	return projectiontest.MustAppendEvents(tb, store, caseID, evs...)
}

func intp(n int) *int { return &n }

func TestRemainingDaysAndNextActions(t *testing.T) {
	day := func(d int) workday.Date { return workday.NewDate(2026, 3, d) }
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

	accepted := mustAppend(t, store,
		&domain.CaseSubmitted{EventMeta: meta(day(2)), Region: "440300", Bundle: catalogue.Bundle{Code: "b", Items: []catalogue.Item{
			{Code: "a", Department: "police"}, {Code: "b", Department: "health"}}}},
		&domain.CaseAccepted{EventMeta: meta(day(3)), AcceptedOn: day(3), PromisedDue: day(24),
			Tolerance: &domain.Tolerance{Missing: []string{"m1"}, DueBy: day(20)}},
		&domain.ItemDispatched{EventMeta: meta(day(3)), Item: "a", Department: "police", Due: day(16)},
		&domain.ItemDispatched{EventMeta: meta(day(3)), Item: "b", Department: "health", Due: day(18)},
		&domain.ItemAccepted{EventMeta: meta(day(4)), Item: "a"},
		&domain.ItemSuspended{EventMeta: meta(day(5)), Item: "a", Reason: "site check"},
	)
	completed := mustAppend(t, store,
		&domain.ItemResumed{EventMeta: meta(day(10)), Item: "a", Due: day(19)},
		&domain.ItemDecided{EventMeta: meta(day(12)), Item: "a", Outcome: domain.Approved},
		&domain.ItemDecided{EventMeta: meta(day(13)), Item: "b", Outcome: domain.Denied, LegalBasis: "x"},
		&domain.BundleCompleted{EventMeta: meta(day(13))},
	)
	rated := mustAppend(t, store,
		&domain.ToleranceMaterialsReceived{EventMeta: meta(day(16)), Materials: []string{"m1"}},
		&domain.CaseRated{EventMeta: meta(day(17)), Label: domain.Satisfied, Channel: domain.ChannelWeb},
	)

	live, err := casestatus.Get(context.Background(), r, caseID, rated, day(18), workday.Default())
	if err != nil {
		t.Fatal(err)
	}
	if live.Status != domain.StatusCompleted || len(live.Next) != 0 || live.Position != rated {
		t.Errorf("live status = %s at %d, next %v; want completed at %d, nothing to do", live.Status, live.Position, live.Next, rated)
	}

	tests := []struct {
		name          string
		at            uint64
		today         workday.Date
		wantStatus    domain.Status
		wantRemaining []*int
		wantNext      []casestatus.ActionKind
	}{
		// a is suspended since 03-05: its days are counted up to the pause
		// (03-06, 09..13, 16 = 7); b runs: 03-10..13, 16..18 = 7.
		{"one item paused, one running", accepted, day(9), domain.StatusAccepted, []*int{intp(7), intp(7)},
			[]casestatus.ActionKind{casestatus.ActionSupplyTolerance}},
		// b is two working days past its due date.
		{"overdue item", accepted, day(20), domain.StatusAccepted, []*int{intp(7), intp(-2)},
			[]casestatus.ActionKind{casestatus.ActionSupplyTolerance}},
		{"completed, materials still owed, not rated", completed, day(16), domain.StatusCompleted, []*int{nil, nil},
			[]casestatus.ActionKind{casestatus.ActionSupplyTolerance, casestatus.ActionRate}},
		{"completed, supplied and rated", rated, day(18), domain.StatusCompleted, []*int{nil, nil}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := projections.Replay(context.Background(), store, casestatus.Projection{},
				filepath.Join(t.TempDir(), "copy"), projections.ReplayOptions{UpTo: tt.at})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var got casestatus.Status
			var found bool
			err = c.Read(func(v *projections.View) (err error) {
				got, found, err = casestatus.Load(v, caseID, tt.today, workday.Default())
				return err
			})
			if err != nil || !found {
				t.Fatalf("Load = %v, found %v", err, found)
			}
			if got.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", got.Status, tt.wantStatus)
			}
			if !slices.EqualFunc(got.Remaining, tt.wantRemaining, func(a, b *int) bool {
				return (a == nil) == (b == nil) && (a == nil || *a == *b)
			}) {
				t.Errorf("remaining = %v, want %v", deref(got.Remaining), deref(tt.wantRemaining))
			}
			var kinds []casestatus.ActionKind
			for _, a := range got.Next {
				kinds = append(kinds, a.Kind)
			}
			if !slices.Equal(kinds, tt.wantNext) {
				t.Errorf("next = %v, want %v", kinds, tt.wantNext)
			}
		})
	}
}

func deref(xs []*int) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		if x != nil {
			out[i] = *x
		}
	}
	return out
}
