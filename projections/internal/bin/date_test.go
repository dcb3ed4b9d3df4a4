package bin_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/internal/bin"
)

var epoch = workday.NewDate(2020, 1, 1)

// dateBytes is the stored form of a date as the format defines it, through
// workday's own day arithmetic: 0 for the zero date, else the zigzag day
// offset from 2020-01-01 plus 1.
func dateBytes(d workday.Date) []byte {
	if d.IsZero() {
		return []byte{0}
	}
	n := int64(epoch.DaysUntil(d))
	return binary.AppendUvarint(nil, uint64(n<<1^n>>63)+1)
}

func TestDatesEncodeAsDayOffsets(t *testing.T) {
	// Every day of the spans, so that every month length and leap rule
	// (1900 and 2100 are not leap years, 2000 is) is met.
	years := [][2]int{{1890, 2210}, {-410, -390}, {-2, 2}}
	if !testing.Short() {
		years = append(years, [2]int{1581, 1890}, [2]int{2210, 2801})
	}
	for _, span := range years {
		from, to := workday.NewDate(span[0], 1, 1), workday.NewDate(span[1], 1, 1)
		for d := from; d.Before(to); d = d.AddDays(1) {
			w := &bin.Writer{}
			w.Date(d)
			if got, want := w.B, dateBytes(d); string(got) != string(want) {
				t.Fatalf("%v stored as %x, want %x", d, got, want)
			}
			r := &bin.Reader{B: w.B}
			if got, want := r.Date(), d; got != want || r.End() != nil {
				t.Fatalf("%v read back as %v (%v)", d, got, r.End())
			}
		}
	}
}

func TestDatesOutsideTheCalendarKeepTheirBytes(t *testing.T) {
	tests := []struct {
		name string
		date workday.Date
	}{
		{"a day past the month's end", workday.Date{Year: 2026, Month: time.February, Day: 30}},
		{"29 February of a year that is not leap", workday.Date{Year: 2100, Month: time.February, Day: 29}},
		{"month 13", workday.Date{Year: 2026, Month: 13, Day: 1}},
		{"month 0", workday.Date{Year: 2026, Month: 0, Day: 15}},
		{"day 0", workday.Date{Year: 2026, Month: time.March, Day: 0}},
		{"a negative day", workday.Date{Year: 2026, Month: time.March, Day: -40}},
		{"the year zero", workday.Date{Year: 0, Month: time.January, Day: 1}},
		{"a far year", workday.Date{Year: 3_000_000, Month: time.June, Day: 1}},
		{"a far past year", workday.Date{Year: -3_000_000, Month: time.June, Day: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &bin.Writer{}
			w.Date(tt.date)
			if got, want := w.B, dateBytes(tt.date); string(got) != string(want) {
				t.Fatalf("stored as %x, want %x", got, want)
			}
			// What is read back is the normalised date, as workday has it.
			r := &bin.Reader{B: w.B}
			if got, want := r.Date(), epoch.AddDays(epoch.DaysUntil(tt.date)); got != want {
				t.Errorf("read back as %v, want %v", got, want)
			}
		})
	}
}

// BenchmarkDate compares Writer.Date and Reader.Date with the workday
// arithmetic they replaced (time.Date for each date, time.Unix back).
func BenchmarkDate(b *testing.B) {
	dates := make([]workday.Date, 512)
	for i := range dates {
		dates[i] = workday.NewDate(2026, 1, 1).AddDays(i * 3)
	}
	w := &bin.Writer{B: make([]byte, 0, 16)}
	b.Run("write", func(b *testing.B) {
		for i := range b.N {
			w.B = w.B[:0]
			w.Date(dates[i%len(dates)])
		}
	})
	b.Run("write_workday", func(b *testing.B) {
		for i := range b.N {
			n := int64(epoch.DaysUntil(dates[i%len(dates)]))
			w.B = binary.AppendUvarint(w.B[:0], uint64(n<<1^n>>63)+1)
		}
	})
	stored := make([][]byte, len(dates))
	for i, d := range dates {
		stored[i] = dateBytes(d)
	}
	b.Run("read", func(b *testing.B) {
		for i := range b.N {
			r := bin.Reader{B: stored[i%len(stored)]}
			if r.Date().IsZero() {
				b.Fatal("zero date")
			}
		}
	})
	b.Run("read_workday", func(b *testing.B) {
		for i := range b.N {
			v, _ := binary.Uvarint(stored[i%len(stored)])
			z := v - 1
			if epoch.AddDays(int(int64(z>>1) ^ -int64(z&1))).IsZero() {
				b.Fatal("zero date")
			}
		}
	})
}
