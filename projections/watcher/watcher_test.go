package watcher_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/watcher"
)

func historyCases() int {
	if testing.Short() {
		return 40
	}
	return 120
}

func newWatcher(store eventstore.Store, views *projections.Runner, c *clock) *watcher.Watcher {
	return &watcher.Watcher{Store: store, Views: views, Clock: c.Now, Env: env()}
}

// checkOnce fails unless the store holds each warning of want exactly once
// and no other.
func checkOnce(t *testing.T, store eventstore.Store, want map[warning]bool) {
	t.Helper()
	got := warnings(t, store)
	for w, n := range got {
		if n != 1 {
			t.Errorf("%s warning of %s/%s recorded %d times, want once", w.level, w.caseID, w.item, n)
		}
		if !want[w] {
			t.Errorf("%s warning of %s/%s recorded, the generator's watcher did not raise it", w.level, w.caseID, w.item)
		}
	}
	for w := range want {
		if got[w] == 0 {
			t.Errorf("%s warning of %s/%s missing", w.level, w.caseID, w.item)
		}
	}
	if len(want) == 0 {
		t.Fatal("the history has no warning to raise; the test proves nothing")
	}
}

func TestEachItemAndLevelIsWarnedOnce(t *testing.T) {
	h := MustHistory(t, historyCases())
	store := MustStore(t)
	c := &clock{}
	w := newWatcher(store, MustViews(t, store, t.TempDir()), c)
	r := &replayer{h: h, store: store}
	ctx := context.Background()
	for _, tick := range h.ticks() {
		r.until(t, tick)
		c.now = tick
		if _, err := w.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		// A second tick at the same instant is a retry: it finds nothing to do.
		res, err := w.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Raised != 0 {
			t.Fatalf("a second tick at %v raised %d warnings, want 0", tick, res.Raised)
		}
	}
	checkOnce(t, store, h.oracle)
	t.Logf("%d warnings over %d appends", len(h.oracle), len(h.appends))
}

func TestTwoWatchersConcurrentlyWarnOnce(t *testing.T) {
	h := MustHistory(t, historyCases())
	store := MustStore(t)
	c := &clock{}
	ws := []*watcher.Watcher{
		newWatcher(store, MustViews(t, store, t.TempDir()), c),
		newWatcher(store, MustViews(t, store, t.TempDir()), c),
	}
	r := &replayer{h: h, store: store}
	var raised, replayed int
	for _, tick := range h.ticks() {
		r.until(t, tick)
		c.now = tick
		var wg sync.WaitGroup
		res := make([]watcher.Result, len(ws))
		errs := make([]error, len(ws))
		for i, w := range ws {
			wg.Go(func() { res[i], errs[i] = w.Tick(context.Background()) })
		}
		wg.Wait()
		for i := range ws {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			raised += res[i].Raised
			replayed += res[i].Replayed + res[i].Skipped
		}
	}
	checkOnce(t, store, h.oracle)
	t.Logf("raised %d, found done by the other watcher %d", raised, replayed)
}

func TestRestartMidwayWarnsOnce(t *testing.T) {
	h := MustHistory(t, historyCases())
	store := MustStore(t)
	dir := t.TempDir()
	c := &clock{}
	r := &replayer{h: h, store: store}
	ticks := h.ticks()
	half := len(ticks) / 2

	views, err := projections.Open(store, dir, projections.Options{}, watcher.Index{})
	if err != nil {
		t.Fatal(err)
	}
	w := newWatcher(store, views, c)
	for _, tick := range ticks[:half] {
		r.until(t, tick)
		c.now = tick
		if _, err := w.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := views.Close(); err != nil {
		t.Fatal(err)
	}
	// The restarted watcher resumes its index from its checkpoint and
	// first repeats the last tick, as a crash right after it would.
	w = newWatcher(store, MustViews(t, store, dir), c)
	for _, tick := range ticks[half-1:] {
		r.until(t, tick)
		c.now = tick
		if _, err := w.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	checkOnce(t, store, h.oracle)
}

func TestItemConcludedBeforeItsWarningIsNeverWarned(t *testing.T) {
	h := MustHistory(t, historyCases())
	store := MustStore(t)
	c := &clock{}
	w := newWatcher(store, MustViews(t, store, t.TempDir()), c)
	r := &replayer{h: h, store: store}
	for _, tick := range h.ticks() {
		r.until(t, tick)
		c.now = tick
		if _, err := w.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	got := warnings(t, store)
	quiet := 0
	for k := range h.decided {
		if h.oracle[warning{k[0], k[1], domain.WarningYellow}] || h.oracle[warning{k[0], k[1], domain.WarningOverdue}] {
			continue
		}
		quiet++
		for _, level := range []domain.WarningLevel{domain.WarningYellow, domain.WarningOverdue} {
			if n := got[warning{k[0], k[1], level}]; n != 0 {
				t.Errorf("item %s/%s concluded before any threshold, got %d %s warnings", k[0], k[1], n, level)
			}
		}
	}
	if quiet == 0 {
		t.Fatal("no item of the history concluded before its warning; the test proves nothing")
	}
	t.Logf("%d items concluded before any threshold, %d decided", quiet, len(h.decided))
}

func TestRunTicksUntilCancelled(t *testing.T) {
	h := MustHistory(t, historyCases())
	store := MustStore(t)
	r := &replayer{h: h, store: store}
	ticks := h.ticks()
	last := ticks[len(ticks)-1]
	r.until(t, last)
	c := &clock{now: last}
	w := newWatcher(store, MustViews(t, store, t.TempDir()), c)
	w.Interval = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(time.Minute)
	for len(warnings(t, store)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v, want nil", err)
	}
	got := warnings(t, store)
	if len(got) == 0 {
		t.Fatal("Run raised no warning within a minute")
	}
	for w, n := range got {
		if n != 1 {
			t.Errorf("%s warning of %s/%s recorded %d times, want once", w.level, w.caseID, w.item, n)
		}
	}
}
