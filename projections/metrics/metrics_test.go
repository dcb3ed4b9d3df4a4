package metrics_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"maps"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/metrics"
)

var dimensions = []metrics.Dimension{metrics.ByBundle, metrics.ByItem, metrics.ByDepartment, metrics.ByRegion, metrics.ByMonth}

// nearestRank is the percentile by sorting, the definition Histogram keeps.
func nearestRank(xs []int, p float64) int {
	if len(xs) == 0 {
		return -1
	}
	s := slices.Sorted(slices.Values(xs))
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[max(rank, 1)-1]
}

// group merges the oracle's facts by dimension, as Query must.
func group(all map[metrics.Key]*facts, by metrics.Dimension) map[string]*facts {
	out := map[string]*facts{}
	for k, f := range all {
		caseCell := k.Item == ""
		var g string
		switch by {
		case metrics.ByBundle:
			g = k.Bundle
		case metrics.ByRegion:
			g = k.Region
		case metrics.ByMonth:
			g = k.Month
		case metrics.ByItem:
			g = k.Item
		case metrics.ByDepartment:
			g = k.Department
		}
		if caseCell && (by == metrics.ByItem || by == metrics.ByDepartment) {
			continue
		}
		m := out[g]
		if m == nil {
			m = &facts{}
			out[g] = m
		}
		for s, n := range f.cases {
			inc(&m.cases, s, n)
		}
		for l, n := range f.ratings {
			inc(&m.ratings, l, n)
		}
		for o, n := range f.items {
			inc(&m.items, o, n)
		}
		m.supplemented += f.supplemented
		m.caseCycles = append(m.caseCycles, f.caseCycles...)
		m.itemCycles = append(m.itemCycles, f.itemCycles...)
		m.onTime += f.onTime
		m.extended += f.extended
		m.paused += f.paused
		m.delay += f.delay
	}
	return out
}

func checkGroups(t *testing.T, by metrics.Dimension, got []metrics.Group, want map[string]*facts) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("by %s: %d groups, want %d", by, len(got), len(want))
	}
	for _, g := range got {
		w, ok := want[g.Key]
		if !ok {
			t.Errorf("by %s: unexpected group %q", by, g.Key)
			continue
		}
		if !maps.Equal(g.Cases, w.cases) || !maps.Equal(g.Items, w.items) || !maps.Equal(g.Ratings, w.ratings) {
			t.Errorf("by %s %q: cases %v items %v ratings %v, want %v %v %v", by, g.Key, g.Cases, g.Items, g.Ratings, w.cases, w.items, w.ratings)
		}
		if g.Supplemented != w.supplemented || g.OnTime != w.onTime || g.Extended != w.extended ||
			g.PausedDays != w.paused || g.DelayDays != w.delay {
			t.Errorf("by %s %q: supplemented %d on time %d extended %d paused %d delay %d, want %d %d %d %d %d", by, g.Key,
				g.Supplemented, g.OnTime, g.Extended, g.PausedDays, g.DelayDays, w.supplemented, w.onTime, w.extended, w.paused, w.delay)
		}
		for _, p := range []float64{50, 90, 99} {
			if got, want := g.CaseCycle.Percentile(p), nearestRank(w.caseCycles, p); got != want {
				t.Errorf("by %s %q: case cycle p%v = %d, want %d", by, g.Key, p, got, want)
			}
			if got, want := g.ItemCycle.Percentile(p), nearestRank(w.itemCycles, p); got != want {
				t.Errorf("by %s %q: item cycle p%v = %d, want %d", by, g.Key, p, got, want)
			}
		}
	}
}

