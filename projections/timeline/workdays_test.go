package timeline_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/caseledger/caseledger/projections/timeline"
)

var china = time.FixedZone("UTC+08:00", 8*60*60)

func at(month time.Month, day, hour int) time.Time {
	return time.Date(2025, month, day, hour, 0, 0, 0, china)
}

// holidayCase is a case across the National Day holiday of 2025 (10-01 to
// 10-08 off; Sunday 09-28 and Saturday 10-11 are make-up working days).
// Item a (market, 5 working days) is dispatched on Friday 09-26, due 10-10,
// stopped by an expert review from 09-30 to 10-10 (due moves to 10-13) and
// decided on 10-15; item b (tax, 2 working days, due 09-29) is decided on
// 09-29.
func holidayCase(tb testing.TB, store eventstore.Store) (string, uint64) {
	tb.Helper()
	const caseID = "holiday-case"
	applicant := domain.Actor{Role: domain.RoleApplicant, PersonID: "subj-1"}
	window := domain.Actor{Role: domain.RoleWindow, PersonID: "w-1", Unit: "centre-1", Region: "440300"}
	system := domain.Actor{Role: domain.RoleSystem, PersonID: "caseledger", Region: "440300"}
	market := domain.Actor{Role: domain.RoleDepartment, PersonID: "d-market-1", Unit: "market", Region: "440300"}
	tax := domain.Actor{Role: domain.RoleDepartment, PersonID: "d-tax-1", Unit: "tax", Region: "440300"}
	bundle := catalogue.Bundle{Code: "hand", Items: []catalogue.Item{
		{Code: "a", Department: "market", Limit: workday.Days(5)},
		{Code: "b", Department: "tax", Limit: workday.Days(2)},
	}}
	steps := []struct {
		actor domain.Actor
		when  time.Time
		ev    domain.Event
	}{
		{applicant, at(9, 26, 10), &domain.CaseSubmitted{Bundle: bundle, Region: "440300", Channel: domain.ChannelWindow}},
		{window, at(9, 26, 11), &domain.CaseAccepted{AcceptanceNumber: "SL-1", AcceptedOn: workday.NewDate(2025, 9, 26),
			PromisedDue: workday.NewDate(2025, 10, 13)}},
		{system, at(9, 26, 11), &domain.ItemDispatched{Item: "a", Department: "market", Limit: workday.Days(5), Due: workday.NewDate(2025, 10, 10)}},
		{system, at(9, 26, 11), &domain.ItemDispatched{Item: "b", Department: "tax", Limit: workday.Days(2), Due: workday.NewDate(2025, 9, 29)}},
		{market, at(9, 29, 9), &domain.ItemAccepted{Item: "a"}},
		{tax, at(9, 29, 10), &domain.ItemAccepted{Item: "b"}},
		{tax, at(9, 29, 16), &domain.ItemDecided{Item: "b", Outcome: domain.Approved, Opinion: "准予许可"}},
		{market, at(9, 30, 10), &domain.SpecialProcedureStarted{Item: "a", Kind: domain.SpecialExpert, Reason: "专家评审"}},
		{market, at(10, 10, 10), &domain.SpecialProcedureEnded{Item: "a", Result: "通过", Due: workday.NewDate(2025, 10, 13)}},
		{market, at(10, 15, 11), &domain.ItemDecided{Item: "a", Outcome: domain.Approved, Opinion: "准予许可"}},
		{system, at(10, 15, 11), &domain.BundleCompleted{}},
	}
	evs := make([]domain.Event, len(steps))
	for i, s := range steps {
		evs[i] = s.ev
	}
	head := projectiontest.MustAppendCase(tb, store, caseID, 0, evs,
		func(v int) domain.Actor { return steps[v].actor }, func(v int) time.Time { return steps[v].when })
	return caseID, head
}

