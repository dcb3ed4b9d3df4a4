// Package latency is an HDR-style histogram of request latencies: exact
// below about 2 ms, within 0.1% above, in constant space, mergeable so that
// each load worker records into its own without locks.
package latency

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the precision: values below 2^(subBits+1) microseconds are
// counted exactly; above, each power of two is cut into 2^subBits buckets,
// so a bucket is at most 1/1024 of its values wide.
const subBits = 10

// buckets covers up to 2^40 µs (12 days), far beyond any request.
const buckets = (40-subBits)<<subBits + 2<<subBits

// Histogram counts durations at microsecond resolution. The zero value is
// ready to use; it is not safe for concurrent use.
type Histogram struct {
	counts [buckets]uint64
	n      uint64
	max    time.Duration
	sum    time.Duration
}

// index is the bucket of v microseconds: v itself below 2^(subBits+1);
// above, the exponent and the top subBits+1 bits of v.
func index(v uint64) int {
	if v < 2<<subBits {
		return int(v)
	}
	exp := bits.Len64(v) - (subBits + 1)
	return exp<<subBits + int(v>>exp)
}

// upper is the largest value (µs) that falls in bucket i.
func upper(i int) uint64 {
	if i < 2<<subBits {
		return uint64(i)
	}
	exp := i>>subBits - 1
	top := uint64(i - exp<<subBits)
	return (top+1)<<exp - 1
}

// Record counts one duration; negative ones count as zero.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	// Round up, so that a sub-microsecond request never reads as 0.
	us := (uint64(d) + 999) / 1000
	i := min(index(us), buckets-1)
	h.counts[i]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// Count is the number of recorded durations.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest recorded duration, exactly.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean is the average recorded duration, exactly.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Quantile returns the smallest bucket bound at or above which a share q
// (0 < q <= 1) of the durations lie: the nearest-rank percentile, reported
// as the top of its bucket (never below the true value) and capped at Max.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := min(max(uint64(math.Ceil(q*float64(h.n))), 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(upper(i))*time.Microsecond, h.max)
		}
	}
	return h.max
}
