package workday_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/domain/workday"
)

// TestWorkedExamples are the examples of DOMAIN.md: the day of acceptance is
// not counted.
func TestWorkedExamples(t *testing.T) {
	tests := []struct {
		accepted string
		n        int
		want     string
	}{
		{"2026-02-12", 5, "2026-02-26"},  // Sat 02-14 is worked, Spring Festival off
		{"2026-02-12", 20, "2026-03-18"}, // Sat 02-28 is worked too
		{"2026-09-24", 5, "2026-10-09"},  // Mid-Autumn and National Day
		{"2026-04-30", 3, "2026-05-08"},  // Labour Day; Sat 05-09 would be the 4th
	}
	c := workday.Default()
	for _, tt := range tests {
		t.Run(tt.accepted, func(t *testing.T) {
			from := mustDate(t, tt.accepted)
			if got := c.AddWorkingDays(from, tt.n).String(); got != tt.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.accepted, tt.n, got, tt.want)
			}
			if got := c.Due(from, workday.Days(tt.n)).String(); got != tt.want {
				t.Errorf("Due(%s, %dG) = %s, want %s", tt.accepted, tt.n, got, tt.want)
			}
			if got := c.WorkingDaysBetween(from, mustDate(t, tt.want)); got != tt.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.accepted, tt.want, got, tt.n)
			}
		})
	}
}

func TestEachShippedYearHas248WorkingDays(t *testing.T) {
	c := workday.Default()
	for _, year := range []int{2025, 2026} {
		newYearsEve := workday.NewDate(year-1, 12, 31)
		last := workday.NewDate(year, 12, 31)
		if got, want := c.WorkingDaysBetween(newYearsEve, last), 248; got != want {
			t.Errorf("%d has %d working days, want %d", year, got, want)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		date string
		want bool
		why  string
	}{
		{"2026-02-13", true, "ordinary Friday"},
		{"2026-02-14", true, "Saturday make-up working day"},
		{"2026-02-28", true, "Saturday make-up working day"},
		{"2026-01-04", true, "Sunday make-up working day"},
		{"2026-02-16", false, "Spring Festival on a Monday"},
		{"2026-02-23", false, "last day of the Spring Festival"},
		{"2026-02-24", true, "back to work"},
		{"2026-03-07", false, "ordinary Saturday"},
		{"2025-10-08", false, "National Day 2025, a Wednesday"},
		{"2025-10-11", true, "Saturday make-up working day 2025"},
		{"2025-05-02", false, "the new 2 May holiday"},
		{"2026-09-20", true, "Sunday make-up working day"},
		{"2026-10-10", true, "Saturday make-up working day"},
	}
	c := workday.Default()
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.why, func(t *testing.T) {
			if got := c.IsWorkingDay(mustDate(t, tt.date)); got != tt.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.date, got, tt.want)
			}
		})
	}
}

func TestHolidayNames(t *testing.T) {
	c := workday.Default()
	if got, ok := c.Holiday(mustDate(t, "2026-02-17")); !ok || got != "春节" {
		t.Errorf("Holiday(2026-02-17) = %q, %v, want 春节, true", got, ok)
	}
	if got, ok := c.Holiday(mustDate(t, "2026-02-14")); ok {
		t.Errorf("Holiday(2026-02-14) = %q, true; a make-up working day is no holiday", got)
	}
}

