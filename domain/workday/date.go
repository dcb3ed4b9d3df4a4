package workday

import (
	"fmt"
	"time"
)

// china is UTC+08:00. China has kept one offset without daylight saving
// since 1991, so a fixed zone is exact for every date a case can have and
// keeps the result independent of the machine's tz database.
var china = time.FixedZone("UTC+08:00", 8*60*60)

// Date is a civil date, as a Chinese office counts days. The zero Date means
// "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in China (UTC+08:00), whatever t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.In(china).Date()
	return Date{Year: y, Month: m, Day: d}
}

// NewDate returns the date y-m-d, normalised like time.Date (2026-02-30 is
// 2026-03-02).
func NewDate(y int, m time.Month, d int) Date {
	return fromDays(Date{Year: y, Month: m, Day: d}.days())
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date %q is not YYYY-MM-DD", ErrInvalid, s)
	}
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}, nil
}

// parseDateBytes parses a valid "2006-01-02"; ok is false for anything
// ParseDate would refuse (and for nothing it accepts).
func parseDateBytes(b []byte) (Date, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return Date{}, false
	}
	num := func(from, to int) (int, bool) {
		v := 0
		for _, c := range b[from:to] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	m, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || day < 1 {
		return Date{}, false
	}
	d := Date{Year: y, Month: time.Month(m), Day: day}
	if NewDate(y, time.Month(m), day) != d {
		return Date{}, false // a day the month does not have
	}
	return d, true
}

// String formats d as "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Year < 0 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	// Without fmt: every status answer and every stored document formats
	// dates, and Sprintf was 1.9 % of a status query.
	var b [10]byte
	put := func(at, v, n int) {
		for i := at + n - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, d.Year, 4)
	b[4] = '-'
	put(5, int(d.Month), 2)
	b[7] = '-'
	put(8, d.Day, 2)
	return string(b[:])
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real day (not 2026-02-30, not zero).
func (d Date) Valid() bool {
	return !d.IsZero() && NewDate(d.Year, d.Month, d.Day) == d
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

// AddDays returns the date n calendar days after d (before it if n < 0).
func (d Date) AddDays(n int) Date { return fromDays(d.days() + int64(n)) }

// DaysUntil returns the number of calendar days from d to o: positive when o
// is later.
func (d Date) DaysUntil(o Date) int { return int(o.days() - d.days()) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnightUTC().Weekday() }

// Start returns the first instant of d in China (00:00 UTC+08:00).
func (d Date) Start() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, china)
}

// MarshalText encodes d as "2006-01-02"; the zero Date encodes as "" so that
// optional dates can use the omitzero JSON option.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes "2006-01-02", and "" as the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	// Decoding an event reads its dates here: parsed from the bytes, a
	// valid date costs no string (ParseDate's error keeps its argument).
	if v, ok := parseDateBytes(b); ok {
		*d = v
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func (d Date) midnightUTC() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// days numbers dates consecutively (days since 1970-01-01), so that date
// arithmetic is integer arithmetic.
func (d Date) days() int64 { return d.midnightUTC().Unix() / secondsPerDay }

func fromDays(n int64) Date {
	y, m, d := time.Unix(n*secondsPerDay, 0).UTC().Date()
	return Date{Year: y, Month: m, Day: d}
}

const secondsPerDay = 24 * 60 * 60

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
