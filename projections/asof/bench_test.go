package asof_test

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/projections/asof"
)

// BenchmarkCase reads the case of a generated history whose length is
// closest to 50 events, from an embedded store on disk, at its middle on
// each bound, and reports the latency percentiles of single calls.
func BenchmarkCase(b *testing.B) {
	cases := 200
	if testing.Short() {
		cases = 40
	}
	h := MustHistory(b, cases, false)
	id := h.cases[0]
	for _, c := range h.cases {
		if abs(len(h.events[c])-50) < abs(len(h.events[id])-50) {
			id = c
		}
	}
	events := h.events[id]
	mid := events[len(events)/2]
	ctx := context.Background()
	for _, bm := range []struct {
		name string
		at   asof.At
	}{
		{"occurred_by", asof.OccurredBy(mid.occurred)},
		{"recorded_by", asof.RecordedBy(mid.recorded)},
		{"version", asof.AtVersion(mid.version)},
		{"latest", asof.Latest()},
	} {
		b.Run(bm.name, func(b *testing.B) {
			// The thread's CPU time is only the call's if the goroutine
			// stays on it.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var lat, cpu []time.Duration
			for b.Loop() {
				start, cpu0 := time.Now(), threadCPU()
				if _, err := asof.Case(ctx, h.store, id, bm.at); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				cpu = append(cpu, threadCPU()-cpu0)
			}
			reportPercentiles(b, lat, "")
			if cpu[0] > 0 || slices.Max(cpu) > 0 {
				reportPercentiles(b, cpu, "cpu-")
			}
			b.ReportMetric(float64(len(events)), "case-events")
		})
	}
	b.Run("diff", func(b *testing.B) {
		first := MustCase(b, h, id, asof.AtVersion(0))
		last := MustCase(b, h, id, asof.Latest())
		var lat []time.Duration
		for b.Loop() {
			start := time.Now()
			asof.Diff(first, last)
			lat = append(lat, time.Since(start))
		}
		reportPercentiles(b, lat, "")
	})
}

// reportPercentiles reports the median and the 99th percentile of ds, as
// prefix+"p50-ns" and prefix+"p99-ns".
func reportPercentiles(b *testing.B, ds []time.Duration, prefix string) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Nanoseconds()) }
	b.ReportMetric(at(0.50), prefix+"p50-ns")
	b.ReportMetric(at(0.99), prefix+"p99-ns")
}

func abs(n int) int { return max(n, -n) }