func TestWorkingDaysAcrossAHoliday(t *testing.T) {
	store := MustStore(t)
	caseID, head := holidayCase(t, store)
	r := MustRunner(t, store, t.TempDir())
	cal := workday.Default()
	// The hand-written due dates are the domain's.
	pauses := []workday.Pause{{From: workday.NewDate(2025, 9, 30), To: workday.NewDate(2025, 10, 10)}}
	if due, _ := cal.DueDate(workday.NewDate(2025, 9, 26), workday.Days(5), pauses, workday.Limit{}); due != workday.NewDate(2025, 10, 13) {
		t.Fatalf("a is due %s after its review, not 2025-10-13 as the case says", due)
	}
	got, err := timeline.Get(testContext(t), r, caseID, head, at(10, 16, 9), cal, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Working days since the previous step: 09-28 (make-up) and 09-29; 09-30;
	// 10-09 and 10-10 after the holiday; 10-11 (make-up), 10-13 to 10-15.
	wantSteps := []int{0, 0, 0, 0, 2, 0, 0, 1, 2, 4, 0}
	if len(got.Steps) != len(wantSteps) {
		t.Fatalf("%d steps, want %d", len(got.Steps), len(wantSteps))
	}
	for i, s := range got.Steps {
		if s.WorkingDays != wantSteps[i] {
			t.Errorf("step %d (%s on %s): %d working days, want %d", i, s.Type, workday.DateOf(s.OccurredAt), s.WorkingDays, wantSteps[i])
		}
	}
	// a ran (09-26, 10-15]: 9 working days, 2 of them (10-09, 10-10) in the
	// review; decided two working days after its moved due date 10-13.
	// b ran 09-28 and 09-29 and was decided on its due day.
	wantItems := []struct {
		code         string
		ran, paused  int
		state        workday.State
		left         int
		pauses       int
		settled, due workday.Date
		status       domain.ItemStatus
	}{
		{"a", 7, 2, workday.Overdue, -2, 1, workday.NewDate(2025, 10, 15), workday.NewDate(2025, 10, 13), domain.ItemConcluded},
		{"b", 2, 0, workday.OnTime, 0, 0, workday.NewDate(2025, 9, 29), workday.NewDate(2025, 9, 29), domain.ItemConcluded},
	}
	for i, w := range wantItems {
		it := got.Items[i]
		if it.Code != w.code || it.WorkingDays != w.ran || it.PausedDays != w.paused || it.State != w.state ||
			it.DaysLeft != w.left || len(it.Pauses) != w.pauses || it.SettledOn != w.settled || it.Due != w.due || it.Status != w.status {
			t.Errorf("item %d: %+v, want %+v", i, it, w)
		}
	}
	if p := got.Items[0].Pauses[0]; p != (timeline.Pause{From: workday.NewDate(2025, 9, 30), To: workday.NewDate(2025, 10, 10), Kind: string(domain.SpecialExpert)}) {
		t.Errorf("pause of a: %+v", p)
	}
	wantDepts := []timeline.DepartmentTime{{Department: "market", Items: 1, WorkingDays: 7, PausedDays: 2},
		{Department: "tax", Items: 1, WorkingDays: 2}}
	if !slices.Equal(got.Departments, wantDepts) {
		t.Errorf("departments %+v, want %+v", got.Departments, wantDepts)
	}
}

func TestItemStateAtDifferentInstants(t *testing.T) {
	store := MustStore(t)
	caseID, head := holidayCase(t, store)
	r := MustRunner(t, store, t.TempDir())
	cal := workday.Default()
	tests := []struct {
		name         string
		at           time.Time
		status       domain.ItemStatus
		state        workday.State
		left         int
		paused       bool
		ran, stopped int
	}{
		{"before submission", at(9, 26, 9), domain.ItemWaiting, "", 0, false, 0, 0},
		// Due 10-10: 3 of 5 working days left, 40% used.
		{"running before the holiday", at(9, 29, 12), domain.ItemInProgress, workday.OnTime, 3, false, 2, 0},
		// The clock stopped on 09-30 with 2 days left; the holiday is not
		// counted either way.
		{"paused over the holiday", at(10, 5, 12), domain.ItemInProgress, workday.OnTime, 2, true, 3, 0},
		// Resumed 10-10, due 10-13: one working day left warns.
		{"resumed, one day left", at(10, 11, 12), domain.ItemInProgress, workday.Warning, 1, false, 4, 2},
		{"running past the due date", at(10, 14, 12), domain.ItemInProgress, workday.Overdue, -1, false, 6, 2},
		{"decided late", at(10, 20, 12), domain.ItemConcluded, workday.Overdue, -2, false, 7, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := timeline.Get(testContext(t), r, caseID, head, tt.at, cal, nil)
			if err != nil {
				t.Fatal(err)
			}
			a := got.Items[0]
			if a.Status != tt.status || a.State != tt.state || a.DaysLeft != tt.left || a.Paused != tt.paused ||
				a.WorkingDays != tt.ran || a.PausedDays != tt.stopped {
				t.Errorf("item a: %s %s left %d paused %v ran %d stopped %d, want %s %s left %d paused %v ran %d stopped %d",
					a.Status, a.State, a.DaysLeft, a.Paused, a.WorkingDays, a.PausedDays,
					tt.status, tt.state, tt.left, tt.paused, tt.ran, tt.stopped)
			}
		})
	}
}

func TestGivenPolicyDecidesTheWarning(t *testing.T) {
	store := MustStore(t)
	caseID, head := holidayCase(t, store)
	r := MustRunner(t, store, t.TempDir())
	// On 09-29, 2 of a's 5 working days are used: 40%.
	tests := []struct {
		policy workday.WarningPolicy
		want   workday.State
	}{
		{workday.WarningPolicy{ShareUsed: 0.4}, workday.Warning},
		{workday.WarningPolicy{ShareUsed: 0.5}, workday.OnTime},
		{workday.WarningPolicy{DaysLeft: 3}, workday.Warning},
	}
	for _, tt := range tests {
		got, err := timeline.Get(testContext(t), r, caseID, head, at(9, 29, 12), workday.Default(), &tt.policy)
		if err != nil {
			t.Fatal(err)
		}
		if got.Items[0].State != tt.want {
			t.Errorf("policy %+v: %s, want %s", tt.policy, got.Items[0].State, tt.want)
		}
	}
}

func TestGetUnknownCaseIsNotFound(t *testing.T) {
	store := MustStore(t)
	r := MustRunner(t, store, t.TempDir())
	_, err := timeline.Get(context.Background(), r, "no-such-case", 0, time.Now(), workday.Default(), nil)
	if got, want := domain.ErrorCode(err), domain.CodeNotFound; got != want {
		t.Errorf("Get of an unknown case: code %q (%v), want %q", got, err, want)
	}
}
