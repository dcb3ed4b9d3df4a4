package asof_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections/asof"
)

// historyCases scales the generated history: every case and every point
// of each is checked, so the full run keeps the history small too.
func historyCases() int {
	if testing.Short() {
		return 8
	}
	return 20
}

// MustCase is asof.Case, failing the test on an error.
func MustCase(tb testing.TB, h *history, caseID string, at asof.At) asof.Snapshot {
	tb.Helper()
	s, err := asof.Case(context.Background(), h.store, caseID, at)
	if err != nil {
		tb.Fatalf("case %s as of %s: %v", caseID, at, err)
	}
	return s
}

func TestStateAtVersionIsReplayOfThatPrefix(t *testing.T) {
	h := MustHistory(t, historyCases(), true)
	for _, id := range h.cases {
		events := h.events[id]
		for v := range uint64(len(events)) {
			got := MustCase(t, h, id, asof.AtVersion(v))
			want := h.replay(id, func(r recorded) bool { return r.version <= v })
			if !reflect.DeepEqual(got.State, want) {
				t.Fatalf("case %s at version %d: state differs from domain.Replay of the first %d events", id, v, v+1)
			}
			if got.Version != v || got.Events != int(v)+1 || got.Position != events[v].position || len(got.Skipped) != 0 {
				t.Fatalf("case %s at version %d: version %d, %d events, position %d, skipped %v; want %d, %d, %d, none",
					id, v, got.Version, got.Events, got.Position, got.Skipped, v, v+1, events[v].position)
			}
			if !got.RecordedAt.Equal(events[v].recorded) || !got.OccurredAt.Equal(events[v].occurred) {
				t.Fatalf("case %s at version %d: times %s/%s, want %s/%s",
					id, v, got.OccurredAt, got.RecordedAt, events[v].occurred, events[v].recorded)
			}
		}
		latest := MustCase(t, h, id, asof.Latest())
		if got, want := latest.Version, events[len(events)-1].version; got != want {
			t.Errorf("case %s latest: version %d, want %d", id, got, want)
		}
	}
}

// instants returns times that probe a case's history on one clock: each
// time its events carry, a nanosecond before it, and one after the last.
func instants(events []recorded, clock func(recorded) time.Time) []time.Time {
	var out []time.Time
	for i, r := range events {
		if i > 0 && clock(r).Equal(clock(events[i-1])) {
			continue // the events of one append share their times
		}
		out = append(out, clock(r).Add(-time.Nanosecond), clock(r))
	}
	return append(out, clock(events[len(events)-1]).Add(time.Hour))
}

func TestTimeBoundsOnBothClocks(t *testing.T) {
	h := MustHistory(t, historyCases(), true)
	occurred := func(r recorded) time.Time { return r.occurred }
	rec := func(r recorded) time.Time { return r.recorded }
	tests := []struct {
		name string
		at   func(time.Time) asof.At
		// clock is the one the probes are taken from.
		clock func(recorded) time.Time
		// keep selects the events the bound admits: what had happened by
		// t, or the prefix the ledger knew at t (rules 2 and 3).
		keep func(events []recorded, t time.Time) func(recorded) bool
	}{
		{"occurred by: what had happened", asof.OccurredBy, occurred,
			func(_ []recorded, t time.Time) func(recorded) bool {
				return func(r recorded) bool { return !r.occurred.After(t) }
			}},
		{"recorded by: what the ledger knew", asof.RecordedBy, rec,
			func(events []recorded, t time.Time) func(recorded) bool {
				n := slices.IndexFunc(events, func(r recorded) bool { return r.recorded.After(t) })
				return func(r recorded) bool { return n < 0 || r.version < uint64(n) }
			}},
		{"both: what the ledger knew three hours later of what had happened", func(t time.Time) asof.At {
			return asof.At{OccurredBy: t, RecordedBy: t.Add(3 * time.Hour)}
		}, occurred, func(_ []recorded, t time.Time) func(recorded) bool {
			return func(r recorded) bool { return !r.occurred.After(t) && !r.recorded.After(t.Add(3*time.Hour)) }
		}},
	}
	differs := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, id := range h.cases {
				events := h.events[id]
				for _, at := range instants(events, tt.clock) {
					keep := tt.keep(events, at)
					got, err := asof.Case(context.Background(), h.store, id, tt.at(at))
					if !slices.ContainsFunc(events, keep) {
						if c, notYet := code(err, asof.ErrNotYet); c != domain.CodeNotFound || !notYet {
							t.Fatalf("case %s at %s, before its first event: error %v, want not found (not yet)", id, at, err)
						}
						continue
					}
					if err != nil {
						t.Fatalf("case %s at %s: %v", id, at, err)
					}
					if want := h.replay(id, keep); !reflect.DeepEqual(got.State, want) {
						t.Fatalf("case %s at %s: state of %d events, want the %d the bound admits", id, at, got.Events, want.Version)
					}
					if got.Events != got.State.Version || len(got.Skipped) != 0 {
						t.Fatalf("case %s at %s: %d events, skipped %v", id, at, got.Events, got.Skipped)
					}
					if known := slices.IndexFunc(events, func(r recorded) bool { return r.recorded.After(at) }); known >= 0 && known != got.Events {
						differs++
					}
				}
			}
		})
	}
	// The history records events up to three hours late: if the two clocks
	// never disagreed, the test would not tell them apart.
	if differs == 0 {
		t.Error("no probe told the clocks apart")
	}
}

