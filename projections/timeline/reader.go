package timeline

// The primitives of the stored format: refs, dates, varints.

import (
	"encoding/binary"
	"errors"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/internal/bin"
)

// ref is a stored string (invariant 3): a dictionary entry, or the bytes
// themselves. s holds the string once known (always for inline ones).
type ref struct {
	// s first: {id, s, dict} took 32 bytes with padding, this order 24,
	// and a rawStep, which Apply builds and copies for every event, has
	// six refs.
	s    string
	id   uint32
	dict bool
}

var epoch = workday.NewDate(1970, 1, 1)

func appendRef(b []byte, r ref) []byte {
	if r.dict {
		return binary.AppendUvarint(b, uint64(r.id)<<1)
	}
	b = binary.AppendUvarint(b, uint64(len(r.s))<<1|1)
	return append(b, r.s...)
}

// appendRefIf appends *r when ok.
func appendRefIf(b []byte, ok bool, r *ref) []byte {
	if !ok {
		return b
	}
	return appendRef(b, *r)
}

func appendDate(b []byte, d workday.Date) []byte {
	return binary.AppendVarint(b, int64(epoch.DaysUntil(d)))
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func dayOf(ns int64) workday.Date { return workday.DateOf(timeOf(ns)) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// reader decodes what the append functions wrote; the first error sticks.
type reader struct{ bin.Reader }

func newReader(b []byte) *reader { return &reader{bin.Reader{B: b}} }

var errCorrupt = errors.New("timeline: corrupt stored document")

func (r *reader) ref() ref {
	v := r.Uvarint()
	if v&1 == 0 {
		return ref{id: uint32(v >> 1), dict: true}
	}
	return ref{s: string(r.Bytes(int(v >> 1)))}
}

func (r *reader) date() workday.Date { return epoch.AddDays(int(r.Varint())) }

// index reads an item index below n.
func (r *reader) index(n int) int {
	v := r.Uvarint()
	if v >= uint64(n) {
		r.Fail()
		return 0
	}
	return int(v)
}
