package projections_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/google/uuid"
)

// benchEvents is the history size for benchmarks; CASELEDGER_BENCH_EVENTS
// overrides it.
func benchEvents(tb testing.TB) int {
	n := 200_000
	if s := os.Getenv("CASELEDGER_BENCH_EVENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			tb.Fatal(err)
		}
		n = v
	}
	return n
}

// mustBulkHistory appends n events in appends of 100 to 1,000 streams,
// quickly, and returns the head.
func mustBulkHistory(tb testing.TB, store eventstore.Store, n int) uint64 {
	tb.Helper()
	var head uint64
	batch := make([]eventstore.EventData, 100)
	for i := 0; i < n; i += len(batch) {
		k := min(len(batch), n-i)
		for j := range k {
			batch[j] = eventstore.EventData{ID: uuid.New(), Type: "Noted", Data: json.RawMessage(`{"amount":` + strconv.Itoa(i+j) + `}`)}
		}
		res, err := store.Append(context.Background(), "case-"+strconv.Itoa(i/len(batch)%1000), eventstore.Any, batch[:k]...)
		if err != nil {
			tb.Fatal(err)
		}
		head = res.LastPosition
	}
	return head
}

// BenchmarkRestart measures how long a runner takes to open and be caught up
// with a large history it had projected already: it resumes from its
// checkpoint, so the figure must not grow with the history.
func BenchmarkRestart(b *testing.B) {
	store := MustStore(b, embedded.Options{})
	n := benchEvents(b)
	head := mustBulkHistory(b, store, n)
	dir := b.TempDir()
	c := &counter{name: "counter", version: 1}
	start := time.Now()
	r := MustOpen(b, store, dir, projections.Options{}, c)
	MustWait(b, r, "counter", head)
	b.Logf("first fold of %d events: %v", n, time.Since(start))
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	before := c.applied.Load()
	b.ResetTimer()
	for b.Loop() {
		r, err := projections.Open(store, dir, projections.Options{}, c)
		if err != nil {
			b.Fatal(err)
		}
		MustWait(b, r, "counter", head)
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
	if applied := c.applied.Load() - before; applied != 0 {
		b.Fatalf("restarts applied %d events, want 0", applied)
	}
}

// BenchmarkReplay measures Replay throughput of the counting projection.
func BenchmarkReplay(b *testing.B) {
	store := MustStore(b, embedded.Options{})
	n := benchEvents(b)
	mustBulkHistory(b, store, n)
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		c, err := projections.Replay(context.Background(), store, &counter{name: "counter", version: 1},
			filepath.Join(b.TempDir(), strconv.Itoa(i)), projections.ReplayOptions{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		c.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
}

// noop folds nothing: replaying it measures the runner and the store alone.
type noop struct{}

func (noop) Name() string                                           { return "noop" }
func (noop) Version() int                                           { return 1 }
func (noop) Filter() eventstore.Filter                              { return eventstore.Filter{} }
func (noop) Apply(*projections.Tx, *eventstore.RecordedEvent) error { return nil }

// BenchmarkReplayInfrastructure measures Replay of a projection that does
// nothing: the ceiling the log reading and batching leave to read models.
func BenchmarkReplayInfrastructure(b *testing.B) {
	store := MustStore(b, embedded.Options{})
	n := benchEvents(b)
	mustBulkHistory(b, store, n)
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		c, err := projections.Replay(context.Background(), store, noop{},
			filepath.Join(b.TempDir(), strconv.Itoa(i)), projections.ReplayOptions{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		c.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
}
