package casegen

import (
	"math/rand/v2"
	"time"

	"github.com/caseledger/caseledger/domain/workday"
)

// china is UTC+08:00, the offset of every generated time (China keeps no
// daylight saving, so a fixed zone is exact).
var china = time.FixedZone("UTC+08:00", 8*60*60)

// shift is the part of a working day someone acts in, as half-open
// [start, end) ranges of minutes since midnight.
type shift []period

type period struct{ start, end int }

var (
	// officeHours are a service centre's: 9:00-12:00 and 14:00-17:30.
	officeHours = shift{{9 * 60, 12 * 60}, {14 * 60, 17*60 + 30}}
	// onlineHours are when applicants use the web and mobile channels.
	onlineHours = shift{{8 * 60, 22 * 60}}
)

// watcherMinute is when the deadline watcher runs each working day, before
// the offices open, so a yellow warning on the due day precedes the day's
// work.
const watcherMinute = 8*60 + 30

func (s shift) minutes() int {
	n := 0
	for _, p := range s {
		n += p.end - p.start
	}
	return n
}

// index returns the number of the shift's minutes that start before
// minute-of-day m, so index(m) is the first shift minute at or after m.
func (s shift) index(m int) int {
	n := 0
	for _, p := range s {
		switch {
		case m <= p.start:
			return n
		case m < p.end:
			return n + m - p.start
		}
		n += p.end - p.start
	}
	return n
}

// at returns the time of the i-th minute of the shift on day d, plus sec.
func (s shift) at(d workday.Date, i, sec int) time.Time {
	for _, p := range s {
		if i < p.end-p.start {
			m := p.start + i
			return time.Date(d.Year, d.Month, d.Day, m/60, m%60, sec, 0, china)
		}
		i -= p.end - p.start
	}
	panic("casegen: shift minute out of range")
}

// clock places actions on working days, inside shifts.
type clock struct {
	cal *workday.Calendar
}

// day returns the working day n working days after t's date, or for n = 0
// t's date if it is a working day and the next working day otherwise.
func (c clock) day(t time.Time, n int) workday.Date {
	d := workday.DateOf(t)
	if n > 0 || !c.cal.IsWorkingDay(d) {
		d = c.cal.AddWorkingDays(d, max(n, 1))
	}
	return d
}

// within returns a random moment of s on the working day n working days
// after t's date, strictly after t; when t's day has no shift time left
// after t, the moment falls on the next working day.
func (c clock) within(r *rand.Rand, s shift, t time.Time, n int) time.Time {
	d := c.day(t, n)
	lo := 0
	if d == workday.DateOf(t) {
		lt := t.In(china)
		lo = s.index(lt.Hour()*60 + lt.Minute() + 1) // the next whole minute
	}
	// Nobody starts on something in the last half hour, so what follows
	// within the hour (see soon) still fits in the day.
	end := s.minutes() - 30
	if lo >= end {
		d, lo = c.cal.AddWorkingDays(d, 1), 0
	}
	return s.at(d, lo+r.IntN(end-lo), r.IntN(60))
}

// soon returns a moment 1 to span minutes of s after t, cut short near
// the end of the day's shift: what is started today is finished today, and
// only a moment after the last minute of the shift moves to the next
// working day.
func (c clock) soon(r *rand.Rand, s shift, t time.Time, span int) time.Time {
	d := c.day(t, 0)
	i := 0
	if d == workday.DateOf(t) {
		lt := t.In(china)
		i = s.index(lt.Hour()*60 + lt.Minute() + 1)
	}
	if i >= s.minutes() {
		d, i = c.cal.AddWorkingDays(d, 1), 0
	}
	// Each step takes at most a quarter of what is left of the day, so a
	// chain of steps ends the same day.
	return s.at(d, i+r.IntN(max(1, min(span, (s.minutes()-i)/4))), r.IntN(60))
}

// watch returns the deadline watcher's run on day d, or on the next working
// day when d's run is not after t.
func (c clock) watch(d workday.Date, t time.Time) time.Time {
	if !c.cal.IsWorkingDay(d) {
		d = c.cal.AddWorkingDays(d, 1)
	}
	at := time.Date(d.Year, d.Month, d.Day, watcherMinute/60, watcherMinute%60, 0, 0, china)
	for !at.After(t) {
		d = c.cal.AddWorkingDays(d, 1)
		at = time.Date(d.Year, d.Month, d.Day, watcherMinute/60, watcherMinute%60, 0, 0, china)
	}
	return at
}
