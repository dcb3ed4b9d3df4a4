package timeline_test

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/caseledger/caseledger/projections/timeline"
)

// TestStepsKeepEachActorOfASharedPersonID folds cases whose officers share
// person IDs across roles, units and regions (history is fact: an identity
// provider may reuse them, and the deadline watcher acts in every region),
// and checks every step shows the actor its event recorded, in the cases
// folded in one batch and in a case folded after a restart.
func TestStepsKeepEachActorOfASharedPersonID(t *testing.T) {
	applicant := domain.Actor{Role: domain.RoleApplicant, PersonID: "subj-1"}
	watcherA := domain.Actor{Role: domain.RoleSystem, PersonID: "deadline-watcher", Region: "440300"}
	watcherB := domain.Actor{Role: domain.RoleSystem, PersonID: "deadline-watcher", Region: "110000"}
	market := domain.Actor{Role: domain.RoleDepartment, PersonID: "p-1", Unit: "market", Region: "440300"}
	tax := domain.Actor{Role: domain.RoleDepartment, PersonID: "p-1", Unit: "tax", Region: "440300"}
	window := domain.Actor{Role: domain.RoleWindow, PersonID: "p-1", Unit: "centre-1", Region: "440300"}
	supervisor := domain.Actor{Role: domain.RoleSupervisor, PersonID: "p-1", Region: "440300"}
	tests := []struct {
		name, caseID string
		actors       []domain.Actor
	}{
		{name: "one person ID in four roles and units", caseID: "shared-1", actors: []domain.Actor{window, market, tax, market, supervisor, tax}},
		{name: "the watcher of two regions", caseID: "shared-2", actors: []domain.Actor{watcherA, watcherB, watcherA, watcherB}},
		{name: "a person ID first seen as another officer", caseID: "shared-3", actors: []domain.Actor{tax, window, market, supervisor, window}},
	}
	store := MustStore(t)
	dir := t.TempDir()
	var head uint64
	for _, tt := range tests {
		head = appendNotes(t, store, tt.caseID, append([]domain.Actor{applicant}, tt.actors...))
	}
	r := MustRunner(t, store, dir)
	check := func(t *testing.T, caseID string, actors []domain.Actor) {
		got, err := timeline.Get(testContext(t), r, caseID, head, at(10, 16, 9), workday.Default(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Steps) != len(actors)+1 {
			t.Fatalf("%d steps, want %d", len(got.Steps), len(actors)+1)
		}
		for i, a := range actors {
			if got, want := got.Steps[i+1].Actor, a; got != want {
				t.Errorf("step %d: actor %+v, want %+v", i+1, got, want)
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.caseID, tt.actors) })
	}
	// A restarted runner starts with an empty dictionary cache.
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	late := []domain.Actor{market, watcherB, tax, watcherA, supervisor}
	head = appendNotes(t, store, "shared-4", append([]domain.Actor{applicant}, late...))
	r = MustRunner(t, store, dir)
	for _, tt := range tests {
		t.Run(tt.name+" (after a restart)", func(t *testing.T) { check(t, tt.caseID, tt.actors) })
	}
	t.Run("a case folded after a restart", func(t *testing.T) { check(t, "shared-4", late) })
}

// appendNotes appends a submission by the first actor and a called-back
// note by each of the others to a new case, and returns the last position.
func appendNotes(tb testing.TB, store eventstore.Store, caseID string, actors []domain.Actor) uint64 {
	tb.Helper()
	bundle := catalogue.Bundle{Code: "hand", Items: []catalogue.Item{{Code: "a", Department: "market", Limit: workday.Days(5)}}}
	evs := make([]domain.Event, len(actors))
	for i := range actors {
		evs[i] = &domain.RatingCalledBack{Notes: "回访"}
	}
	evs[0] = &domain.CaseSubmitted{Bundle: bundle, Region: "440300", Channel: domain.ChannelWindow}
	return projectiontest.MustAppendCase(tb, store, caseID, 0, evs,
		func(v int) domain.Actor { return actors[v] }, func(v int) time.Time { return at(9, 26, 10+v) })
}
