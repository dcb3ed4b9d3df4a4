package workday_test

import (
	"errors"
	"math"
	"testing"

	"github.com/caseledger/caseledger/domain/workday"
)

func TestStateAtMovesFromOnTimeToWarningToOverdue(t *testing.T) {
	// Accepted Monday 2026-03-02 with 10 working days: due Monday 2026-03-16.
	tests := []struct {
		at       string
		policy   workday.WarningPolicy
		want     workday.State
		wantLeft int
	}{
		{"2026-03-02", workday.DefaultWarningPolicy(), workday.OnTime, 10},
		{"2026-03-11", workday.DefaultWarningPolicy(), workday.OnTime, 3},  // 70% used
		{"2026-03-12", workday.DefaultWarningPolicy(), workday.Warning, 2}, // 80% used
		{"2026-03-13", workday.DefaultWarningPolicy(), workday.Warning, 1},
		{"2026-03-14", workday.DefaultWarningPolicy(), workday.Warning, 1}, // Saturday
		{"2026-03-16", workday.DefaultWarningPolicy(), workday.Warning, 0}, // the due day is still on time
		{"2026-03-17", workday.DefaultWarningPolicy(), workday.Overdue, -1},
		{"2026-03-21", workday.DefaultWarningPolicy(), workday.Overdue, -4},
		{"2026-03-12", workday.WarningPolicy{}, workday.OnTime, 2}, // share disabled
		{"2026-03-13", workday.WarningPolicy{}, workday.OnTime, 1},
		{"2026-03-16", workday.WarningPolicy{}, workday.Warning, 0}, // zero policy warns on the due day
		{"2026-03-06", workday.WarningPolicy{ShareUsed: 0.4}, workday.Warning, 6},
		{"2026-03-05", workday.WarningPolicy{ShareUsed: 0.4}, workday.OnTime, 7},
		{"2026-03-09", workday.WarningPolicy{DaysLeft: 5}, workday.Warning, 5},
	}
	c := workday.Default()
	start, due := mustDate(t, "2026-03-02"), mustDate(t, "2026-03-16")
	if got := c.Due(start, workday.Days(10)); got != due {
		t.Fatalf("Due = %s, want %s", got, due)
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			got, left := c.StateAt(start, due, mustDate(t, tt.at), tt.policy)
			if got != tt.want || left != tt.wantLeft {
				t.Errorf("StateAt(%s, %+v) = %s, %d, want %s, %d", tt.at, tt.policy, got, left, tt.want, tt.wantLeft)
			}
		})
	}
}

func TestOverdueOnAHolidayCountsAtLeastOneDay(t *testing.T) {
	c := workday.Default()
	// Due on the make-up Saturday 2026-02-14; the next days are the Spring
	// Festival, with no working day in between.
	start, due := mustDate(t, "2026-02-13"), mustDate(t, "2026-02-14")
	got, left := c.StateAt(start, due, mustDate(t, "2026-02-16"), workday.DefaultWarningPolicy())
	if got != workday.Overdue || left != -1 {
		t.Errorf("StateAt = %s, %d, want %s, -1", got, left, workday.Overdue)
	}
}

func TestWarningPolicyValidate(t *testing.T) {
	tests := []struct {
		name  string
		p     workday.WarningPolicy
		valid bool
	}{
		{"default", workday.DefaultWarningPolicy(), true},
		{"zero", workday.WarningPolicy{}, true},
		{"all of the time", workday.WarningPolicy{ShareUsed: 1}, true},
		{"share above one", workday.WarningPolicy{ShareUsed: 1.1}, false},
		{"negative share", workday.WarningPolicy{ShareUsed: -0.1}, false},
		{"NaN share", workday.WarningPolicy{ShareUsed: math.NaN()}, false},
		{"negative days", workday.WarningPolicy{DaysLeft: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if got := err == nil; got != tt.valid {
				t.Errorf("Validate(%+v) = %v, want valid %v", tt.p, err, tt.valid)
			}
			if err != nil && !errors.Is(err, workday.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}
