package dispute

import (
	"fmt"

	"github.com/caseledger/caseledger/domain"
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
		w.Str(d.code)
		w.Str(d.dept)
	}
	w.Uvarint(uint64(len(c.last)))
	for i := range c.last {
		l := &c.last[i]
		w.Byte(byte(l.kind))
		w.Str(c.names[l.name])
		w.Str(c.names[l.step])
		writeRef(w, &l.ref)
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
	w.Date(r.on)
}

// decodeCase fills c from its stored bytes.
func decodeCase(b []byte, c *caseDoc) error {
	r := &bin.Reader{B: b}
	if r.Byte() != caseFormat {
		return fmt.Errorf("%w: case format", bin.ErrCorrupt)
	}
	c.region, c.bundle = r.Str(), r.Str()
	c.depts = make([]itemDept, r.Count())
	for i := range c.depts {
		c.depts[i] = itemDept{code: r.Str(), dept: r.Str()}
	}
	n := r.Count()
	c.last, c.hashes = make([]lastEvent, 0, n), make([]uint64, 0, n)
	for range n {
		kind := lastKind(r.Byte())
		name, step := r.Str(), domain.Step(r.Str())
		c.add(lastHash(kind, name, step), lastEvent{kind: kind, name: c.name(name), step: c.name(string(step)), ref: readRef(r)})
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
	ref.typ, ref.on = typ, r.Date()
	return ref
}
