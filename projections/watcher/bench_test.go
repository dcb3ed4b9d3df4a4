package watcher_test

import (
	"context"
	"testing"
)

// BenchmarkTick measures a tick that finds nothing new to raise: the index
// scan over every running item at the end of a three-month history of 1,000
// cases, after a first tick raised what was due.
func BenchmarkTick(b *testing.B) {
	h := MustHistory(b, 1000)
	store := MustStore(b)
	r := &replayer{h: h, store: store}
	ticks := h.ticks()
	last := ticks[len(ticks)-1]
	r.until(b, last)
	c := &clock{now: last}
	w := newWatcher(store, MustViews(b, store, b.TempDir()), c)
	first, err := w.Tick(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first tick: %+v", first)
	b.ResetTimer()
	for b.Loop() {
		res, err := w.Tick(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if res.Raised != 0 {
			b.Fatalf("a repeated tick raised %d warnings", res.Raised)
		}
	}
}
