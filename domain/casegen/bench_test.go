package casegen_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain/casegen"
)

// BenchmarkGenerate measures generation speed in events per second, the
// figure benchmarks that build large stores depend on.
func BenchmarkGenerate(b *testing.B) {
	// About 100,000 events: whole lives over the whole window, the mix a
	// store built for a benchmark gets (45 events a case on average).
	cfg := casegen.DefaultConfig()
	cfg.Cases = 2300
	cfg.MaxEvents = 100_000
	events := 0
	cpu0 := cpuTime()
	for b.Loop() {
		g, err := casegen.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for range g.All() {
		}
		if err := g.Err(); err != nil {
			b.Fatal(err)
		}
		events += g.Events()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		// CPU time includes the collector's work on other threads, so
		// this is the cost of an event to the machine, not only to
		// the generating goroutine.
		b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
	}
}
