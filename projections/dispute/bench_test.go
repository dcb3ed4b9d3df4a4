package dispute_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/dispute"
)

// BenchmarkReplay measures Replay of the dispute read model over a generated
// history of CASELEDGER_BENCH_CASES cases (default 1,000).
func BenchmarkReplay(b *testing.B) {
	cases := 1000
	if s := os.Getenv("CASELEDGER_BENCH_CASES"); s != "" {
		var err error
		if cases, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	store := MustStore(b)
	head := MustAppend(b, store, MustAppends(b, cases))
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		c, err := projections.Replay(context.Background(), store, dispute.Projection{},
			filepath.Join(b.TempDir(), strconv.Itoa(i)), projections.ReplayOptions{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		c.Close()
	}
	b.ReportMetric(float64(head)*float64(b.N)/elapsed.Seconds(), "events/s")
}
