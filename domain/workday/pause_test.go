package workday_test

import (
	"errors"
	"testing"

	"github.com/caseledger/caseledger/domain/workday"
)

func TestDueDateWithPausesAndExtensions(t *testing.T) {
	type pause struct{ from, to string } // to "" is an open pause
	tests := []struct {
		name      string
		start     string
		limit     workday.Limit
		pauses    []pause
		extension workday.Limit
		want      string // "" when no date can be promised
	}{
		{"no pause is Due", "2026-02-12", workday.Days(5), nil, workday.Limit{}, "2026-02-26"},
		{"pause start day is charged, end day is not",
			"2026-03-02", workday.Days(5), []pause{{"2026-03-04", "2026-03-06"}}, workday.Limit{}, "2026-03-11"},
		{"same-day pause stops nothing",
			"2026-03-02", workday.Days(5), []pause{{"2026-03-04", "2026-03-04"}}, workday.Limit{}, "2026-03-09"},
		{"pause across the Spring Festival moves by the paused working days only",
			// (02-12, 02-25] holds 4 working days: 02-13, the make-up 02-14, 02-24, 02-25.
			"2026-02-10", workday.Days(5), []pause{{"2026-02-12", "2026-02-25"}}, workday.Limit{}, "2026-02-28"},
		{"pause over holidays only costs a working-day limit nothing",
			"2026-02-10", workday.Days(5), []pause{{"2026-02-14", "2026-02-23"}}, workday.Limit{}, "2026-02-24"},
		{"overlapping pauses stop each day once",
			"2026-02-10", workday.Days(5), []pause{{"2026-02-12", "2026-02-25"}, {"2026-02-20", "2026-02-27"}}, workday.Limit{}, "2026-03-03"},
		{"natural days move by paused calendar days, holidays included",
			"2026-02-12", workday.Natural(10), []pause{{"2026-02-13", "2026-02-16"}}, workday.Limit{}, "2026-02-25"},
		{"pause before acceptance stops nothing",
			"2026-03-02", workday.Days(5), []pause{{"2026-02-24", "2026-03-02"}}, workday.Limit{}, "2026-03-09"},
		{"invalid pause ending before it starts stops nothing",
			"2026-03-02", workday.Days(5), []pause{{"2026-03-06", "2026-03-04"}}, workday.Limit{}, "2026-03-09"},
		{"extension of 10 working days after 20",
			"2026-02-12", workday.Days(20), nil, workday.Days(10), "2026-04-01"},
		{"extension in natural days counts from where the limit ran out",
			"2026-02-12", workday.Days(5), nil, workday.Natural(3), "2026-03-01"},
		{"pause during the extension moves it",
			"2026-02-12", workday.Days(20), []pause{{"2026-03-24", "2026-03-26"}}, workday.Days(10), "2026-04-03"},
		{"open pause before the time runs out: no date",
			"2026-03-02", workday.Days(5), []pause{{"2026-03-04", ""}}, workday.Limit{}, ""},
		{"open pause starting on the due day: the due day stands",
			"2026-03-02", workday.Days(5), []pause{{"2026-03-09", ""}}, workday.Limit{}, "2026-03-09"},
		{"open pause after the due day: the due day stands",
			"2026-03-02", workday.Days(5), []pause{{"2026-03-20", ""}}, workday.Limit{}, "2026-03-09"},
		{"closed pause then open pause",
			"2026-03-02", workday.Days(5), []pause{{"2026-03-03", "2026-03-05"}, {"2026-03-10", ""}}, workday.Limit{}, ""},
	}
	c := workday.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps []workday.Pause
			for _, p := range tt.pauses {
				wp := workday.Pause{From: mustDate(t, p.from)}
				if p.to != "" {
					wp.To = mustDate(t, p.to)
				}
				ps = append(ps, wp)
			}
			got, ok := c.DueDate(mustDate(t, tt.start), tt.limit, ps, tt.extension)
			if tt.want == "" {
				if ok {
					t.Errorf("DueDate = %s, want no date (open pause)", got)
				}
				return
			}
			if !ok || got.String() != tt.want {
				t.Errorf("DueDate = %s, %v, want %s, true", got, ok, tt.want)
			}
		})
	}
}

// TestPausedWorkingDaysMoveTheDueDate pins the rule of Pause against Due:
// a closed pause inside the limit moves the due date by exactly the working
// days in (From, To].
func TestPausedWorkingDaysMoveTheDueDate(t *testing.T) {
	c := workday.Default()
	start := mustDate(t, "2026-01-29")
	for from := start; from.Before(mustDate(t, "2026-02-20")); from = from.AddDays(1) {
		for length := 0; length < 15; length++ {
			p := workday.Pause{From: from, To: from.AddDays(length)}
			got, ok := c.DueDate(start, workday.Days(20), []workday.Pause{p}, workday.Limit{})
			want := c.AddWorkingDays(c.Due(start, workday.Days(20)), c.WorkingDaysBetween(p.From, p.To))
			if !ok || got != want {
				t.Fatalf("pause %s..%s: DueDate = %s, %v, want %s", p.From, p.To, got, ok, want)
			}
		}
	}
}

func TestPauseValidate(t *testing.T) {
	tests := []struct {
		name  string
		p     workday.Pause
		valid bool
	}{
		{"closed", workday.Pause{From: mustDate(t, "2026-03-02"), To: mustDate(t, "2026-03-04")}, true},
		{"same day", workday.Pause{From: mustDate(t, "2026-03-02"), To: mustDate(t, "2026-03-02")}, true},
		{"open", workday.Pause{From: mustDate(t, "2026-03-02")}, true},
		{"no start", workday.Pause{To: mustDate(t, "2026-03-02")}, false},
		{"ends before it starts", workday.Pause{From: mustDate(t, "2026-03-04"), To: mustDate(t, "2026-03-02")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if got := err == nil; got != tt.valid {
				t.Errorf("Validate() = %v, want valid %v", err, tt.valid)
			}
			if err != nil && !errors.Is(err, workday.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if got, want := tt.p.Open(), tt.p.To.IsZero(); got != want {
				t.Errorf("Open() = %v, want %v", got, want)
			}
		})
	}
}
