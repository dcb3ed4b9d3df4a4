package projectiontest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
)

// BenchCases is the size of the histories the replay benchmarks generate:
// CASELEDGER_BENCH_CASES, or 1,000 cases.
func BenchCases(b *testing.B) int {
	b.Helper()
	s := os.Getenv("CASELEDGER_BENCH_CASES")
	if s == "" {
		return 1000
	}
	cases, err := strconv.Atoi(s)
	if err != nil {
		b.Fatal(err)
	}
	return cases
}

// BenchReplay replays p over store (head events) into a fresh copy per
// iteration and reports the events folded per second. inspect, when not
// nil, reads each copy after its replay and outside the timing, for the
// figures a read model reports beyond throughput.
func BenchReplay(b *testing.B, store eventstore.Store, p projections.Projection, head uint64, inspect func(*projections.Copy)) {
	b.Helper()
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		c, err := projections.Replay(context.Background(), store, p,
			filepath.Join(b.TempDir(), strconv.Itoa(i)), projections.ReplayOptions{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		if inspect != nil {
			inspect(c)
		}
		c.Close()
	}
	b.ReportMetric(float64(head)*float64(b.N)/elapsed.Seconds(), "events/s")
}
