package workday

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
)

//go:embed data/cn-2025-2026.json
var defaultData []byte

// defaultCalendar is parsed once at start-up and never changed; a bad shipped
// file is a build defect, caught by the package's tests.
var defaultCalendar = mustParse(defaultData)

// Default returns the calendar shipped in the binary (2025 and 2026, as
// published by the State Council General Office). It is shared and
// read-only.
func Default() *Calendar { return defaultCalendar }

// Calendar says which days are working days. It is immutable and safe for
// concurrent use.
//
// For a year the data covers, a day is a working day when it is listed as a
// make-up working day, or it is Monday to Friday and not listed as a holiday.
// For a year the data does not cover (see Covers), only weekends are off:
// deadlines there are provisional until the year's schedule is published
// and loaded.
type Calendar struct {
	version  string
	years    map[int]*yearDays
	holidays map[Date]string // the holiday's name, for display
}

type dayKind uint8

const (
	ordinary dayKind = iota
	holiday
	makeUpWorkday
)

// yearDays is indexed by the day of the year (1..366).
type yearDays [367]dayKind

// file is the JSON form of calendar data. Unknown fields are rejected so
// that a misspelt key cannot silently turn holidays into working days.
type file struct {
	Version     string              `json:"version"`
	Description string              `json:"description"`
	Source      map[string]string   `json:"source"`
	Years       map[string]yearFile `json:"years"`
}

type yearFile struct {
	Holidays []holidayFile `json:"holidays"`
	Workdays []string      `json:"workdays"`
}

type holidayFile struct {
	Name string   `json:"name"`
	Days []string `json:"days"`
}

// Parse reads calendar data in the format of data/cn-2025-2026.json: per
// year, named holidays (off days, inclusive) and make-up working days. A
// newer file replaces the shipped one wholesale.
//
// The version is the file's "version" field, or, when it has none,
// "sha256:" and the first 16 hex digits of the file's SHA-256, so that two
// different files never share a version by accident of omission.
func Parse(b []byte) (*Calendar, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: calendar data: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: calendar data: trailing data after the JSON object", ErrInvalid)
	}
	if len(f.Years) == 0 {
		return nil, fmt.Errorf("%w: calendar data: no years", ErrInvalid)
	}
	c := &Calendar{
		version:  f.Version,
		years:    make(map[int]*yearDays, len(f.Years)),
		holidays: make(map[Date]string),
	}
	if c.version == "" {
		sum := sha256.Sum256(b)
		c.version = "sha256:" + hex.EncodeToString(sum[:8])
	}
	keys := make([]string, 0, len(f.Years))
	for k := range f.Years {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the first error deterministically
	for _, k := range keys {
		if err := c.addYear(k, f.Years[k]); err != nil {
			return nil, fmt.Errorf("%w: calendar data: year %s: %v", ErrInvalid, k, err)
		}
	}
	return c, nil
}

func (c *Calendar) addYear(key string, yf yearFile) error {
	year, err := strconv.Atoi(key)
	if err != nil || year < 1949 || year > 9999 || strconv.Itoa(year) != key {
		return fmt.Errorf("key is not a year from 1949 to 9999")
	}
	days := new(yearDays)
	parse := func(s string) (Date, error) {
		d, err := ParseDate(s)
		if err != nil {
			return Date{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
		}
		if d.Year != year {
			return Date{}, fmt.Errorf("%s is not in %d", d, year)
		}
		if k := days[d.yearDay()]; k != ordinary {
			return Date{}, fmt.Errorf("%s is listed twice", d)
		}
		return d, nil
	}
	for i, h := range yf.Holidays {
		if h.Name == "" {
			return fmt.Errorf("holiday #%d has no name", i+1)
		}
		if len(h.Days) == 0 {
			return fmt.Errorf("holiday %s has no days", h.Name)
		}
		for _, s := range h.Days {
			d, err := parse(s)
			if err != nil {
				return fmt.Errorf("holiday %s: %v", h.Name, err)
			}
			days[d.yearDay()] = holiday
			c.holidays[d] = h.Name
		}
	}
	for _, s := range yf.Workdays {
		d, err := parse(s)
		if err != nil {
			return fmt.Errorf("make-up working day: %v", err)
		}
		if !isWeekend(d) {
			// A make-up working day exists to replace a weekend day; one on a
			// weekday is a typing mistake that would otherwise go unnoticed.
			return fmt.Errorf("make-up working day %s is a %s, not a weekend day", d, d.Weekday())
		}
		days[d.yearDay()] = makeUpWorkday
	}
	c.years[year] = days
	return nil
}

func mustParse(b []byte) *Calendar {
	c, err := Parse(b)
	if err != nil {
		panic("workday: shipped calendar: " + err.Error())
	}
	return c
}

// Version identifies the calendar data, so that a case can record the
// calendar its deadlines were computed under and a replay can use the same.
func (c *Calendar) Version() string { return c.version }

// Covers reports whether the data lists year's holidays. Outside the covered
// years every Monday to Friday counts as a working day.
func (c *Calendar) Covers(year int) bool { return c.years[year] != nil }

// Years returns the covered years in ascending order.
func (c *Calendar) Years() []int {
	ys := make([]int, 0, len(c.years))
	for y := range c.years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

// IsWorkingDay reports whether d is a working day.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if days := c.years[d.Year]; days != nil {
		switch days[d.yearDay()] {
		case holiday:
			return false
		case makeUpWorkday:
			return true
		}
	}
	return !isWeekend(d)
}

// Holiday returns the name of the public holiday d belongs to, if any.
func (c *Calendar) Holiday(d Date) (string, bool) {
	name, ok := c.holidays[d]
	return name, ok
}

// AddWorkingDays returns the n-th working day after from. The day from is
// not counted (行政许可法: counting starts the day after acceptance), so
// AddWorkingDays(from, 0) is from itself, even when from is a holiday. A
// negative n returns the |n|-th working day before from.
//
// For n >= 0, WorkingDaysBetween(from, AddWorkingDays(from, n)) == n.
func (c *Calendar) AddWorkingDays(from Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := from
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween returns the number of working days in (from, to]: from
// excluded, to included. It is negative, -(working days in (to, from]),
// when to is before from.
func (c *Calendar) WorkingDaysBetween(from, to Date) int {
	sign := 1
	if to.Before(from) {
		sign, from, to = -1, to, from
	}
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return sign * n
}

// Due returns the last day of limit l counted from start, start excluded: the
// l.Value-th working day after start for working days, start + l.Value for
// natural days. The zero Limit is due on start.
func (c *Calendar) Due(start Date, l Limit) Date {
	if l.Unit == NaturalDays {
		return start.AddDays(l.Value)
	}
	return c.AddWorkingDays(start, l.Value)
}

func isWeekend(d Date) bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// yearDay returns the day of the year, 1..366.
func (d Date) yearDay() int { return d.midnightUTC().YearDay() }
