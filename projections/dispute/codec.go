package dispute

import (
	"fmt"

	"github.com/caseledger/caseledger/projections/internal/bin"
	"github.com/google/uuid"
)

// caseFormat starts a stored caseDoc: the fold's own state, read by no
// query, so it is kept in the compact encodings of package bin rather than
// JSON. Fields follow in declaration order: region, bundle, the department
// table (a count, then code and department), the last events (a count,
// then kind, name, step and the event), whether the case ended and then
// that event, and the open bad rating's ID. An event is its stream
// version, its ID as 16 bytes, its type and its day. Tables keep their
// order (caseDoc), so equal docs are equal bytes.
const caseFormat = 2

func encodeCase(dst []byte, v any) ([]byte, error) {
	c := v.(*caseDoc)
	w := &bin.Writer{B: dst}
	w.Byte(caseFormat)
	w.Str(c.region)
	w.Str(c.bundle)
	w.Uvarint(uint64(len(c.depts)))
	for _, d := range c.depts {
		w.Str(c.names[d.code])
		w.Str(c.names[d.dept])
	}
	w.Uvarint(uint64(len(c.last)))
	for i, k := range c.keys {
		kind, name, step := splitKey(k)
		w.Byte(byte(kind))
		w.Str(c.names[name])
		if step == noStep {
			w.Str("")
		} else {
			w.Str(c.names[step-1])
		}
		writeRef(w, &c.last[i])
	}
	w.Flag(c.hasEnded)
	if c.hasEnded {
		writeRef(w, &c.ended)
	}
	w.Str(c.rating)
	return w.B, nil
}

func writeRef(w *bin.Writer, r *caseRef) {
	w.Uvarint(r.version)
	w.B = append(w.B, r.id[:]...)
	w.Str(typeNames[r.typ])
	w.Date(r.on.date())
}

// decodeCase fills c from its stored bytes.
func decodeCase(b []byte, c *caseDoc) error {
	r := &bin.Reader{B: b}
	if r.Byte() != caseFormat {
		return fmt.Errorf("%w: case format", bin.ErrCorrupt)
	}
	c.region, c.bundle = shared(r.Str()), shared(r.Str())
	nd := r.Count()
	c.depts = make([]itemDept, nd)
	c.names, c.nameHashes = make([]string, 0, 2*nd+4), make([]uint64, 0, 2*nd+4)
	for i := range c.depts {
		code := c.name(r.Str())
		c.depts[i] = itemDept{code: code, dept: c.name(r.Str())}
	}
	n := r.Count()
	c.keys, c.last = make([]uint64, 0, n), make([]caseRef, 0, n)
	for range n {
		kind := lastKind(r.Byte())
		name := c.name(r.Str())
		c.keys = append(c.keys, lastKey(kind, name, c.stepName(r.Str())))
		c.last = append(c.last, readRef(r))
	}
	if c.hasEnded = r.Flag(); c.hasEnded {
		c.ended = readRef(r)
	}
	c.rating = r.Str()
	return r.End()
}

// readRef reads what writeRef wrote; a type the domain does not know
// fails the reader.
func readRef(r *bin.Reader) caseRef {
	ref := caseRef{version: r.Uvarint()}
	copy(ref.id[:], r.Bytes(len(uuid.UUID{})))
	typ, ok := typeCodes[r.Str()]
	if !ok {
		r.Fail()
	}
	ref.typ, ref.on = typ, dayOf(r.Date())
	return ref
}
