package timeline_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/caseledger/caseledger/projections/timeline"
)

// TestKindsOfStepsAndLimits checks the kinds made of two values: a step
// record's "<step>/<action>" and a dispatch's or extension's limit, for the
// domain's values (which the fold takes from tables) and for others that
// history may hold.
func TestKindsOfStepsAndLimits(t *testing.T) {
	const caseID = "kinds-case"
	officer := domain.Actor{Role: domain.RoleDepartment, PersonID: "d-1", Unit: "market", Region: "440300"}
	evs := []domain.Event{&domain.CaseSubmitted{Region: "440300", Channel: domain.ChannelWindow,
		Bundle: catalogue.Bundle{Code: "hand", Items: []catalogue.Item{{Code: "a", Department: "market"}}}}}
	var want []string
	for _, st := range []domain.Step{domain.StepHandle, domain.StepReview, domain.StepApprove, "会签"} {
		for _, a := range []domain.Action{domain.ActionPass, domain.ActionReturn, domain.ActionOther, "转办"} {
			evs = append(evs, &domain.StepRecorded{Item: "a", Step: st, Action: a})
			want = append(want, string(st)+"/"+string(a))
		}
	}
	for _, l := range []workday.Limit{workday.Days(0), workday.Days(5), workday.Natural(120), workday.Natural(121),
		workday.Days(-1), {Value: 3, Unit: "H"}} {
		evs = append(evs, &domain.ItemDispatched{Item: "a", Department: "market", Limit: l},
			&domain.DeadlineExtended{Item: "a", By: l, Reason: "r"})
		want = append(want, fmt.Sprintf("%d%s", l.Value, l.Unit), fmt.Sprintf("%d%s", l.Value, l.Unit))
	}
	store := MustStore(t)
	head := projectiontest.MustAppendCase(t, store, caseID, 0, evs,
		func(int) domain.Actor { return officer }, func(int) time.Time { return at(9, 26, 10) })
	r := MustRunner(t, store, t.TempDir())
	got, err := timeline.Get(testContext(t), r, caseID, head, at(10, 16, 9), workday.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Steps) != len(want)+1 {
		t.Fatalf("%d steps, want %d", len(got.Steps), len(want)+1)
	}
	for i, s := range got.Steps[1:] {
		if s.Kind != want[i] {
			t.Errorf("step %d (%s): kind %q, want %q", i+1, s.Type, s.Kind, want[i])
		}
	}
}
