package workday

import "fmt"

// State is where a case or item stands against its due date.
type State string

const (
	// OnTime: the due date is ahead and no warning threshold is reached.
	OnTime State = "on_time"
	// Warning (yellow): a threshold of the WarningPolicy is reached but the
	// due date has not passed.
	Warning State = "warning"
	// Overdue (red): the due date has passed.
	Overdue State = "overdue"
)

// WarningPolicy says when a case turns yellow. No national threshold exists
// (DOMAIN.md: Guangdong and Chengdu warn before the due date, one municipal
// rule 1 working day ahead), so both thresholds are settings.
type WarningPolicy struct {
	// ShareUsed warns once this share of the working days between start and
	// due has elapsed, in [0, 1]; 0 disables this threshold.
	ShareUsed float64 `json:"share_used"`
	// DaysLeft warns when this many working days or fewer remain before the
	// due date; 0 warns on the due day itself.
	DaysLeft int `json:"days_left"`
}

// DefaultWarningPolicy warns when 80% of the time is used or 1 working day
// remains (the municipal rule cited in DOMAIN.md), whichever comes first.
func DefaultWarningPolicy() WarningPolicy {
	return WarningPolicy{ShareUsed: 0.8, DaysLeft: 1}
}

// Validate checks the ranges documented on the fields.
func (p WarningPolicy) Validate() error {
	if !(p.ShareUsed >= 0 && p.ShareUsed <= 1) { // also rejects NaN
		return fmt.Errorf("%w: warning share_used %v is outside [0, 1]", ErrInvalid, p.ShareUsed)
	}
	if p.DaysLeft < 0 || p.DaysLeft > MaxLimitValue {
		return fmt.Errorf("%w: warning days_left %d is outside [0, %d]", ErrInvalid, p.DaysLeft, MaxLimitValue)
	}
	return nil
}

// StateAt returns the state, on day at, of a limit that started on start and
// is due on due (see DueDate), and the working days left: those in (at, due],
// or, once overdue, minus those in (due, at] and at most -1, since a limit is
// overdue from the day after its due date even when that day is a holiday.
func (c *Calendar) StateAt(start, due, at Date, p WarningPolicy) (State, int) {
	if at.After(due) {
		return Overdue, min(-1, c.WorkingDaysBetween(at, due))
	}
	left := c.WorkingDaysBetween(at, due)
	if left <= p.DaysLeft {
		return Warning, left
	}
	if p.ShareUsed > 0 {
		total := c.WorkingDaysBetween(start, due)
		used := total - left
		if total > 0 && float64(used) >= p.ShareUsed*float64(total) {
			return Warning, left
		}
	}
	return OnTime, left
}
