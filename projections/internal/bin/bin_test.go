package bin_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/internal/bin"
)

var colours = bin.NewEnum("red", "green")

func TestValuesReadBackAsWritten(t *testing.T) {
	tests := []struct {
		name  string
		date  workday.Date
		enum  string
		strs  []string
		count uint64
	}{
		{"zero values", workday.Date{}, "", nil, 0},
		{"a date after the epoch and a listed value", workday.NewDate(2026, 3, 2), "green", []string{"a", ""}, 300},
		{"a date before the epoch and an unlisted value", workday.NewDate(1999, 12, 31), "blue", []string{"户籍"}, 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &bin.Writer{}
			w.Uvarint(tt.count)
			w.Date(tt.date)
			w.Enum(colours, tt.enum)
			w.Strs(tt.strs)
			w.Flag(true)
			r := &bin.Reader{B: w.B}
			if got, want := r.Uvarint(), tt.count; got != want {
				t.Errorf("uvarint %d, want %d", got, want)
			}
			if got, want := r.Date(), tt.date; got != want {
				t.Errorf("date %v, want %v", got, want)
			}
			if got, want := r.Enum(colours), tt.enum; got != want {
				t.Errorf("enum %q, want %q", got, want)
			}
			if got, want := r.Strs(), tt.strs; !slices.Equal(got, want) {
				t.Errorf("strings %q, want %q", got, want)
			}
			if !r.Flag() {
				t.Error("flag false, want true")
			}
			if err := r.End(); err != nil {
				t.Errorf("End: %v", err)
			}
		})
	}
}

func TestCorruptBytesFailInsteadOfPanicking(t *testing.T) {
	w := &bin.Writer{}
	w.Str("hello")
	w.Date(workday.NewDate(2026, 3, 2))
	whole := w.B
	tests := []struct {
		name string
		b    []byte
	}{
		{"truncated string", whole[:3]},
		{"truncated date", whole[:len(whole)-1]},
		{"trailing bytes", append(slices.Clone(whole), 0)},
		{"a length past the end", []byte{0x7f, 'x'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &bin.Reader{B: tt.b}
			r.Str()
			r.Date()
			if err := r.End(); !errors.Is(err, bin.ErrCorrupt) {
				t.Errorf("End: %v, want ErrCorrupt", err)
			}
		})
	}
	r := &bin.Reader{B: []byte{9}}
	if r.Enum(colours); !errors.Is(r.End(), bin.ErrCorrupt) {
		t.Error("an enum byte past the list read without an error")
	}
}
