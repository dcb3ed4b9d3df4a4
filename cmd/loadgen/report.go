package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/caseledger/caseledger/cmd/loadgen/latency"
)

// result is one phase's figures over its measured window.
type result struct {
	phase       phase
	rate        float64 // offered per second; 0 for a closed loop
	connections int
	requests    int
	errors      int
	statuses    map[int]int
	firstError  string
	duration    time.Duration
	hist        latency.Histogram
	// appends are the server's appends in the measured window (the
	// commands' durable writes).
	appends appendStats
}

func summarize(p phase, workers []*worker, d time.Duration, rate float64) result {
	r := result{phase: p, duration: d, rate: rate, statuses: map[int]int{}}
	for _, w := range workers {
		if p == phaseCommands && len(w.owned) == 0 {
			continue
		}
		r.connections++
		r.requests += w.requests
		r.errors += w.errors
		for s, n := range w.statuses {
			r.statuses[s] += n
		}
		if r.firstError == "" {
			r.firstError = w.firstError
		}
		r.hist.Merge(&w.hist)
	}
	return r
}

// perSecond is the measured throughput, requests that started within the
// measured window over its length.
func (r *result) perSecond() float64 { return float64(r.requests) / r.duration.Seconds() }

// offered names the load: the rate offered, or a closed loop.
func (r *result) offered() string {
	if r.rate == 0 {
		return "closed loop"
	}
	return fmt.Sprintf("%.0f/s offered", r.rate)
}

// line is the phase's one-line summary, printed as soon as it ends.
func (r *result) line() string {
	var st []string
	for _, s := range slices.Sorted(maps.Keys(r.statuses)) {
		name := fmt.Sprint(s)
		if s == 0 {
			name = "transport error"
		}
		st = append(st, fmt.Sprintf("%s: %d", name, r.statuses[s]))
	}
	s := fmt.Sprintf("%s: %d requests in %s on %d connections, %.0f/s (%s), %d errors (%s)",
		r.phase, r.requests, r.duration, r.connections, r.perSecond(), r.offered(), r.errors, strings.Join(st, ", "))
	if r.appends.count > 0 {
		s += fmt.Sprintf("\n  the server's appends: %.0f, mean %s each (durable; caseledger_append_duration_seconds)",
			r.appends.count, ms(r.appends.mean()))
	}
	if r.firstError != "" {
		s += "\n  first error: " + r.firstError
	}
	return s
}

// table is the figures as a Markdown table, ready for docs/benchmarks.md.
func table(results []result) string {
	var b strings.Builder
	b.WriteString("| phase | load | connections | requests | req/s | errors | p50 | p90 | p99 | p99.9 | max |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		h := &r.hist
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %.0f | %d | %s | %s | %s | %s | %s |\n", r.phase, r.offered(), r.connections, r.requests,
			r.perSecond(), r.errors, ms(h.Quantile(0.5)), ms(h.Quantile(0.9)), ms(h.Quantile(0.99)), ms(h.Quantile(0.999)), ms(h.Max()))
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// loadAverage is the machine's 1, 5 and 15 minute load averages, which
// the figures depend on (the machine is shared), or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
