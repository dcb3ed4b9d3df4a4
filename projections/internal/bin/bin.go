// Package bin holds the primitives of the read models' compact binary
// formats: uvarints, length-prefixed strings, dates as day offsets and
// short enumerations as one byte. Each read model documents its own layout
// on top of them; these encodings are part of every such layout, so they
// never change.
package bin

import (
	"encoding/binary"
	"errors"

	"github.com/caseledger/caseledger/domain/workday"
)

// ErrCorrupt is what a Reader reports for bytes a Writer did not write.
var ErrCorrupt = errors.New("corrupt stored value")

// dateEpoch makes the dates of this century's cases two bytes long.
var dateEpoch = workday.NewDate(2020, 1, 1)

// Enum maps up to 254 strings to one byte each: the index plus one, 0 being
// the empty string. A string not listed is stored as Other and the string.
// The list is part of a format: values are only ever appended.
type Enum struct {
	values []string
	index  map[string]byte
}

// Other is the byte that introduces an unlisted value.
const Other = 0xff

// NewEnum returns the enumeration of values.
func NewEnum(values ...string) *Enum {
	if len(values) >= Other {
		panic("bin: too many enum values")
	}
	e := &Enum{values: values, index: map[string]byte{}}
	for i, s := range values {
		e.index[s] = byte(i + 1)
	}
	return e
}

// Writer appends values to B.
type Writer struct{ B []byte }

// Byte appends one byte.
func (w *Writer) Byte(c byte) { w.B = append(w.B, c) }

// Uvarint appends v as a uvarint.
func (w *Writer) Uvarint(v uint64) { w.B = binary.AppendUvarint(w.B, v) }

// Str appends the length of s and its bytes.
func (w *Writer) Str(s string) { w.B = AppendStr(w.B, s) }

// Strs appends the count of ss and each string.
func (w *Writer) Strs(ss []string) {
	w.Uvarint(uint64(len(ss)))
	for _, s := range ss {
		w.Str(s)
	}
}

// Date stores the zero date as 0, others as their zigzag day offset plus 1.
func (w *Writer) Date(d workday.Date) { w.B = AppendDate(w.B, d) }

// Enum appends s as one byte of e, or as Other and the string.
func (w *Writer) Enum(e *Enum, s string) { w.B = AppendEnum(w.B, e, s) }

// Flag appends b as one byte.
func (w *Writer) Flag(b bool) {
	if b {
		w.Byte(1)
	} else {
		w.Byte(0)
	}
}

// AppendStr, AppendDate and AppendEnum append to dst what the Writer's
// methods of the same names write. They serve a dst on the caller's stack:
// a Writer stores through a pointer, so the bytes it appends to escape to
// the heap.

// AppendStr appends what Writer.Str writes.
func AppendStr(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

// AppendDate appends what Writer.Date writes.
func AppendDate(dst []byte, d workday.Date) []byte {
	if d.IsZero() {
		return append(dst, 0)
	}
	n := dayOffset(d)
	return binary.AppendUvarint(dst, uint64(n<<1^n>>63)+1)
}

// AppendEnum appends what Writer.Enum writes.
func AppendEnum(dst []byte, e *Enum, s string) []byte {
	if s == "" {
		return append(dst, 0)
	}
	if i, ok := e.index[s]; ok {
		return append(dst, i)
	}
	return AppendStr(append(dst, Other), s)
}

// Reader decodes what a Writer wrote; the first error sticks and zero
// values follow it.
type Reader struct {
	B   []byte
	Err error
}

// Fail marks what is being read as corrupt: the error sticks, and zero
// values follow.
func (r *Reader) Fail() {
	if r.Err == nil {
		r.Err = ErrCorrupt
	}
	r.B = nil
}

// Uvarint reads what Writer.Uvarint wrote.
func (r *Reader) Uvarint() uint64 {
	v, n := binary.Uvarint(r.B)
	if n <= 0 {
		r.Fail()
		return 0
	}
	r.B = r.B[n:]
	return v
}

// Varint reads a signed varint (binary.AppendVarint).
func (r *Reader) Varint() int64 {
	v, n := binary.Varint(r.B)
	if n <= 0 {
		r.Fail()
		return 0
	}
	r.B = r.B[n:]
	return v
}

// Bytes reads the next n bytes; they alias the input.
func (r *Reader) Bytes(n int) []byte {
	if n < 0 || n > len(r.B) {
		r.Fail()
		return nil
	}
	out := r.B[:n]
	r.B = r.B[n:]
	return out
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.B) == 0 {
		r.Fail()
		return 0
	}
	c := r.B[0]
	r.B = r.B[1:]
	return c
}

// Str reads what Writer.Str wrote.
func (r *Reader) Str() string {
	n := r.Uvarint()
	if n > uint64(len(r.B)) {
		r.Fail()
		return ""
	}
	s := string(r.B[:n])
	r.B = r.B[n:]
	return s
}

// Count reads a length, bounded by the bytes left (every element takes at
// least one), so a corrupt count cannot make a huge allocation.
func (r *Reader) Count() int {
	n := r.Uvarint()
	if n > uint64(len(r.B)) {
		r.Fail()
		return 0
	}
	return int(n)
}

// Strs reads what Writer.Strs wrote; nil for an empty list.
func (r *Reader) Strs() []string {
	n := r.Count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.Str()
	}
	return out
}

// Date reads what Writer.Date wrote.
func (r *Reader) Date() workday.Date {
	v := r.Uvarint()
	if v == 0 {
		return workday.Date{}
	}
	z := v - 1
	return dateAt(int64(z>>1) ^ -int64(z&1))
}

// Enum reads what Writer.Enum wrote with the same e.
func (r *Reader) Enum(e *Enum) string {
	switch i := r.Byte(); {
	case i == 0:
		return ""
	case i == Other:
		return r.Str()
	case int(i) <= len(e.values):
		return e.values[i-1]
	default:
		r.Fail()
		return ""
	}
}

// Flag reads what Writer.Flag wrote.
func (r *Reader) Flag() bool { return r.Byte() != 0 }

// End fails unless every byte was read.
func (r *Reader) End() error {
	if r.Err == nil && len(r.B) != 0 {
		r.Fail()
	}
	return r.Err
}
