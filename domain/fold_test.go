package domain_test

import (
	"reflect"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// generatedCases returns the events of n generated cases, each case's in
// order, and every append (command and the events it decided).
func generatedCases(tb testing.TB, n int) ([][]domain.Event, []casegen.Append) {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = n
	g, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	index := map[string]int{}
	var cases [][]domain.Event
	var appends []casegen.Append
	for a := range g.All() {
		i, ok := index[a.CaseID]
		if !ok {
			i = len(cases)
			index[a.CaseID] = i
			cases = append(cases, nil)
		}
		cases[i] = append(cases[i], a.Decided...)
		appends = append(appends, a)
	}
	if err := g.Err(); err != nil {
		tb.Fatal(err)
	}
	return cases, appends
}

func generatedSize() int {
	if testing.Short() {
		return 40
	}
	return 120
}

// TestFoldingLeavesOtherStatesIntact folds generated cases (pauses that
// close, answered complaints, closed 督办, corrections) while keeping
// states that share parts with the one being folded, and checks that each
// kept state still equals the Replay of its own events: Evolve and Apply
// share what an event does not change, and must never write into it.
func TestFoldingLeavesOtherStatesIntact(t *testing.T) {
	cases, _ := generatedCases(t, generatedSize())
	tests := []struct {
		name string
		// fold folds evs and returns the states it kept, kept[i] being
		// meant to equal the Replay of want[i] events of evs.
		fold func(evs []domain.Event) (kept []domain.State, want []int)
	}{
		{"an Evolve chain, branched at every state", func(evs []domain.Event) ([]domain.State, []int) {
			kept, want := []domain.State{{}}, []int{0}
			for i, ev := range evs {
				kept = append(kept, domain.Evolve(kept[i], ev))
				want = append(want, i+1)
				// A branch from the same state with another event: it
				// must not disturb the state just made from it.
				_ = domain.Evolve(kept[i], evs[(i+1)%len(evs)])
			}
			return kept, want
		}},
		{"Apply to the origin of Evolve results", func(evs []domain.Event) ([]domain.State, []int) {
			var owner domain.State
			var kept []domain.State
			var want []int
			for i, ev := range evs {
				kept = append(kept, domain.Evolve(owner, ev))
				want = append(want, i+1)
				owner.Apply(ev)
			}
			return append(kept, owner), append(want, len(evs))
		}},
		{"Apply to Evolve results, keeping their origins", func(evs []domain.Event) ([]domain.State, []int) {
			var kept []domain.State
			var want []int
			s := domain.State{}
			for i, ev := range evs {
				if i%5 == 0 {
					kept = append(kept, s)
					want = append(want, i)
					s = domain.Evolve(s, ev)
					continue
				}
				s.Apply(ev)
			}
			return append(kept, s), append(want, len(evs))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, evs := range cases {
				kept, want := tt.fold(evs)
				for i, s := range kept {
					if replayed := domain.Replay(evs[:want[i]]); !reflect.DeepEqual(s, replayed) {
						t.Fatalf("case %s: the state after %d of %d events differs from their Replay",
							evs[0].Meta().CaseID, want[i], len(evs))
					}
				}
			}
		})
	}
}

// TestDecideLeavesItsArgumentUnchanged decides every command of a
// generated history on the case's state and checks that the state is as
// it was: Decide folds its events into a fork that shares the state's
// slices.
func TestDecideLeavesItsArgumentUnchanged(t *testing.T) {
	_, appends := generatedCases(t, generatedSize())
	env := domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: casegen.DefaultConfig().Policy}
	events := map[string][]domain.Event{}
	for _, a := range appends {
		prefix := events[a.CaseID]
		s, snapshot := domain.Replay(prefix), domain.Replay(prefix)
		if _, err := domain.Decide(s, a.Command, env); err != nil {
			t.Fatalf("case %s: %T: %v", a.CaseID, a.Command, err)
		}
		if !reflect.DeepEqual(s, snapshot) {
			t.Fatalf("case %s: deciding %T changed the state it was given", a.CaseID, a.Command)
		}
		events[a.CaseID] = append(prefix, a.Decided...)
	}
}

// TestDecideOnAStateBuiltByHand decides every command of a generated
// history again on a copy of the case's state that has only its exported
// fields, as a caller could build it, and expects the same events: what
// folding derives (the bundle's dependency order) is a cache, not input.
func TestDecideOnAStateBuiltByHand(t *testing.T) {
	_, appends := generatedCases(t, generatedSize())
	env := domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: casegen.DefaultConfig().Policy}
	events := map[string][]domain.Event{}
	for _, a := range appends {
		prefix := events[a.CaseID]
		events[a.CaseID] = append(prefix, a.Decided...)
		folded := domain.Replay(prefix)
		var hand domain.State
		from, to := reflect.ValueOf(folded), reflect.ValueOf(&hand).Elem()
		for i := range from.NumField() {
			if from.Type().Field(i).IsExported() {
				to.Field(i).Set(from.Field(i))
			}
		}
		got, err := domain.Decide(hand, a.Command, env)
		if err != nil {
			t.Fatalf("case %s: %T on the hand-built state: %v", a.CaseID, a.Command, err)
		}
		if want := a.Decided; !reflect.DeepEqual(got, want) {
			t.Fatalf("case %s: %T on the hand-built state decided %v, want %v", a.CaseID, a.Command, types(got), types(want))
		}
	}
}
