package dispute_test

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections/dispute"
	"github.com/caseledger/caseledger/projections/projectiontest"
)

// placementCase is a hand-written case of bundle items a (market) and b
// (tax). Item a is dispatched to tax instead, so its department changes;
// the versions of its events are named in the test table.
func placementCase() []domain.Event {
	bundle := catalogue.Bundle{Code: "hand", Items: []catalogue.Item{
		{Code: "a", Department: "market", Limit: workday.Days(5)},
		{Code: "b", Department: "tax", Limit: workday.Days(5)},
		{Code: "c", Department: "health", Limit: workday.Days(5)},
	}}
	due := workday.NewDate(2025, 10, 10)
	return []domain.Event{
		&domain.CaseSubmitted{Bundle: bundle, Region: "440300", Channel: domain.ChannelWindow}, // 0
		&domain.ItemDispatched{Item: "b", Department: "tax", Limit: workday.Days(5), Due: due}, // 1
		&domain.ItemAccepted{Item: "b"}, // 2
		&domain.StepRecorded{Item: "b", Step: domain.StepHandle, Action: domain.ActionPass},    // 3
		&domain.StepRecorded{Item: "b", Step: domain.StepReview, Action: domain.ActionPass},    // 4
		&domain.ItemDispatched{Item: "a", Department: "tax", Limit: workday.Days(5), Due: due}, // 5
		&domain.StepRecorded{Item: "b", Step: domain.StepHandle, Action: domain.ActionReturn},  // 6
		&domain.ItemAccepted{Item: "a"},                          // 7
		&domain.ItemDecided{Item: "b", Outcome: domain.Approved}, // 8
	}
}

// TestComplaintsPlaceTheDisputedStep files one complaint after the case
// above and checks the step it disputes (design 2), with the case's fold
// kept in memory and read back from the stored copy by a reopened runner.
func TestComplaintsPlaceTheDisputedStep(t *testing.T) {
	tests := []struct {
		name              string
		dept, item        string
		step              domain.Step
		want              uint64
		wantFiledDisputed bool
	}{
		{name: "a step of an item is its last such step", dept: "tax", item: "b", step: domain.StepHandle, want: 6},
		{name: "another step of the item", dept: "tax", item: "b", step: domain.StepReview, want: 4},
		{name: "an item is its last event", dept: "tax", item: "a", want: 7},
		{name: "a department is the last event of any of its items", dept: "tax", want: 8},
		{name: "a department an item left keeps the dispatch that moved it", dept: "market", want: 5},
		{name: "a department with no event is the filing", dept: "health", wantFiledDisputed: true},
		{name: "a step never recorded is the filing", dept: "tax", item: "a", step: domain.StepApprove, wantFiledDisputed: true},
		{name: "an unknown item is the filing", dept: "tax", item: "z", wantFiledDisputed: true},
		{name: "an unknown department is the filing", dept: "police", wantFiledDisputed: true},
	}
	for _, reopen := range []bool{false, true} {
		for _, tt := range tests {
			name := tt.name
			if reopen {
				name += " (read back)"
			}
			t.Run(name, func(t *testing.T) {
				store := MustStore(t)
				evs := append(placementCase(), &domain.ComplaintFiled{ComplaintID: "c-1", Department: tt.dept,
					Item: tt.item, Step: tt.step, AnswerBy: workday.NewDate(2025, 11, 1)})
				filed := uint64(len(evs) - 1)
				dir := t.TempDir()
				if reopen {
					head := appendEvents(t, store, evs[:filed], 0)
					first := MustViews(t, store, dir)
					if err := first.WaitFor(t.Context(), dispute.Name, head); err != nil {
						t.Fatal(err)
					}
					if err := first.Close(); err != nil {
						t.Fatal(err)
					}
					evs = evs[filed:]
				}
				head := appendEvents(t, store, evs, int(filed)+1-len(evs))
				got, err := dispute.Find(t.Context(), MustViews(t, store, dir), head, "c-1")
				if err != nil {
					t.Fatal(err)
				}
				want := tt.want
				if tt.wantFiledDisputed {
					want = filed
				}
				if got.Disputed.Version != want || got.Filed.Version != filed {
					t.Errorf("disputed %d, filed %d; want %d, %d", got.Disputed.Version, got.Filed.Version, want, filed)
				}
			})
		}
	}
}

// appendEvents appends evs to the case's stream, the first at version
// from, one a day from 2025-09-26, and returns the last position.
func appendEvents(tb testing.TB, store eventstore.Store, evs []domain.Event, from int) uint64 {
	tb.Helper()
	const caseID = "placement-case"
	officer := domain.Actor{Role: domain.RoleDepartment, PersonID: "d-1", Unit: "tax", Region: "440300"}
	start := time.Date(2025, 9, 26, 10, 0, 0, 0, time.UTC)
	return projectiontest.MustAppendCase(tb, store, caseID, from, evs,
		func(int) domain.Actor { return officer }, func(v int) time.Time { return start.AddDate(0, 0, v) })
}
