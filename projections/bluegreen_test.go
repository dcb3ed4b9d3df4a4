package projections_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/google/uuid"
)

func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestVersionChangeServesOldCopyUntilNewIsCaughtUp(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	dir := t.TempDir()
	pos := MustAppend(t, store, 4, 200, "Noted")
	r := MustOpen(t, store, dir, projections.Options{}, &counter{name: "counter", version: 1})
	MustWait(t, r, "counter", pos)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	v2 := &counter{name: "counter", version: 2, gate: make(chan struct{})}
	r = MustOpen(t, store, dir, projections.Options{BatchSize: 16}, v2)
	// Let the new copy fold a part of the history, then hold it there.
	for range 50 {
		v2.gate <- struct{}{}
	}
	got, version := MustTotal(t, r, "counter", pos)
	if got != 200 || version != 1 {
		t.Errorf("while rebuilding: total %d from v%d, want 200 from v1 (the old copy)", got, version)
	}
	statuses, err := r.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses[0]; got.State != projections.StateRebuilding || got.Version != 1 || got.Target != 2 ||
		got.Position != 200 || got.Lag != 0 {
		t.Errorf("status while rebuilding = %+v, want rebuilding v1 -> v2 at 200, no lag", got)
	}
	if err := r.Rebuild(context.Background(), "counter", nil); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("Rebuild during a version change = %v, want a conflict", err)
	}

	// A write after the switch point can only be served by the new copy:
	// the old one is frozen, its code is gone.
	pos = MustAppend(t, store, 4, 1, "Noted")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := r.WaitFor(ctx, "counter", pos); err == nil {
		t.Errorf("WaitFor(%d) succeeded while the new copy is held back", pos)
	}
	close(v2.gate)
	got, version = MustTotal(t, r, "counter", pos)
	if got != 201 || version != 2 {
		t.Errorf("after the switch: total %d from v%d, want 201 from v2", got, version)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := dirNames(t, dir), []string{"counter-v2.1"}; !slices.Equal(got, want) {
		t.Errorf("copies on disk after the switch = %v, want %v", got, want)
	}
}

func TestInterruptedVersionChangeResumes(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	dir := t.TempDir()
	pos := MustAppend(t, store, 4, 300, "Noted")
	r := MustOpen(t, store, dir, projections.Options{}, &counter{name: "counter", version: 1})
	MustWait(t, r, "counter", pos)
	r.Close()

	v2 := &counter{name: "counter", version: 2, gate: make(chan struct{}), abort: make(chan struct{})}
	r = MustOpen(t, store, dir, projections.Options{BatchSize: 10}, v2)
	for range 100 {
		v2.gate <- struct{}{}
	}
	// Batches hold at most 10 events, so part of the build is committed by
	// now; failing the next Apply stops the build part-way.
	close(v2.abort)
	r.Close()
	applied := v2.applied.Load()

	v2.gate = nil
	r = MustOpen(t, store, dir, projections.Options{}, v2)
	// Only the new copy can reach a position past the old copy's.
	pos = MustAppend(t, store, 4, 1, "Noted")
	got, version := MustTotal(t, r, "counter", pos)
	if got != 301 || version != 2 {
		t.Errorf("after resuming: total %d from v%d, want 301 from v2", got, version)
	}
	if total := v2.applied.Load(); total >= applied+301 {
		t.Errorf("resumed build applied %d events after %d, want it to resume, not restart", total-applied, applied)
	}
}

func TestRebuildSwapsInAFreshCopy(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	dir := t.TempDir()
	pos := MustAppend(t, store, 4, 500, "Noted")
	c := &counter{name: "counter", version: 3}
	r := MustOpen(t, store, dir, projections.Options{BatchSize: 50}, c)
	MustWait(t, r, "counter", pos)
	before := c.applied.Load()

	var reports []projections.Progress
	if err := r.Rebuild(context.Background(), "counter", func(p projections.Progress) {
		reports = append(reports, p)
	}); err != nil {
		t.Fatal(err)
	}
	if got := c.applied.Load() - before; got < 500 {
		t.Errorf("rebuild applied %d events, want all 500 again", got)
	}
	if len(reports) < 2 {
		t.Fatalf("rebuild reported progress %d times, want several", len(reports))
	}
	last := reports[len(reports)-1]
	if last.Position != pos || last.Target != pos {
		t.Errorf("last progress = %+v, want position and target %d", last, pos)
	}
	if got, version := MustTotal(t, r, "counter", pos); got != 500 || version != 3 {
		t.Errorf("after rebuild: total %d from v%d, want 500 from v3", got, version)
	}
	pos = MustAppend(t, store, 4, 1, "Noted")
	if got, _ := MustTotal(t, r, "counter", pos); got != 501 {
		t.Errorf("the rebuilt copy does not follow new events: total %d, want 501", got)
	}
	r.Close()
	if got, want := dirNames(t, dir), []string{"counter-v3.2"}; !slices.Equal(got, want) {
		t.Errorf("copies on disk after rebuild = %v, want %v", got, want)
	}
}

// TestReadsDuringRebuildStayConsistent reads while events arrive and a
// rebuild swaps copies: every view must be one checkpoint's state (the
// counter's total equals the position it reflects: positions are gapless
// and it counts every event), and no read may fail on a retired copy.
func TestReadsDuringRebuildStayConsistent(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	MustAppend(t, store, 4, 300, "Noted")
	r := MustOpen(t, store, t.TempDir(), projections.Options{BatchSize: 7}, &counter{name: "counter", version: 1})

	stop := make(chan struct{})
	errs := make(chan error, 3)
	for range 2 {
		go func() {
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				err := r.Read(context.Background(), "counter", 0, func(v *projections.View) error {
					b, ok, err := v.Get([]byte("total"))
					if err != nil {
						return fmt.Errorf("view at position %d: %w", v.Position(), err)
					}
					// A copy that has folded nothing yet has no total: zero.
					var got uint64
					if ok {
						got = binary.BigEndian.Uint64(b)
					}
					if got != v.Position() {
						return fmt.Errorf("view at position %d (v%d) has total %d", v.Position(), v.Version(), got)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	go func() {
		for {
			select {
			case <-stop:
				errs <- nil
				return
			default:
			}
			_, err := store.Append(context.Background(), "case-1", eventstore.Any,
				eventstore.EventData{ID: uuid.New(), Type: "Noted", Data: json.RawMessage(`{}`)})
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	for range 3 {
		if err := r.Rebuild(context.Background(), "counter", nil); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
