package latency_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/cmd/loadgen/latency"
)

// exactQuantile is the nearest-rank percentile of sorted.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	rank := max(int(math.Ceil(q*float64(len(sorted)))), 1)
	return sorted[rank-1]
}

func TestQuantileIsNeverBelowTheTrueValueAndWithinAThousandth(t *testing.T) {
	tests := []struct {
		name string
		draw func(r *rand.Rand) time.Duration
	}{
		{"sub-millisecond", func(r *rand.Rand) time.Duration { return time.Duration(r.IntN(900_000)) }},
		{"uniform to 50ms", func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(int64(50 * time.Millisecond))) }},
		{"long tail", func(r *rand.Rand) time.Duration {
			return time.Duration(r.ExpFloat64() * float64(2*time.Millisecond) * float64(1+r.IntN(2)*r.IntN(100)))
		}},
		{"seconds", func(r *rand.Rand) time.Duration { return time.Second + time.Duration(r.Int64N(int64(20*time.Second))) }},
		{"one value", func(*rand.Rand) time.Duration { return 3*time.Millisecond + 217*time.Microsecond }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var h latency.Histogram
			all := make([]time.Duration, 20_000)
			for i := range all {
				all[i] = tt.draw(r)
				h.Record(all[i])
			}
			slices.Sort(all)
			for _, q := range []float64{0.001, 0.5, 0.9, 0.99, 0.999, 1} {
				got, want := h.Quantile(q), exactQuantile(all, q)
				// The histogram counts whole microseconds, rounded up,
				// in buckets at most 1/1024 of their values wide.
				limit := want + want/1024 + 2*time.Microsecond
				if got < want || got > limit {
					t.Errorf("Quantile(%v) = %v, want %v (up to %v)", q, got, want, limit)
				}
			}
			if got, want := h.Max(), all[len(all)-1]; got != want {
				t.Errorf("Max() = %v, want %v", got, want)
			}
			if got, want := h.Count(), uint64(len(all)); got != want {
				t.Errorf("Count() = %d, want %d", got, want)
			}
		})
	}
}

func TestMergeEqualsRecordingIntoOne(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var one, a, b latency.Histogram
	for i := range 10_000 {
		d := time.Duration(r.ExpFloat64() * float64(time.Millisecond))
		one.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	for _, q := range []float64{0.5, 0.9, 0.99, 1} {
		if got, want := a.Quantile(q), one.Quantile(q); got != want {
			t.Errorf("merged Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if got, want := a.Mean(), one.Mean(); got != want {
		t.Errorf("merged Mean() = %v, want %v", got, want)
	}
}

func TestEmptyHistogramReportsZero(t *testing.T) {
	var h latency.Histogram
	if got := h.Quantile(0.99); got != 0 {
		t.Errorf("Quantile(0.99) of nothing = %v, want 0", got)
	}
	if got := h.Mean(); got != 0 {
		t.Errorf("Mean() of nothing = %v, want 0", got)
	}
}
