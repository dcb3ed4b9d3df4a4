package workday

import "fmt"

// Pause is a time during which a limit's clock stops: a supplement (补正)
// awaited from the applicant, or a special procedure (特别程序: hearing,
// inspection, testing, expert review; 行政许可法 Art. 45).
//
// A pause stops the clock on the days in (From, To]. The day it starts is
// still charged to the office, because the office worked on the case that
// day until it asked for the supplement or ordered the procedure. The day it
// ends is not charged: the clock restarts the way it starts at acceptance,
// counting from the next day (行政许可法: the day of acceptance is not
// counted). A pause that starts and ends on the same day stops nothing.
// A zero To is an open pause: the clock is stopped from the day after From
// until further notice.
type Pause struct {
	From Date `json:"from"`
	To   Date `json:"to,omitzero"`
}

// Open reports whether p has not ended.
func (p Pause) Open() bool { return p.To.IsZero() }

// Validate checks that p has a start and does not end before it starts.
func (p Pause) Validate() error {
	if !p.From.Valid() {
		return fmt.Errorf("%w: pause has no valid start date", ErrInvalid)
	}
	if !p.Open() && (!p.To.Valid() || p.To.Before(p.From)) {
		return fmt.Errorf("%w: pause ends on %s, before it starts on %s", ErrInvalid, p.To, p.From)
	}
	return nil
}

// stops reports whether the clock is stopped on d.
func (p Pause) stops(d Date) bool {
	return d.After(p.From) && (p.Open() || !d.After(p.To))
}

// DueDate returns the last day of limit l counted from start (start
// excluded), with the clock stopped during pauses and then extended by
// extension (延长审批, counted in its own unit from where l ran out). A
// working-day limit moves by the paused working days; a natural-day limit
// moves by the paused calendar days. Pauses may overlap; a day is paused at
// most once. Invalid pauses (see Pause.Validate) stop nothing.
//
// ok is false when an open pause stops the clock before the time ran out:
// no date can be promised until the pause ends.
func (c *Calendar) DueDate(start Date, l Limit, pauses []Pause, extension Limit) (due Date, ok bool) {
	stopped := func(d Date) bool {
		for _, p := range pauses {
			if p.Validate() == nil && p.stops(d) {
				return true
			}
		}
		return false
	}
	// An open pause stops every later day: counting past its start would
	// never end.
	var openFrom Date
	for _, p := range pauses {
		if p.Open() && p.Validate() == nil && (openFrom.IsZero() || p.From.Before(openFrom)) {
			openFrom = p.From
		}
	}
	due = start
	for _, lim := range []Limit{l, extension} {
		n := lim.Value
		for n > 0 {
			due = due.AddDays(1)
			if !openFrom.IsZero() && due.After(openFrom) {
				return Date{}, false
			}
			if stopped(due) {
				continue
			}
			if lim.Unit == NaturalDays || c.IsWorkingDay(due) {
				n--
			}
		}
	}
	return due, true
}
