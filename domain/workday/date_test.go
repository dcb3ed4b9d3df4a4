package workday_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain/workday"
)

func TestDateOfUsesChinaTime(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"UTC afternoon is the next day in Beijing", time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), "2026-01-01"},
		{"one second before Beijing midnight", time.Date(2025, 12, 31, 15, 59, 59, 0, time.UTC), "2025-12-31"},
		{"other zones are converted", time.Date(2026, 2, 12, 23, 30, 0, 0, time.FixedZone("UTC-05", -5*3600)), "2026-02-13"},
		{"already in UTC+8", time.Date(2026, 2, 12, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)), "2026-02-12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := workday.DateOf(tt.t).String(); got != tt.want {
				t.Errorf("DateOf(%v) = %s, want %s", tt.t, got, tt.want)
			}
		})
	}
}

func TestDateStartIsBeijingMidnight(t *testing.T) {
	got := mustDate(t, "2026-01-01").Start().UTC()
	want := time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)
	if !got.Equal(want) {
		t.Errorf("Start() = %v, want %v", got, want)
	}
}

func TestParseDateRejectsMalformedDates(t *testing.T) {
	for _, s := range []string{"", "2026-2-12", "2026-02-30", "12/02/2026", "2026-02-12T00:00:00Z", "20260212"} {
		t.Run(s, func(t *testing.T) {
			_, err := workday.ParseDate(s)
			if !errors.Is(err, workday.ErrInvalid) {
				t.Errorf("ParseDate(%q) error = %v, want ErrInvalid", s, err)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2025-12-31", 1, "2026-01-01"},
		{"2026-03-01", -1, "2026-02-28"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2026-02-12", 0, "2026-02-12"},
		{"2025-01-01", 365, "2026-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			from := mustDate(t, tt.from)
			got := from.AddDays(tt.n)
			if got.String() != tt.want {
				t.Errorf("%s.AddDays(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
			if back := from.DaysUntil(got); back != tt.n {
				t.Errorf("DaysUntil = %d, want %d", back, tt.n)
			}
		})
	}
}

func TestDateOrdering(t *testing.T) {
	a, b := mustDate(t, "2025-12-31"), mustDate(t, "2026-01-01")
	if !a.Before(b) || a.After(b) || !b.After(a) || b.Before(a) {
		t.Errorf("ordering of %s and %s is wrong", a, b)
	}
	if a.Before(a) || a.After(a) || a.Compare(a) != 0 {
		t.Errorf("%s compared with itself is not equal", a)
	}
}

func TestDateValid(t *testing.T) {
	tests := []struct {
		d    workday.Date
		want bool
	}{
		{workday.Date{Year: 2026, Month: time.February, Day: 28}, true},
		{workday.Date{Year: 2026, Month: time.February, Day: 29}, false},
		{workday.Date{Year: 2024, Month: time.February, Day: 29}, true},
		{workday.Date{}, false},
		{workday.NewDate(2026, time.February, 30), true},
	}
	for _, tt := range tests {
		if got := tt.d.Valid(); got != tt.want {
			t.Errorf("%+v.Valid() = %v, want %v", tt.d, got, tt.want)
		}
	}
	if got, want := workday.NewDate(2026, time.February, 30).String(), "2026-03-02"; got != want {
		t.Errorf("NewDate(2026, 2, 30) = %s, want %s", got, want)
	}
}

func TestDateJSONRoundTrip(t *testing.T) {
	type doc struct {
		At  workday.Date `json:"at"`
		Opt workday.Date `json:"opt,omitzero"`
	}
	in := doc{At: mustDate(t, "2026-02-12")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"at":"2026-02-12"}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var out doc
	if err := json.Unmarshal([]byte(`{"at":"2026-02-12","opt":""}`), &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("Unmarshal = %+v, want %+v", out, in)
	}
	if err := json.Unmarshal([]byte(`{"at":"2026-13-01"}`), &out); !errors.Is(err, workday.ErrInvalid) {
		t.Errorf("Unmarshal of a bad date: error = %v, want ErrInvalid", err)
	}
}

// TestDateTextAgreesWithTimePackage checks the byte-level parsing and
// formatting of dates against time.Parse and fmt, the definitions they
// replace, over every day of 13 years from 0 to 9999 (leap rules
// included) and a set of malformed inputs.
func TestDateTextAgreesWithTimePackage(t *testing.T) {
	years := []int{0, 1, 99, 999, 1900, 1999, 2000, 2024, 2025, 2026, 2100, 2400, 9999}
	for _, y := range years {
		for d := workday.NewDate(y, time.January, 1); d.Year == y; d = d.AddDays(1) {
			want := fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
			if got := d.String(); got != want {
				t.Fatalf("String() = %q, want %q", got, want)
			}
			var back workday.Date
			if err := back.UnmarshalText([]byte(want)); err != nil || back != d {
				t.Fatalf("UnmarshalText(%q) = %+v, %v, want %+v", want, back, err, d)
			}
		}
	}
	for _, s := range []string{"2026-02-29", "2024-02-30", "2026-04-31", "2026-00-10", "2026-13-01", "2026-01-00",
		"2026-01-32", "2026-1-012", "2026/01/12", "+026-01-12", "2026-01-1a", " 2026-01-1", "２０２６-01-12"} {
		var d workday.Date
		err := d.UnmarshalText([]byte(s))
		_, perr := time.Parse(time.DateOnly, s)
		if (err == nil) != (perr == nil) {
			t.Errorf("UnmarshalText(%q) error = %v, time.Parse error = %v: they disagree", s, err, perr)
		}
		if err != nil && !errors.Is(err, workday.ErrInvalid) {
			t.Errorf("UnmarshalText(%q) error = %v, want ErrInvalid", s, err)
		}
	}
}
