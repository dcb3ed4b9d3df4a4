package metrics_test

import (
	"testing"

	"github.com/caseledger/caseledger/projections/metrics"
)

func TestHistogramPercentileIsTheNearestRank(t *testing.T) {
	tests := []struct {
		name string
		days []int
		p    float64
		want int
	}{
		{"empty", nil, 50, -1},
		{"one value", []int{7}, 99, 7},
		{"median of an even count is the lower middle", []int{1, 2, 3, 4}, 50, 2},
		{"median of an odd count", []int{5, 1, 3}, 50, 3},
		{"p90 of ten", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
		{"p99 of ten is the largest", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
		{"repeated values", []int{0, 0, 0, 4}, 75, 0},
		{"negative counts as zero", []int{-3, 2}, 50, 0},
		{"overflow", []int{1, metrics.MaxDays + 10}, 99, metrics.MaxDays + 1},
		{"last exact day", []int{metrics.MaxDays}, 50, metrics.MaxDays},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h metrics.Histogram
			for _, d := range tt.days {
				h.Add(d, 1)
			}
			if got := h.Percentile(tt.p); got != tt.want {
				t.Errorf("p%v of %v = %d, want %d", tt.p, tt.days, got, tt.want)
			}
			if got, want := h.N(), len(tt.days); got != want {
				t.Errorf("N = %d, want %d", got, want)
			}
		})
	}
}

func TestHistogramMergeEqualsAddingEveryValue(t *testing.T) {
	a, b, all := metrics.Histogram{}, metrics.Histogram{}, metrics.Histogram{}
	for i := range 40 {
		d := (i * 7) % 23
		if i%3 == 0 {
			a.Add(d, 1)
		} else {
			b.Add(d, 1)
		}
		all.Add(d, 1)
	}
	a.Merge(b)
	for _, p := range []float64{1, 25, 50, 90, 99, 100} {
		if got, want := a.Percentile(p), all.Percentile(p); got != want {
			t.Errorf("p%v of merged = %d, want %d", p, got, want)
		}
	}
	if got, want := a.N(), all.N(); got != want {
		t.Errorf("merged N = %d, want %d", got, want)
	}
}
