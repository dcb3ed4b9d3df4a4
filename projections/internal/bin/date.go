package bin

import (
	"time"

	"github.com/caseledger/caseledger/domain/workday"
)

// Dates are day offsets from dateEpoch. workday.Date numbers days through
// time.Date (DaysUntil calls it twice; AddDays calls it and time.Unix),
// about 25 ns a date, and every date of every document a commit encodes
// goes through here. Dates of this century take a table of month starts
// instead (BenchmarkDate: 6 ns to write, 11 to read), others Howard
// Hinnant's integer calendar; both give workday's numbers for every real
// date (TestDatesEncodeAsDayOffsets compares them day by day), and dates
// neither covers (not normalised, like 2026-02-30, or out of range) still
// go through workday, so the bytes never change.

// epochDays is dateEpoch's day number (days since 1970-01-01).
var epochDays = daysFromCivil(dateEpoch.Year, int(dateEpoch.Month), dateEpoch.Day)

// maxCivilYear bounds the years the integer calendar handles: far past any
// case, and far from overflowing its arithmetic.
const maxCivilYear = 1 << 20

// dayOffset returns dateEpoch.DaysUntil(d).
func dayOffset(d workday.Date) int64 {
	y, m := d.Year, int(d.Month)
	if m < 1 || m > 12 || d.Day < 1 || d.Day > 28 && d.Day > daysIn(y, m) {
		return int64(dateEpoch.DaysUntil(d))
	}
	if i := (y-firstTableYear)*12 + m - 1; uint(i) < uint(len(monthStarts)) {
		return int64(monthStarts[i]) + int64(d.Day-1)
	}
	if y < -maxCivilYear || y > maxCivilYear {
		return int64(dateEpoch.DaysUntil(d))
	}
	return daysFromCivil(y, m, d.Day) - epochDays
}

// monthStarts holds the offset of the first day of every month of the
// hundred years from firstTableYear, where nearly every stored date lies.
// tableEnd is the offset of the day after them.
const firstTableYear = 2000

var tableEnd = daysFromCivil(firstTableYear+len(monthStarts)/12, 1, 1) - epochDays

var monthStarts = func() (t [100 * 12]int32) {
	for i := range t {
		t[i] = int32(daysFromCivil(firstTableYear+i/12, i%12+1, 1) - epochDays)
	}
	return t
}()

// dateAt returns dateEpoch.AddDays(n).
func dateAt(n int64) workday.Date {
	if first := int64(monthStarts[0]); n >= first && n < tableEnd {
		// Months are 30.44 days on average, and a month's start strays
		// from that line by under three days: the estimate is the month
		// or one of its neighbours.
		i := int((n - first) * int64(len(monthStarts)) / (tableEnd - first))
		if i+1 < len(monthStarts) && int64(monthStarts[i+1]) <= n {
			i++
		} else if int64(monthStarts[i]) > n {
			i--
		}
		return workday.Date{Year: firstTableYear + i/12, Month: time.Month(i%12 + 1), Day: int(n-int64(monthStarts[i])) + 1}
	}
	const maxDays = maxCivilYear * 365
	if n < -maxDays || n > maxDays {
		return dateEpoch.AddDays(int(n))
	}
	y, m, d := civilFromDays(n + epochDays)
	return workday.Date{Year: y, Month: time.Month(m), Day: d}
}

// daysFromCivil numbers y-m-d (a real date) from 1970-01-01, in the
// proleptic Gregorian calendar as package time does: Howard Hinnant's
// days_from_civil, with March as the first month of a year so that the
// leap day comes last.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400                     // [0, 399]
	doy := (153*((m+9)%12)+2)/5 + d - 1    // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return int64(era)*146097 + int64(doe) - 719468
}

// civilFromDays is daysFromCivil's inverse.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := int(z - era*146097)                             // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], March first
	d = doy - (153*mp+2)/5 + 1
	if m = mp + 3; m > 12 {
		m -= 12
	}
	y = yoe + int(era)*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