func TestMissingCasesAndBounds(t *testing.T) {
	h := MustHistory(t, 3, true)
	id := h.cases[0]
	events := h.events[id]
	first, last := events[0], events[len(events)-1]
	tests := []struct {
		name   string
		caseID string
		at     asof.At
		code   domain.Code
		notYet bool
	}{
		{"no such case", "8f0e7c1a-0000-4000-8000-000000000000", asof.Latest(), domain.CodeNotFound, false},
		{"no such case at a version", "8f0e7c1a-0000-4000-8000-000000000000", asof.AtVersion(0), domain.CodeNotFound, false},
		{"a version the case has not reached", id, asof.AtVersion(last.version + 1), domain.CodeNotFound, false},
		{"occurred before the first event", id, asof.OccurredBy(first.occurred.Add(-time.Nanosecond)), domain.CodeNotFound, true},
		{"recorded before the first event", id, asof.RecordedBy(first.recorded.Add(-time.Nanosecond)), domain.CodeNotFound, true},
		{"a case ID that names no stream", "has space", asof.Latest(), domain.CodeInvalid, false},
		{"an empty case ID", "", asof.Latest(), domain.CodeInvalid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := asof.Case(context.Background(), h.store, tt.caseID, tt.at)
			got, notYet := code(err, asof.ErrNotYet)
			if got != tt.code || notYet != tt.notYet {
				t.Errorf("error %v: code %q, not yet %t; want %q, %t", err, got, notYet, tt.code, tt.notYet)
			}
		})
	}
}

func TestBackdatedEventLeavesAGapInTheOccurredBound(t *testing.T) {
	h := MustHistory(t, 20, true)
	id, i := h.find(t, func(r recorded) bool { return r.typ == "CaseAccepted" })
	events := h.events[id]
	accepted := events[i]
	last := events[len(events)-1]
	// A window officer records, after everything else, a correction that
	// took effect an hour after the acceptance.
	backdated := accepted.occurred.Add(time.Hour)
	cmd := &domain.CorrectEvent{
		CommandMeta: domain.CommandMeta{ID: "backdated-correction", CaseID: id, Actor: accepted.ev.Meta().Actor, At: backdated},
		EventID:     accepted.ev.Meta().ID, Field: "acceptance_number", Correction: "SL-FIXED",
		Reason: `entered late; text that looks like a key: "occurred_at":"2999-01-01T00:00:00Z"`,
	}
	h.MustDecide(t, cmd, last.recorded.Add(time.Hour))
	correction := h.events[id][len(h.events[id])-1]

	got := MustCase(t, h, id, asof.OccurredBy(backdated))
	var wantSkipped []uint64
	for _, r := range events {
		if r.occurred.After(backdated) {
			wantSkipped = append(wantSkipped, r.version)
		}
	}
	if len(wantSkipped) == 0 {
		t.Fatal("the case has nothing after the backdated time; pick a longer case")
	}
	if got.Version != correction.version || !slices.Equal(got.Skipped, wantSkipped) {
		t.Errorf("version %d, skipped %v; want %d, %v", got.Version, got.Skipped, correction.version, wantSkipped)
	}
	want := h.replay(id, func(r recorded) bool { return !r.occurred.After(backdated) })
	if !reflect.DeepEqual(got.State, want) {
		t.Errorf("state of %d events, want the %d that occurred by %s", got.Events, want.Version, backdated)
	}
	// What the ledger knew when the correction was recorded is a prefix.
	known := MustCase(t, h, id, asof.RecordedBy(correction.recorded))
	if known.Version != correction.version || len(known.Skipped) != 0 {
		t.Errorf("recorded by: version %d, skipped %v; want %d, none", known.Version, known.Skipped, correction.version)
	}
}

func TestVersionBeyondWhatTheLedgerKnewGivesWhatItKnew(t *testing.T) {
	h := MustHistory(t, 3, true)
	id := h.cases[0]
	events := h.events[id]
	first := events[0]
	at := asof.At{Version: new(uint64(len(events) + 10)), RecordedBy: first.recorded}
	got := MustCase(t, h, id, at)
	want := h.replay(id, func(r recorded) bool { return !r.recorded.After(first.recorded) })
	if !reflect.DeepEqual(got.State, want) || got.Events != want.Version {
		t.Errorf("%d events, want the %d recorded with the first", got.Events, want.Version)
	}
}

func TestRecordedBoundIsAPrefixEvenWhenTheClockStepsBack(t *testing.T) {
	h := MustHistory(t, 3, true)
	id, i := h.find(t, func(r recorded) bool { return r.typ == "CaseAccepted" })
	events := h.events[id]
	last := events[len(events)-1]
	// The store's clock steps back an hour before the next append: the
	// ledger records a later event with an earlier time.
	stepBack := last.recorded.Add(-time.Hour)
	h.last = stepBack.Add(-time.Millisecond)
	cmd := &domain.CorrectEvent{
		CommandMeta: domain.CommandMeta{ID: "after-clock-step", CaseID: id, Actor: events[i].ev.Meta().Actor, At: last.occurred},
		EventID:     events[i].ev.Meta().ID, Field: "acceptance_number", Correction: "SL-2", Reason: "typo",
	}
	h.MustDecide(t, cmd, stepBack)
	stepped := h.events[id][len(h.events[id])-1]
	if !stepped.recorded.Before(last.recorded) {
		t.Fatalf("the store recorded %s after %s: the clock did not step back", stepped.recorded, last.recorded)
	}
	// At the stepped-back time the ledger had not yet recorded the last
	// event before the step, so it cannot have known the one after it.
	got := MustCase(t, h, id, asof.RecordedBy(stepped.recorded))
	n := slices.IndexFunc(events, func(r recorded) bool { return r.recorded.After(stepped.recorded) })
	if got.Events != n || got.Version != uint64(n-1) {
		t.Errorf("recorded by %s: %d events up to version %d, want the %d before the first recorded later",
			stepped.recorded, got.Events, got.Version, n)
	}
}
