package metrics

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// Dimension is what a query groups by.
type Dimension string

const (
	ByBundle     Dimension = "bundle"
	ByItem       Dimension = "item"
	ByDepartment Dimension = "department"
	ByRegion     Dimension = "region"
	ByMonth      Dimension = "month"
)

// Filter keeps the cells that match every field set. Months are "YYYY-MM",
// inclusive. Department or Item keeps item facts only (design 2).
type Filter struct {
	Bundle, Item, Department, Region string
	FromMonth, ToMonth               string
}

func (f *Filter) matches(k Key) bool {
	caseCell := k.Item == ""
	switch {
	case f.Bundle != "" && k.Bundle != f.Bundle,
		f.Region != "" && k.Region != f.Region,
		f.Item != "" && (caseCell || k.Item != f.Item),
		f.Department != "" && (caseCell || k.Department != f.Department),
		f.FromMonth != "" && k.Month < f.FromMonth,
		f.ToMonth != "" && k.Month > f.ToMonth:
		return false
	}
	return true
}

func (d Dimension) of(k Key) (string, error) {
	switch d {
	case ByBundle:
		return k.Bundle, nil
	case ByItem:
		return k.Item, nil
	case ByDepartment:
		return k.Department, nil
	case ByRegion:
		return k.Region, nil
	case ByMonth:
		return k.Month, nil
	}
	return "", domain.Errorf(domain.CodeInvalid, "unknown dimension %q: bundle, item, department, region or month", string(d))
}

// Group is the merged cells of one value of the dimension.
type Group struct {
	Key string
	Cell
}

// Query merges the cells matching f by dimension by, in key order, once the
// projection reached minPosition. Grouped by item or department, case facts
// are left out (design 2).
func Query(ctx context.Context, r *projections.Runner, minPosition uint64, f Filter, by Dimension) ([]Group, error) {
	if _, err := by.of(Key{}); err != nil {
		return nil, err
	}
	groups := map[string]*Cell{}
	err := scanCells(ctx, r, minPosition, f, func(k Key, c *Cell) {
		g, _ := by.of(k)
		if g == "" && k.Item == "" && (by == ByItem || by == ByDepartment) {
			return
		}
		if groups[g] == nil {
			groups[g] = new(Cell)
		}
		groups[g].Merge(c)
	})
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(groups))
	for k, c := range groups {
		out = append(out, Group{Key: k, Cell: *c})
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Key, b.Key) })
	return out, nil
}

func scanCells(ctx context.Context, r *projections.Runner, minPosition uint64, f Filter, fn func(Key, *Cell)) error {
	return r.Read(ctx, Name, minPosition, func(v *projections.View) error {
		return v.Scan([]byte("cell/"), func(key, val []byte) error {
			k, ok := parseKey(key)
			if !ok {
				return fmt.Errorf("metrics: malformed cell key %q", key)
			}
			if !f.matches(k) {
				return nil
			}
			var c Cell
			if err := json.Unmarshal(val, &c); err != nil {
				return fmt.Errorf("metrics: stored cell %s: %w", key, err)
			}
			fn(k, &c)
			return nil
		})
	})
}

// DepartmentDelay is one department's share of the delay.
type DepartmentDelay struct {
	Department string `json:"department"`
	Decided    int    `json:"decided"`
	Late       int    `json:"late"`
	// DelayDays is working days past due, summed over its decided items;
	// Share is its part of all departments' DelayDays (0 when none is late).
	DelayDays int     `json:"delay_days"`
	Share     float64 `json:"share"`
}

// RankDepartments lists the departments of the cells matching f by the
// delay they added, most first (ties by code).
func RankDepartments(ctx context.Context, r *projections.Runner, minPosition uint64, f Filter) ([]DepartmentDelay, error) {
	groups, err := Query(ctx, r, minPosition, f, ByDepartment)
	if err != nil {
		return nil, err
	}
	out := make([]DepartmentDelay, len(groups))
	total := 0
	for i, g := range groups {
		out[i] = DepartmentDelay{Department: g.Key, Decided: g.Decided(), Late: g.Decided() - g.OnTime, DelayDays: g.DelayDays}
		total += g.DelayDays
	}
	for i := range out {
		if total > 0 {
			out[i].Share = float64(out[i].DelayDays) / float64(total)
		}
	}
	slices.SortStableFunc(out, func(a, b DepartmentDelay) int { return cmp.Compare(b.DelayDays, a.DelayDays) })
	return out, nil
}
