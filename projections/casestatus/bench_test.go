package casestatus_test

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/projections/casestatus"
	"github.com/caseledger/caseledger/projections/projectiontest"
)

// BenchmarkReplay measures Replay of the status read model over a generated
// history of CASELEDGER_BENCH_CASES cases (default 1,000, about 43,000
// events).
func BenchmarkReplay(b *testing.B) {
	store := projectiontest.MustStore(b)
	start := time.Now()
	_, head := MustHistory(b, store, projectiontest.BenchCases(b))
	b.Logf("generated and appended %d events in %v", head, time.Since(start))
	projectiontest.BenchReplay(b, store, casestatus.Projection{}, head, nil)
}
