package workday_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain/workday"
)

// checkInverse checks that AddWorkingDays and WorkingDaysBetween are
// inverse from start: n working days after start is the first day at which
// n working days have passed.
func checkInverse(t *testing.T, c *workday.Calendar, start workday.Date, n int) {
	t.Helper()
	due := c.AddWorkingDays(start, n)
	if got := c.WorkingDaysBetween(start, due); got != n {
		t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(%s, %d) = %s) = %d", start, start, n, due, got)
	}
	if n == 0 {
		return
	}
	if !c.IsWorkingDay(due) {
		t.Fatalf("AddWorkingDays(%s, %d) = %s, not a working day", start, n, due)
	}
	if got := c.WorkingDaysBetween(start, due.AddDays(-1)); got != n-1 {
		t.Fatalf("the day before AddWorkingDays(%s, %d) = %s already has %d working days, want %d", start, n, due, got, n-1)
	}
}

// TestAddAndBetweenAreInverse sweeps every start date from December 2024 to
// January 2027 (every seventh in -short mode), through both shipped years
// and into the fallback years on each side.
func TestAddAndBetweenAreInverse(t *testing.T) {
	c := workday.Default()
	step := 1
	if testing.Short() {
		step = 7
	}
	end := mustDate(t, "2027-01-15")
	for start := mustDate(t, "2024-12-01"); start.Before(end); start = start.AddDays(step) {
		for n := 0; n <= 45; n++ {
			checkInverse(t, c, start, n)
		}
		// And the other way round: the working days up to a date lead back
		// to the last working day on or before it.
		to := start.AddDays(30)
		m := c.WorkingDaysBetween(start, to)
		if got := c.AddWorkingDays(start, m); got.After(to) || c.AddWorkingDays(start, m+1).Compare(to) <= 0 {
			t.Fatalf("AddWorkingDays(%s, WorkingDaysBetween(%s, %s) = %d) = %s", start, start, to, m, got)
		}
	}
}

func FuzzAddWorkingDaysInverse(f *testing.F) {
	f.Add(int16(0), uint8(5))     // 2026-02-12 + 5
	f.Add(int16(224), uint8(5))   // 2026-09-24 + 5
	f.Add(int16(77), uint8(3))    // 2026-04-30 + 3
	f.Add(int16(-420), uint8(20)) // December 2024, fallback into 2025
	f.Add(int16(320), uint8(250)) // across the end of 2026
	c := workday.Default()
	base := workday.NewDate(2026, 2, 12)
	f.Fuzz(func(t *testing.T, offset int16, n uint8) {
		checkInverse(t, c, base.AddDays(int(offset)), int(n))
	})
}
