package metrics_test

import (
	"testing"

	"github.com/caseledger/caseledger/projections/metrics"
	"github.com/caseledger/caseledger/projections/projectiontest"
)

// BenchmarkReplay measures Replay of the metrics read model over a generated
// history of CASELEDGER_BENCH_CASES cases (default 1,000).
func BenchmarkReplay(b *testing.B) {
	store := MustStore(b)
	head := MustAppend(b, store, MustAppends(b, projectiontest.BenchCases(b)))
	projectiontest.BenchReplay(b, store, metrics.Projection{}, head, nil)
}