func TestQueryAgreesWithTheDomainFold(t *testing.T) {
	store := MustStore(t)
	head := MustAppend(t, store, MustAppends(t, historyCases()))
	r := MustViews(t, store, t.TempDir())
	want := oracle(t, store)
	seen := map[string]bool{}
	for _, f := range want {
		for s := range f.cases {
			seen[string(s)] = true
		}
		for o := range f.items {
			seen[string(o)] = true
		}
		seen["paused"] = seen["paused"] || f.paused > 0
		seen["late"] = seen["late"] || f.delay > 0
		seen["extended"] = seen["extended"] || f.extended > 0
		seen["rated"] = seen["rated"] || len(f.ratings) > 0
	}
	for _, s := range []string{"completed", "refused", "withdrawn", "approved", "denied", "paused", "late", "extended", "rated"} {
		if !seen[s] {
			t.Errorf("the history never shows %q; the comparison proves little (seen %v)", s, seen)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, by := range dimensions {
		got, err := metrics.Query(ctx, r, head, metrics.Filter{}, by)
		if err != nil {
			t.Fatal(err)
		}
		checkGroups(t, by, got, group(want, by))
	}
}

func TestFilteredQueryKeepsOnlyMatchingCells(t *testing.T) {
	store := MustStore(t)
	head := MustAppend(t, store, MustAppends(t, historyCases()))
	r := MustViews(t, store, t.TempDir())
	all := oracle(t, store)
	tests := []struct {
		name   string
		filter metrics.Filter
		keep   func(metrics.Key) bool
	}{
		{"region", metrics.Filter{Region: "440300"}, func(k metrics.Key) bool { return k.Region == "440300" }},
		{"department", metrics.Filter{Department: "fire"}, func(k metrics.Key) bool { return k.Department == "fire" }},
		{"months", metrics.Filter{FromMonth: "2025-04", ToMonth: "2025-06"},
			func(k metrics.Key) bool { return k.Month >= "2025-04" && k.Month <= "2025-06" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := maps.Collect(func(yield func(metrics.Key, *facts) bool) {
				for k, f := range all {
					if tt.keep(k) && !yield(k, f) {
						return
					}
				}
			})
			if len(want) == 0 {
				t.Fatal("the filter keeps no cell of the history")
			}
			got, err := metrics.Query(context.Background(), r, head, tt.filter, metrics.ByMonth)
			if err != nil {
				t.Fatal(err)
			}
			checkGroups(t, metrics.ByMonth, got, group(want, metrics.ByMonth))
		})
	}
}

func TestRestartResumesFromItsCheckpoint(t *testing.T) {
	store := MustStore(t)
	as := MustAppends(t, historyCases())
	half := MustAppend(t, store, as[:len(as)/2])
	dir := t.TempDir()
	r, err := projections.Open(store, dir, projections.Options{}, metrics.Projection{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(context.Background(), metrics.Name, half); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	head := MustAppend(t, store, as[len(as)/2:])
	r = MustViews(t, store, dir)
	want := oracle(t, store)
	for _, by := range dimensions {
		got, err := metrics.Query(context.Background(), r, head, metrics.Filter{}, by)
		if err != nil {
			t.Fatal(err)
		}
		checkGroups(t, by, got, group(want, by))
	}
}

func TestRankDepartmentsByDelayAdded(t *testing.T) {
	store := MustStore(t)
	head := MustAppend(t, store, MustAppends(t, historyCases()))
	r := MustViews(t, store, t.TempDir())
	want := group(oracle(t, store), metrics.ByDepartment)
	got, err := metrics.RankDepartments(context.Background(), r, head, metrics.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d departments ranked, want %d", len(got), len(want))
	}
	var share float64
	for i, d := range got {
		if d.DelayDays != want[d.Department].delay {
			t.Errorf("%s: delay %d working days, want %d", d.Department, d.DelayDays, want[d.Department].delay)
		}
		if i > 0 && got[i-1].DelayDays < d.DelayDays {
			t.Errorf("rank %d: %s (%d days) after %s (%d days)", i, d.Department, d.DelayDays, got[i-1].Department, got[i-1].DelayDays)
		}
		share += d.Share
	}
	if got[0].DelayDays == 0 {
		t.Fatal("no department added any delay; the ranking proves nothing")
	}
	if math.Abs(share-1) > 1e-9 {
		t.Errorf("shares sum to %v, want 1", share)
	}
}

func TestExportWritesOneRowPerGroup(t *testing.T) {
	store := MustStore(t)
	head := MustAppend(t, store, MustAppends(t, historyCases()))
	r := MustViews(t, store, t.TempDir())
	var buf bytes.Buffer
	if err := metrics.Export(context.Background(), r, head, metrics.Filter{}, metrics.ByRegion, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	groups, err := metrics.Query(context.Background(), r, head, metrics.Filter{}, metrics.ByRegion)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rows), len(groups)+1; got != want {
		t.Fatalf("%d CSV rows, want %d (header and one per region)", got, want)
	}
	header := metrics.Header(metrics.ByRegion)
	if !slices.Equal(rows[0], header) {
		t.Errorf("header %v, want %v", rows[0], header)
	}
	col := slices.Index(header, "cases")
	for i, g := range groups {
		if got, want := rows[i+1][0], g.Key; got != want {
			t.Errorf("row %d is region %s, want %s", i+1, got, want)
		}
		if got, want := rows[i+1][col], strconv.Itoa(g.CaseCount()); got != want {
			t.Errorf("region %s: cases %s, want %s", g.Key, got, want)
		}
	}
}

func TestQueryRefusesAnUnknownDimension(t *testing.T) {
	store := MustStore(t)
	r := MustViews(t, store, t.TempDir())
	_, err := metrics.Query(context.Background(), r, 0, metrics.Filter{}, "weekday")
	if got, want := domain.ErrorCode(err), domain.CodeInvalid; got != want {
		t.Errorf("code %q (%v), want %q", got, err, want)
	}
}

var _ eventstore.Store // the helpers take the interface
