package workday

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrInvalid is wrapped by every error this package returns for bad input:
// malformed dates, limits, pauses and calendar data.
var ErrInvalid = errors.New("invalid")

// Unit is the unit of a time limit, with the one-letter codes of Chinese
// service catalogues.
type Unit string

const (
	// WorkingDays (工作日, "G") skips weekends and public holidays and counts
	// make-up working days (调休上班).
	WorkingDays Unit = "G"
	// NaturalDays (自然日, "Z") counts every calendar day.
	NaturalDays Unit = "Z"
)

// MaxLimitValue bounds a limit's value. Statutory limits are tens of days;
// the bound rejects typing mistakes (2000 for 20) before they become
// promised dates years away.
const MaxLimitValue = 3660

// Limit is a time limit such as 20 working days: {"value":20,"unit":"G"}.
// The zero Limit means "no time" (an immediate item, or no extension).
type Limit struct {
	Value int  `json:"value"`
	Unit  Unit `json:"unit"`
}

// Days returns a limit of n working days.
func Days(n int) Limit { return Limit{Value: n, Unit: WorkingDays} }

// Natural returns a limit of n natural days.
func Natural(n int) Limit { return Limit{Value: n, Unit: NaturalDays} }

// IsZero reports whether l is the zero Limit.
func (l Limit) IsZero() bool { return l == Limit{} }

// Validate checks that l is the zero Limit or has a known unit and a value in
// [0, MaxLimitValue].
func (l Limit) Validate() error {
	if l.IsZero() {
		return nil
	}
	if l.Unit != WorkingDays && l.Unit != NaturalDays {
		return fmt.Errorf("%w: limit unit %q is neither %q (working days) nor %q (natural days)",
			ErrInvalid, string(l.Unit), WorkingDays, NaturalDays)
	}
	if l.Value < 0 || l.Value > MaxLimitValue {
		return fmt.Errorf("%w: limit value %d is outside [0, %d]", ErrInvalid, l.Value, MaxLimitValue)
	}
	return nil
}

// String formats l as "20G" or "30Z".
func (l Limit) String() string { return strconv.Itoa(l.Value) + string(l.Unit) }
