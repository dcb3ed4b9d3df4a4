package projections_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
)

func TestRestartResumesWithoutReapplying(t *testing.T) {
	tests := []struct {
		name      string
		batchSize int
		filter    eventstore.Filter
	}{
		{"one event per commit", 1, eventstore.Filter{}},
		{"small batches", 7, eventstore.Filter{}},
		{"default batches", 0, eventstore.Filter{}},
		{"filtered by type", 0, eventstore.Filter{Types: []string{"Kept"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := MustStore(t, embedded.Options{})
			dir := t.TempDir()
			c := &counter{name: "counter", version: 1, filter: tt.filter}
			opts := projections.Options{BatchSize: tt.batchSize}

			MustAppend(t, store, 10, 150, "Kept")
			pos := MustAppend(t, store, 10, 50, "Dropped")
			r, err := projections.Open(store, dir, opts, c)
			if err != nil {
				t.Fatal(err)
			}
			MustWait(t, r, "counter", pos)
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			before := c.applied.Load()

			MustAppend(t, store, 10, 30, "Kept")
			pos = MustAppend(t, store, 10, 20, "Dropped")
			r = MustOpen(t, store, dir, opts, c)
			got, _ := MustTotal(t, r, "counter", pos)

			want, wantApplied := uint64(250), int64(50)
			if !tt.filter.IsZero() {
				want, wantApplied = 180, 30
			}
			if got != want {
				t.Errorf("total after restart = %d, want %d", got, want)
			}
			if applied := c.applied.Load() - before; applied != wantApplied {
				t.Errorf("events applied after restart = %d, want %d (only the new ones)", applied, wantApplied)
			}
		})
	}
}

func TestFailingHandlerStopsOnlyItsProjection(t *testing.T) {
	tests := []struct {
		name   string
		panics bool
	}{
		{"returns an error", false},
		{"panics", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := MustStore(t, embedded.Options{})
			head := MustAppend(t, store, 5, 100, "Noted")
			bad := &failing{at: 60, panics: tt.panics}
			r := MustOpen(t, store, t.TempDir(), projections.Options{BatchSize: 10}, &counter{name: "counter", version: 1}, bad)

			if got, _ := MustTotal(t, r, "counter", head); got != 100 {
				t.Errorf("healthy projection total = %d, want 100", got)
			}
			// No deadline: a stopped projection must fail the wait at once.
			err := r.WaitFor(context.Background(), "failing", head)
			var applyErr *projections.ApplyError
			if !errors.As(err, &applyErr) {
				t.Fatalf("WaitFor on the failed projection = %v, want an *ApplyError", err)
			}
			if got, want := domain.ErrorCode(err), domain.CodeUnavailable; got != want {
				t.Errorf("error code = %q, want %q", got, want)
			}
			want := projections.ApplyError{Projection: "failing", Version: 1, EventType: "Noted",
				Stream: "case-4", StreamVersion: 11, Position: 60}
			applyErr.Err = nil
			if *applyErr != want {
				t.Errorf("ApplyError = %+v, want %+v", *applyErr, want)
			}
			if !strings.Contains(err.Error(), "position 60") {
				t.Errorf("error %q does not name the position", err)
			}

			statuses, err := r.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := statuses[0].State; got != projections.StateRunning {
				t.Errorf("healthy projection state = %s, want running", got)
			}
			if got := statuses[1]; got.State != projections.StateFailed || !errors.As(got.Err, &applyErr) || got.Position >= 60 {
				t.Errorf("failed projection status = %+v, want failed before position 60", got)
			}
			// What was folded before the failure is still readable.
			pos := statuses[1].Position
			err = r.Read(context.Background(), "failing", pos, func(v *projections.View) error {
				if got := total(t, v); got != pos {
					t.Errorf("failed projection total at %d = %d, want %d", pos, got, pos)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWaitForHonoursDeadline(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	stuck := &counter{name: "stuck", version: 1, gate: make(chan struct{})}
	r := MustOpen(t, store, t.TempDir(), projections.Options{}, stuck)
	defer close(stuck.gate)
	pos := MustAppend(t, store, 1, 1, "Noted")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := r.WaitFor(ctx, "stuck", pos)
	if got, want := domain.ErrorCode(err), domain.CodeUnavailable; got != want {
		t.Errorf("WaitFor past the deadline: code = %q (%v), want %q", got, err, want)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor past the deadline = %v, want it to wrap context.DeadlineExceeded", err)
	}
	if err := r.Read(ctx, "stuck", pos, func(*projections.View) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Read past the deadline = %v, want context.DeadlineExceeded", err)
	}
	if err := r.WaitFor(context.Background(), "stuck", 0); err != nil {
		t.Errorf("WaitFor position 0 = %v, want nil at once", err)
	}
}

func TestReadSeesOwnWrites(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	r := MustOpen(t, store, t.TempDir(), projections.Options{}, &counter{name: "counter", version: 1})
	for i := range 50 {
		pos := MustAppend(t, store, 3, 1, "Noted")
		if got, want := mustTotalNow(t, r, pos), uint64(i+1); got != want {
			t.Fatalf("after append %d: total = %d, want %d", i+1, got, want)
		}
	}
}

func mustTotalNow(tb testing.TB, r *projections.Runner, pos uint64) uint64 {
	tb.Helper()
	got, _ := MustTotal(tb, r, "counter", pos)
	return got
}

func TestOpenRejectsBadRegistrations(t *testing.T) {
	tests := []struct {
		name string
		ps   []projections.Projection
	}{
		{"name with a dash", []projections.Projection{&counter{name: "bad-name", version: 1}}},
		{"upper-case name", []projections.Projection{&counter{name: "Counter", version: 1}}},
		{"same name twice", []projections.Projection{&counter{name: "a", version: 1}, &counter{name: "a", version: 2}}},
		{"negative version", []projections.Projection{&counter{name: "a", version: -1}}},
	}
	store := MustStore(t, embedded.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := projections.Open(store, t.TempDir(), projections.Options{}, tt.ps...)
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded, want an error")
			}
		})
	}
}
