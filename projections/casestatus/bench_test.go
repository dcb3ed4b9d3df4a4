package casestatus_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
)

// BenchmarkReplay measures Replay of the status read model over a generated
// history of CASELEDGER_BENCH_CASES cases (default 1,000, about 43,000
// events).
func BenchmarkReplay(b *testing.B) {
	cases := 1000
	if s := os.Getenv("CASELEDGER_BENCH_CASES"); s != "" {
		var err error
		if cases, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	store, err := embedded.Open(b.TempDir(), embedded.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	start := time.Now()
	_, head := MustHistory(b, store, cases)
	b.Logf("generated and appended %d events in %v", head, time.Since(start))
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		c, err := projections.Replay(context.Background(), store, casestatus.Projection{},
			filepath.Join(b.TempDir(), strconv.Itoa(i)), projections.ReplayOptions{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		c.Close()
	}
	b.ReportMetric(float64(head)*float64(b.N)/elapsed.Seconds(), "events/s")
}
