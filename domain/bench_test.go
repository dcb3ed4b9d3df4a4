package domain_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// longCase is a generated case of exactly n events and the command that
// came next in its life.
type longCase struct {
	events []domain.Event
	next   domain.Command
	env    domain.Env
}

// MustLongCase finds, in a generated history, the first case whose
// appends reach exactly n events before a further command, so the
// benchmarks below measure a realistic mix of event types (items, pauses,
// warnings, ratings) rather than a hand-written one.
func MustLongCase(tb testing.TB, n int) longCase {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = 300
	g, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	cases := map[string][]domain.Event{}
	for a := range g.All() {
		evs := cases[a.CaseID]
		if len(evs) == n {
			return longCase{events: evs, next: a.Command,
				env: domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: cfg.Policy}}
		}
		cases[a.CaseID] = append(evs, a.Decided...)
	}
	if err := g.Err(); err != nil {
		tb.Fatal(err)
	}
	tb.Fatalf("no generated case has an append starting at event %d", n)
	return longCase{}
}

// BenchmarkReplay folds a 50-event case from scratch, what every command
// handler does after reading the stream.
func BenchmarkReplay(b *testing.B) {
	c := MustLongCase(b, 50)
	b.ReportAllocs()
	for b.Loop() {
		if s := domain.Replay(c.events); s.Version != len(c.events) {
			b.Fatalf("version %d after %d events", s.Version, len(c.events))
		}
	}
}

// BenchmarkEvolve folds the same case one Evolve at a time, as a caller
// that keeps every intermediate state does.
func BenchmarkEvolve(b *testing.B) {
	c := MustLongCase(b, 50)
	b.ReportAllocs()
	for b.Loop() {
		var s domain.State
		for _, ev := range c.events {
			s = domain.Evolve(s, ev)
		}
	}
}

// BenchmarkDecide decides the 51st command of a case on its 50-event state.
func BenchmarkDecide(b *testing.B) {
	c := MustLongCase(b, 50)
	s := domain.Replay(c.events)
	b.ReportAllocs()
	for b.Loop() {
		evs, err := domain.Decide(s, c.next, c.env)
		if err != nil || len(evs) == 0 {
			b.Fatalf("decide %T: %d events, %v", c.next, len(evs), err)
		}
	}
}

// BenchmarkEncode encodes the events of the case for the store.
func BenchmarkEncode(b *testing.B) {
	c := MustLongCase(b, 50)
	b.ReportAllocs()
	for b.Loop() {
		for _, ev := range c.events {
			if _, err := domain.EventData(ev); err != nil {
				b.Fatal(err)
			}
		}
	}
}
