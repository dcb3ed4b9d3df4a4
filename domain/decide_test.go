package domain_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"testing"

	"github.com/caseledger/caseledger/domain"
)

// TestEveryCommandIsSpecified reads the use-case table (usecases.go) and
// checks that the Given/When/Then tables accept and refuse every command.
func TestEveryCommandIsSpecified(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "usecases.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var commands []string
	ast.Inspect(f, func(n ast.Node) bool {
		if cc, ok := n.(*ast.CaseClause); ok {
			for _, e := range cc.List {
				if star, ok := e.(*ast.StarExpr); ok {
					commands = append(commands, "*domain."+star.X.(*ast.Ident).Name)
				}
			}
		}
		return true
	})
	if len(commands) < 30 {
		t.Fatalf("found %d commands in usecases.go, want the whole table", len(commands))
	}
	accepted, refused := map[string]bool{}, map[string]bool{}
	for _, tables := range [][]gwt{intakeCases(), itemCases(), lifecycleCases(), ratingCases(), supervisionCases()} {
		for _, tc := range tables {
			name := fmt.Sprintf("%T", tc.when)
			if tc.code == "" {
				accepted[name] = true
			} else {
				refused[name] = true
			}
		}
	}
	for _, c := range commands {
		if !accepted[c] || !refused[c] {
			t.Errorf("%s: accepted in a table %v, refused in a table %v; want both", c, accepted[c], refused[c])
		}
	}
}

func TestDecideRetriedCommandRecordsNothing(t *testing.T) {
	env := MustEnv(t)
	s := domain.Replay(MustRun(t, env, started()...))
	cmd := step(health, 1, domain.ActionPass)
	first, err := domain.Decide(s, cmd, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range first {
		s = domain.Evolve(s, ev)
	}
	again, err := domain.Decide(s, cmd, env)
	if err != nil || len(again) != 0 {
		t.Fatalf("retry: events %v, error %v; want none", types(again), err)
	}
}

func TestDecideEventIDsDeriveFromTheCommand(t *testing.T) {
	env := MustEnv(t)
	s := domain.Replay(MustRun(t, env, submitted()...))
	cmd := &domain.AcceptCase{CommandMeta: on(window, 0), AcceptanceNumber: "SL-1"}
	a, err := domain.Decide(s, cmd, env)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := domain.Decide(s, cmd, env) // another process, same state
	for i := range a {
		if got, want := a[i].Meta().ID, domain.EventID(caseID, cmd.ID, i); got != want {
			t.Errorf("event %d ID = %v, want %v", i, got, want)
		}
		if got, want := b[i].Meta().ID, a[i].Meta().ID; got != want {
			t.Errorf("second decision event %d ID = %v, want %v", i, got, want)
		}
	}
	if got, want := a[0].Meta().Actor, window; got != want {
		t.Errorf("acceptance actor = %+v, want %+v", got, want)
	}
	if got, want := a[1].Meta().Actor.Role, domain.RoleSystem; got != want {
		t.Errorf("dispatch actor role = %v, want %v", got, want)
	}
}

func TestDecideRefusesBadMetadata(t *testing.T) {
	env := MustEnv(t)
	s := domain.Replay(MustRun(t, env, submitted()...))
	tests := []struct {
		name string
		meta domain.CommandMeta
		code domain.Code
	}{
		{"no command ID", domain.CommandMeta{CaseID: caseID, Actor: window, At: t0}, domain.CodeInvalid},
		{"no time", domain.CommandMeta{ID: "x", CaseID: caseID, Actor: window}, domain.CodeInvalid},
		{"unknown role", domain.CommandMeta{ID: "x", CaseID: caseID, Actor: domain.Actor{Role: "mayor", PersonID: "m"}, At: t0}, domain.CodeInvalid},
		{"another case's state", domain.CommandMeta{ID: "x", CaseID: "case-2", Actor: window, At: t0}, domain.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := domain.Decide(s, &domain.AcceptCase{CommandMeta: tc.meta, AcceptanceNumber: "SL"}, env)
			if got, want := domain.ErrorCode(err), tc.code; got != want {
				t.Errorf("code = %q (%v), want %q", got, err, want)
			}
		})
	}
}

func TestEvolveLeavesItsArgumentUnchanged(t *testing.T) {
	env := MustEnv(t)
	evs := MustRun(t, env, with(started(), suspend(1))...)
	before := domain.Replay(evs[:len(evs)-1])
	snapshot := domain.Replay(evs[:len(evs)-1])
	after := domain.Evolve(before, evs[len(evs)-1])
	if !reflect.DeepEqual(before, snapshot) {
		t.Fatal("Evolve changed the state it was given")
	}
	it, _ := after.Item("a")
	if !it.Suspended || !slices.ContainsFunc(after.Items, func(i domain.ItemState) bool { return i.Paused() }) {
		t.Errorf("after suspension item a = %+v, want suspended and paused", it)
	}
}
