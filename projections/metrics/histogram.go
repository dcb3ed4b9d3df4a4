package metrics

import "slices"

// MaxDays is the last working day a Histogram counts exactly; longer times
// fall into its overflow count. Two years of working days is far past any
// statutory limit with every extension.
const MaxDays = 500

// Histogram counts durations in whole working days (design 3). The zero
// value is empty.
type Histogram struct {
	// Days[d] counts durations of d working days; trailing zeros are cut.
	Days []int `json:"d,omitempty"`
	// Over counts durations beyond MaxDays.
	Over int `json:"o,omitempty"`
}

// Add counts one duration; a negative one counts as 0.
func (h *Histogram) Add(days int, n int) {
	days = max(days, 0)
	if days > MaxDays {
		h.Over += n
		return
	}
	if len(h.Days) <= days {
		h.Days = append(h.Days, make([]int, days+1-len(h.Days))...)
	}
	h.Days[days] += n
	h.trim()
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o Histogram) {
	if len(h.Days) < len(o.Days) {
		h.Days = append(h.Days, make([]int, len(o.Days)-len(h.Days))...)
	}
	for d, n := range o.Days {
		h.Days[d] += n
	}
	h.Over += o.Over
	h.trim()
}

func (h *Histogram) trim() {
	i := len(h.Days)
	for i > 0 && h.Days[i-1] == 0 {
		i--
	}
	h.Days = slices.Clip(h.Days[:i])
}

// N is the number of durations counted.
func (h Histogram) N() int {
	n := h.Over
	for _, c := range h.Days {
		n += c
	}
	return n
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100): the
// smallest duration d such that at least p% of the durations are at most d.
// It is -1 for an empty histogram and MaxDays+1 when it lies in the
// overflow.
func (h Histogram) Percentile(p float64) int {
	n := h.N()
	if n == 0 {
		return -1
	}
	// Nearest rank ceil(p/100 * n), computed in integers so that p = 50
	// over 10 values is rank 5 exactly.
	rank := int((p*float64(n) + 99.999999) / 100)
	rank = min(max(rank, 1), n)
	cum := 0
	for d, c := range h.Days {
		cum += c
		if cum >= rank {
			return d
		}
	}
	return MaxDays + 1
}
