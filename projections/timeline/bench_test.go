package timeline_test

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/caseledger/caseledger/projections/timeline"
)

// BenchmarkReplay folds a generated history of CASELEDGER_BENCH_CASES cases
// (default 1,000, about 42,000 events) into a fresh copy, and reports the
// apply throughput and the bytes stored per case: keys and values of the
// documents and indexes, and all together with the dictionary.
func BenchmarkReplay(b *testing.B) {
	store := MustStore(b)
	start := time.Now()
	ids, head := MustHistory(b, store, projectiontest.BenchCases(b))
	b.Logf("generated and appended %d events in %v", head, time.Since(start))
	var perCase, withDict float64
	projectiontest.BenchReplay(b, store, timeline.Projection{}, head, func(c *projections.Copy) {
		var total, dict int
		err := c.Read(func(v *projections.View) error {
			return v.Scan(nil, func(key, val []byte) error {
				total += len(key) + len(val)
				if len(key) > 1 && key[0] == 'd' && key[1] == '/' {
					dict += len(key) + len(val)
				}
				return nil
			})
		})
		if err != nil {
			b.Fatal(err)
		}
		perCase, withDict = float64(total-dict)/float64(len(ids)), float64(total)/float64(len(ids))
	})
	b.ReportMetric(perCase, "B/case")
	b.ReportMetric(withDict, "B/case+dict")
}
