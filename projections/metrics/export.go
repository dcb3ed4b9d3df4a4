package metrics

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// CaseCount is the number of cases ended.
func (c *Cell) CaseCount() int {
	n := 0
	for _, k := range c.Cases {
		n += k
	}
	return n
}

// ratio is a/b, and false when b is 0 (no population, no rate).
func ratio(a, b int) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}

// OnTimeRate is the share of decided items decided by their due date.
func (c *Cell) OnTimeRate() (float64, bool) { return ratio(c.OnTime, c.Decided()) }

// ExtensionRate is the share of decided items that were extended.
func (c *Cell) ExtensionRate() (float64, bool) { return ratio(c.Extended, c.Decided()) }

// SupplementRate is the share of ended cases that had a supplement notice.
func (c *Cell) SupplementRate() (float64, bool) { return ratio(c.Supplemented, c.CaseCount()) }

var (
	caseStatuses = []domain.Status{domain.StatusCompleted, domain.StatusRefused, domain.StatusWithdrawn, domain.StatusTerminated}
	itemOutcomes = []domain.Outcome{domain.Approved, domain.ApprovedTolerance, domain.Denied, domain.OutcomeWithdrawn,
		domain.Unreachable, OutcomeTerminated}
	ratingLabels = []domain.RatingLabel{domain.VerySatisfied, domain.Satisfied, domain.FairlySatisfied,
		domain.Dissatisfied, domain.VeryDissatisfied}
	percentiles = []float64{50, 90, 99}
)

// Header is the first CSV row of Export: the dimension, then the columns of
// Record.
func Header(by Dimension) []string {
	h := []string{string(by), "cases"}
	for _, s := range caseStatuses {
		h = append(h, "cases_"+string(s))
	}
	h = append(h, "supplement_rate", "case_cycle_p50", "case_cycle_p90", "case_cycle_p99", "items")
	for _, o := range itemOutcomes {
		h = append(h, "items_"+string(o))
	}
	h = append(h, "item_cycle_p50", "item_cycle_p90", "item_cycle_p99", "on_time_rate", "extension_rate",
		"paused_days", "delay_days")
	for _, l := range ratingLabels {
		h = append(h, "rating_"+string(l))
	}
	return h
}

// Record is g as a CSV row under Header. Rates and percentiles without a
// population are empty, not zero.
func (g *Group) Record() []string {
	rec := []string{g.Key, strconv.Itoa(g.CaseCount())}
	for _, s := range caseStatuses {
		rec = append(rec, strconv.Itoa(g.Cases[s]))
	}
	rec = append(rec, rate(g.SupplementRate()))
	rec = append(rec, pcts(g.CaseCycle)...)
	items := 0
	for _, n := range g.Items {
		items += n
	}
	rec = append(rec, strconv.Itoa(items))
	for _, o := range itemOutcomes {
		rec = append(rec, strconv.Itoa(g.Items[o]))
	}
	rec = append(rec, pcts(g.ItemCycle)...)
	rec = append(rec, rate(g.OnTimeRate()), rate(g.ExtensionRate()), strconv.Itoa(g.PausedDays), strconv.Itoa(g.DelayDays))
	for _, l := range ratingLabels {
		rec = append(rec, strconv.Itoa(g.Ratings[l]))
	}
	return rec
}

func rate(r float64, ok bool) string {
	if !ok {
		return ""
	}
	return strconv.FormatFloat(r, 'f', 4, 64)
}

func pcts(h Histogram) []string {
	out := make([]string, len(percentiles))
	for i, p := range percentiles {
		if v := h.Percentile(p); v >= 0 {
			out[i] = strconv.Itoa(v)
		}
	}
	return out
}

// Export writes Query's groups as CSV: Header, then one Record per group.
func Export(ctx context.Context, r *projections.Runner, minPosition uint64, f Filter, by Dimension, w io.Writer) error {
	groups, err := Query(ctx, r, minPosition, f, by)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Header(by)); err != nil {
		return err
	}
	for i := range groups {
		if err := cw.Write(groups[i].Record()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