func TestYearsOutsideTheDataFallBackToWeekends(t *testing.T) {
	c := workday.Default()
	if got, want := c.Years(), []int{2025, 2026}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Years() = %v, want %v", got, want)
	}
	tests := []struct {
		date   string
		covers bool
		want   bool
	}{
		{"2027-01-01", false, true}, // New Year's Day, unknown until the 2027 notice: a Friday counts
		{"2027-01-02", false, false},
		{"2024-10-01", false, true}, // a Tuesday; 2024 is not in the shipped data
		{"2026-01-01", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			d := mustDate(t, tt.date)
			if got := c.Covers(d.Year); got != tt.covers {
				t.Errorf("Covers(%d) = %v, want %v", d.Year, got, tt.covers)
			}
			if got := c.IsWorkingDay(d); got != tt.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.date, got, tt.want)
			}
		})
	}
	// Counting runs from the covered 2026 into the fallback 2027.
	if got, want := c.AddWorkingDays(mustDate(t, "2026-12-30"), 3).String(), "2027-01-04"; got != want {
		t.Errorf("AddWorkingDays(2026-12-30, 3) = %s, want %s", got, want)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-02-12", "2026-02-12", 0},
		{"2026-02-13", "2026-02-23", 1},  // only the make-up Saturday
		{"2026-02-14", "2026-02-24", 1},  // from excluded, to included
		{"2026-02-24", "2026-02-14", -1}, // reversed
		{"2026-03-02", "2026-03-09", 5},
	}
	c := workday.Default()
	for _, tt := range tests {
		t.Run(tt.from+".."+tt.to, func(t *testing.T) {
			if got := c.WorkingDaysBetween(mustDate(t, tt.from), mustDate(t, tt.to)); got != tt.want {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestAddWorkingDaysEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero days is the day itself, even a holiday", "2026-02-16", 0, "2026-02-16"},
		{"accepted on a holiday counts from the next working day", "2026-02-16", 1, "2026-02-24"},
		{"backwards skips the holiday", "2026-02-24", -1, "2026-02-14"},
		{"backwards from a Monday", "2026-03-09", -1, "2026-03-06"},
	}
	c := workday.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.AddWorkingDays(mustDate(t, tt.from), tt.n).String(); got != tt.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestDueInNaturalDaysCountsEveryDay(t *testing.T) {
	c := workday.Default()
	tests := []struct {
		start string
		l     workday.Limit
		want  string
	}{
		{"2026-02-12", workday.Natural(7), "2026-02-19"}, // holidays count
		{"2026-09-24", workday.Natural(10), "2026-10-04"},
		{"2026-02-12", workday.Limit{}, "2026-02-12"},
	}
	for _, tt := range tests {
		if got := c.Due(mustDate(t, tt.start), tt.l).String(); got != tt.want {
			t.Errorf("Due(%s, %v) = %s, want %s", tt.start, tt.l, got, tt.want)
		}
	}
}

const twoDayCalendar = `{"version":"test-1","years":{"2030":{
  "holidays":[{"name":"元旦","days":["2030-01-01"]}],
  "workdays":["2030-01-05"]}}}`

func TestParsedCalendarReplacesTheShippedOne(t *testing.T) {
	c := mustParse(t, twoDayCalendar)
	if got, want := c.Version(), "test-1"; got != want {
		t.Errorf("Version() = %q, want %q", got, want)
	}
	if !c.Covers(2030) || c.Covers(2026) {
		t.Errorf("Covers: 2030 %v, 2026 %v; want true, false", c.Covers(2030), c.Covers(2026))
	}
	if c.IsWorkingDay(mustDate(t, "2030-01-01")) || !c.IsWorkingDay(mustDate(t, "2030-01-05")) {
		t.Error("holiday or make-up working day of the parsed data not applied")
	}
	// 2026-02-16 is a Spring Festival Monday in the shipped data only.
	if !c.IsWorkingDay(mustDate(t, "2026-02-16")) {
		t.Error("the parsed calendar still uses the shipped holidays")
	}
}

func TestVersionWithoutAFieldIsTheContentHash(t *testing.T) {
	a := mustParse(t, `{"years":{"2030":{"holidays":[],"workdays":[]}}}`)
	b := mustParse(t, `{"years":{"2030":{"holidays":[{"name":"x","days":["2030-01-01"]}]}}}`)
	if !strings.HasPrefix(a.Version(), "sha256:") || len(a.Version()) != len("sha256:")+16 {
		t.Errorf("Version() = %q, want sha256: and 16 hex digits", a.Version())
	}
	if a.Version() == b.Version() {
		t.Errorf("different data share version %q", a.Version())
	}
	if got, want := workday.Default().Version(), "cn-2025-2026@2025-11-04"; got != want {
		t.Errorf("Default().Version() = %q, want %q", got, want)
	}
}

func TestParseRejectsBadCalendarData(t *testing.T) {
	tests := []struct {
		name, data, wantMsg string
	}{
		{"not JSON", `{`, "calendar data"},
		{"trailing data", `{"years":{"2030":{}}} {}`, "trailing data"},
		{"no years", `{"version":"x","years":{}}`, "no years"},
		{"misspelt key", `{"years":{"2030":{"holiday":[]}}}`, `unknown field "holiday"`},
		{"year key not a year", `{"years":{"20x0":{}}}`, "year 20x0: key is not a year"},
		{"bad date", `{"years":{"2030":{"workdays":["2030-1-5"]}}}`, `"2030-1-5" is not a YYYY-MM-DD date`},
		{"date of another year", `{"years":{"2030":{"holidays":[{"name":"元旦","days":["2031-01-01"]}]}}}`, "2031-01-01 is not in 2030"},
		{"unnamed holiday", `{"years":{"2030":{"holidays":[{"days":["2030-01-01"]}]}}}`, "holiday #1 has no name"},
		{"holiday without days", `{"years":{"2030":{"holidays":[{"name":"元旦","days":[]}]}}}`, "holiday 元旦 has no days"},
		{"day listed twice", `{"years":{"2030":{"holidays":[{"name":"a","days":["2030-01-01"]},{"name":"b","days":["2030-01-01"]}]}}}`, "2030-01-01 is listed twice"},
		{"holiday and make-up day at once", `{"years":{"2030":{"holidays":[{"name":"a","days":["2030-01-05"]}],"workdays":["2030-01-05"]}}}`, "2030-01-05 is listed twice"},
		{"make-up day on a weekday", `{"years":{"2030":{"workdays":["2030-01-07"]}}}`, "2030-01-07 is a Monday, not a weekend day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := workday.Parse([]byte(tt.data))
			if !errors.Is(err, workday.ErrInvalid) {
				t.Fatalf("Parse error = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Parse error = %q, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}
