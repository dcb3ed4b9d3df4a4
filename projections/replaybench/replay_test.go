package replaybench_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
	"github.com/caseledger/caseledger/projections/dispute"
	"github.com/caseledger/caseledger/projections/metrics"
	"github.com/caseledger/caseledger/projections/timeline"
)

// readModels are the four read models of issue 4, as serve registers them.
func readModels() []projections.Projection {
	return []projections.Projection{casestatus.Projection{}, timeline.Projection{}, dispute.Projection{}, metrics.Projection{}}
}

// BenchmarkReplay rebuilds read models from the whole fixture and reports
// events of the log per second, beside the ceiling of decoding the same
// events' JSON alone.
//
//   - all: a Runner opened on an empty directory with the four read models,
//     until every one has folded the head; this is what serve does on a
//     fresh data directory, the four folding side by side.
//   - model=<name>: Replay of one read model, to see where the time goes.
//   - decode: domain.DecodeRecorded of every event, read page by page;
//     only the decoding is timed.
func BenchmarkReplay(b *testing.B) {
	f := sharedFixture(b)
	ctx := context.Background()
	b.Run("all", func(b *testing.B) {
		var elapsed time.Duration
		for i := 0; b.Loop(); i++ {
			dir := filepath.Join(b.TempDir(), strconv.Itoa(i))
			start := time.Now()
			r, err := projections.Open(f.store, dir, projections.Options{}, readModels()...)
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range readModels() {
				if err := r.WaitFor(ctx, p.Name(), f.Head); err != nil {
					b.Fatal(err)
				}
			}
			elapsed += time.Since(start)
			if err := r.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(f.Head)*float64(b.N)/elapsed.Seconds(), "events/s")
	})
	for _, p := range readModels() {
		b.Run("model="+p.Name(), func(b *testing.B) {
			var elapsed time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				c, err := projections.Replay(ctx, f.store, p, filepath.Join(b.TempDir(), strconv.Itoa(i)), projections.ReplayOptions{})
				if err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				if err := c.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(f.Head)*float64(b.N)/elapsed.Seconds(), "events/s")
		})
	}
	b.Run("decode", func(b *testing.B) {
		var elapsed time.Duration
		for b.Loop() {
			elapsed += decodeAll(b, f.store)
		}
		b.ReportMetric(float64(f.Head)*float64(b.N)/elapsed.Seconds(), "events/s")
	})
}

// decodeAll decodes every event of store and returns the time spent
// decoding, reading excluded.
func decodeAll(b *testing.B, store eventstore.Store) time.Duration {
	var elapsed time.Duration
	var n int
	for from := uint64(0); ; {
		page, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{From: from, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		start := time.Now()
		for i := range page {
			if _, err := domain.DecodeRecorded(page[i]); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(start)
		n += len(page)
		from = page[len(page)-1].Position + 1
	}
	if n == 0 {
		b.Fatal("the store holds no events")
	}
	return elapsed
}
