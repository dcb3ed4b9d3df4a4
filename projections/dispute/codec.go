package dispute

import (
	"fmt"
	"slices"

	"github.com/caseledger/caseledger/projections/internal/bin"
)

// caseFormat starts a stored caseDoc: the fold's own state, read by no
// query, so it is kept in the compact encodings of package bin rather than
// JSON (encoding its maps as JSON was most of what a replay spent on this
// read model besides decoding events). Fields follow in declaration order;
// maps as a count and their entries in key order, so equal docs are equal
// bytes; a Ref as version, event ID, type and day.
const caseFormat = 1

func encodeCase(dst []byte, v any) ([]byte, error) {
	c := v.(*caseDoc)
	w := &bin.Writer{B: dst}
	w.Byte(caseFormat)
	w.Str(c.Region)
	w.Str(c.Bundle)
	// The keys are sorted in a buffer on the stack while a case has no
	// more than it holds (nearly all do): sorting into new slices took
	// 74 MB per million events.
	var buf [64]string
	w.Uvarint(uint64(len(c.Departments)))
	for _, k := range sortedKeys(buf[:0], c.Departments) {
		w.Str(k)
		w.Str(c.Departments[k])
	}
	w.Uvarint(uint64(len(c.Last)))
	for _, k := range sortedKeys(buf[:0], c.Last) {
		w.Str(k)
		writeRef(w, *c.Last[k])
	}
	w.Flag(c.Ended != nil)
	if c.Ended != nil {
		writeRef(w, *c.Ended)
	}
	w.Str(c.Rating)
	return w.B, nil
}

// sortedKeys appends the keys of m to dst and sorts them.
func sortedKeys[V any](dst []string, m map[string]V) []string {
	for k := range m {
		dst = append(dst, k)
	}
	slices.Sort(dst)
	return dst
}

func writeRef(w *bin.Writer, r Ref) {
	w.Uvarint(r.Version)
	w.Str(r.EventID)
	w.Str(r.Type)
	w.Date(r.On)
}

// decodeCase fills c from its stored bytes. Its maps are never nil, as
// after the case's submission.
func decodeCase(b []byte, c *caseDoc) error {
	r := &bin.Reader{B: b}
	if r.Byte() != caseFormat {
		return fmt.Errorf("%w: case format", bin.ErrCorrupt)
	}
	c.Region, c.Bundle = r.Str(), r.Str()
	n := r.Count()
	c.Departments = make(map[string]string, n)
	for range n {
		k := r.Str()
		c.Departments[k] = r.Str()
	}
	n = r.Count()
	c.Last = make(map[string]*Ref, n)
	for range n {
		k := r.Str()
		ref := readRef(r)
		c.Last[k] = &ref
	}
	if r.Flag() {
		ended := readRef(r)
		c.Ended = &ended
	}
	c.Rating = r.Str()
	return r.End()
}

func readRef(r *bin.Reader) Ref {
	return Ref{Version: r.Uvarint(), EventID: r.Str(), Type: r.Str(), On: r.Date()}
}
