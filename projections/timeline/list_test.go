package timeline_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/timeline"
)

func listedKey(caseID, item, region, dept string, due, dispatched workday.Date, left int) string {
	return fmt.Sprintf("%s/%s %s/%s due %s from %s left %d", caseID, item, region, dept, due, dispatched, left)
}

// bruteForce lists, from the domain's states, the items running on day
// whose state is want.
func (f *fixture) bruteForce(cal *workday.Calendar, day workday.Date, pol workday.WarningPolicy, region, dept string, want workday.State) []string {
	var out []string
	for _, st := range f.states {
		if st.Closed() || (region != "" && st.Region != region) {
			continue
		}
		for _, it := range st.Items {
			running := it.Status == domain.ItemSent || it.Status == domain.ItemInProgress
			if !running || it.Paused() || it.Due.IsZero() || (dept != "" && it.Department != dept) {
				continue
			}
			if s, left := cal.StateAt(it.DispatchedOn, it.Due, day, pol); s == want {
				out = append(out, listedKey(st.CaseID, it.Code, st.Region, it.Department, it.Due, it.DispatchedOn, left))
			}
		}
	}
	sort.Strings(out)
	return out
}

type lister func(q timeline.ListQuery) (timeline.ItemPage, error)

// allPages follows the cursors to the end and fails on an item listed
// twice or out of order.
func allPages(t *testing.T, list lister, q timeline.ListQuery) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	var last workday.Date
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("pages never end")
		}
		page, err := list(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > q.Limit {
			t.Fatalf("page of %d items, limit %d", len(page.Items), q.Limit)
		}
		for _, it := range page.Items {
			k := listedKey(it.CaseID, it.Item, it.Region, it.Department, it.Due, it.DispatchedOn, it.DaysLeft)
			if seen[k] {
				t.Errorf("%s listed twice", k)
			}
			if it.Due.Before(last) {
				t.Errorf("%s listed after an item due %s", k, last)
			}
			seen[k], last = true, it.Due
			out = append(out, k)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	sort.Strings(out)
	return out
}

func TestListsEqualABruteForceScanOfEveryCase(t *testing.T) {
	f := sharedFixture(t)
	cal := workday.Default()
	ctx := testContext(t)
	def := domain.DefaultPolicy().Warning
	eager := workday.WarningPolicy{ShareUsed: 0.5, DaysLeft: 3}
	tests := []struct {
		day          workday.Date
		region, dept string
		policy       workday.WarningPolicy
	}{
		{day: workday.NewDate(2026, 6, 15), policy: def},
		{day: workday.NewDate(2026, 7, 1), policy: def},
		{day: workday.NewDate(2026, 7, 1), policy: eager},
		{day: workday.NewDate(2026, 8, 20), policy: def},
		{day: workday.NewDate(2026, 7, 1), region: "440300", policy: def},
		{day: workday.NewDate(2026, 7, 1), dept: "fire", policy: eager},
	}
	var overdue, warned int
	for _, tt := range tests {
		name := fmt.Sprintf("%s region %q dept %q policy %+v", tt.day, tt.region, tt.dept, tt.policy)
		t.Run(name, func(t *testing.T) {
			q := timeline.ListQuery{On: tt.day, Region: tt.region, Department: tt.dept, Limit: 7}
			got := allPages(t, func(q timeline.ListQuery) (timeline.ItemPage, error) {
				return timeline.Overdue(ctx, f.r, f.head, q, cal)
			}, q)
			want := f.bruteForce(cal, tt.day, tt.policy, tt.region, tt.dept, workday.Overdue)
			if !slices.Equal(got, want) {
				t.Errorf("overdue: %d items\n%v\nwant %d\n%v", len(got), got, len(want), want)
			}
			overdue += len(want)
			pol := tt.policy
			got = allPages(t, func(q timeline.ListQuery) (timeline.ItemPage, error) {
				return timeline.Warnings(ctx, f.r, f.head, q, cal, &pol)
			}, q)
			want = f.bruteForce(cal, tt.day, tt.policy, tt.region, tt.dept, workday.Warning)
			if !slices.Equal(got, want) {
				t.Errorf("warnings: %d items\n%v\nwant %d\n%v", len(got), got, len(want), want)
			}
			warned += len(want)
		})
	}
	// Empty lists would make the comparisons vacuous.
	if overdue == 0 || warned == 0 {
		t.Errorf("the history has %d overdue and %d yellow items in all; want some of each", overdue, warned)
	}
}

func TestOpenDubansEqualABruteForceScan(t *testing.T) {
	f := sharedFixture(t)
	ctx := testContext(t)
	for _, region := range []string{"", "440300", "110105", "no-such-region"} {
		var want []string
		for _, st := range f.states {
			for _, d := range st.Dubans {
				if !d.Closed && (region == "" || st.Region == region) {
					want = append(want, st.Region+"/"+st.CaseID+"/"+d.ID+"/"+d.Item)
				}
			}
		}
		sort.Strings(want)
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			page, err := timeline.OpenDubans(ctx, f.r, f.head, region, cursor, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page.Dubans {
				got = append(got, d.Region+"/"+d.CaseID+"/"+d.DubanID+"/"+d.Item)
			}
			if page.Next == "" || pages > 1000 {
				break
			}
			cursor = page.Next
		}
		if !slices.Equal(got, want) {
			t.Errorf("region %q: open 督办 %v, want %v", region, got, want)
		}
		if region == "" && len(want) == 0 {
			t.Error("the history has no open 督办; the comparison proves nothing")
		}
	}
}

func TestListsRefuseBadInput(t *testing.T) {
	store := MustStore(t)
	r := MustRunner(t, store, t.TempDir())
	ctx := context.Background()
	cal := workday.Default()
	day := workday.NewDate(2026, 7, 1)
	tests := []struct {
		name string
		call func() error
	}{
		{"garbage cursor", func() error {
			_, err := timeline.Overdue(ctx, r, 0, timeline.ListQuery{On: day, Cursor: "!!"}, cal)
			return err
		}},
		{"cursor of the other index", func() error {
			_, err := timeline.Warnings(ctx, r, 0, timeline.ListQuery{On: day, Cursor: "ZHViYW4vMS8yLzM"}, cal, nil) // "duban/1/2/3"
			return err
		}},
		{"limit too large", func() error {
			_, err := timeline.Overdue(ctx, r, 0, timeline.ListQuery{On: day, Limit: timeline.MaxLimit + 1}, cal)
			return err
		}},
		{"no day", func() error {
			_, err := timeline.Overdue(ctx, r, 0, timeline.ListQuery{}, cal)
			return err
		}},
		{"policy out of range", func() error {
			_, err := timeline.Warnings(ctx, r, 0, timeline.ListQuery{On: day}, cal, &workday.WarningPolicy{ShareUsed: 2})
			return err
		}},
	}
	for _, tt := range tests {
		if got, want := domain.ErrorCode(tt.call()), domain.CodeInvalid; got != want {
			t.Errorf("%s: code %q, want %q", tt.name, got, want)
		}
	}
}
