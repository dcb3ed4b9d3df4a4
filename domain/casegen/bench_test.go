package casegen_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain/casegen"
)

// BenchmarkGenerate measures generation speed in events per second, the
// figure benchmarks that build large stores depend on.
func BenchmarkGenerate(b *testing.B) {
	cfg := casegen.DefaultConfig()
	cfg.Cases = 1_000_000 // never reached: MaxEvents ends each history
	events := 0
	cpu0 := cpuTime()
	for b.Loop() {
		cfg.MaxEvents = 100_000
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
