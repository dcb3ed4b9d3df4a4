package timeline

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// rawStep is a step as stored: strings as refs, items as indexes into the
// document's item table, times as Unix nanoseconds.
type rawStep struct {
	clock
	typ        byte
	fp         uint32 // first fpBytes bytes of the event ID (invariant 4)
	actor      ref
	item       int // -1: none
	dept, kind ref
	text       ref
	legal, doc ref
	due        workday.Date
	items      []int
	dues       []itemDue
	corrects   int // -1: none or unresolved
	correctsID uuid.UUID
	correction bool
}

// clock is what the next step's deltas are taken from: a doc keeps the
// last step's clock, not the whole step (whose strings and slices the
// collector would scan, and which Apply copied for every event).
type clock struct {
	occurred int64
	recorded int64
	position uint64
}

type itemDue struct {
	item int
	due  workday.Date
}

// Step flags: which optional fields follow.
const (
	fItem = 1 << iota
	fKind
	fText
	fDue
	fRef
	fNanos
	fLegal
	fDept
	fItems
	fDues
	fCorrects
)

// A step starts with one varint: the type code in the low 6 bits, then the
// lag bit, then the flags XORed with the usual flags of the type, so that
// the common step takes one byte for all three.
const (
	typeBits = 6
	// lagBit: recorded-at is stored as its lag behind occurred-at rather
	// than as the time since the previous step was recorded, whichever is
	// shorter (a live service records events as they occur; an import
	// records a year of them within seconds).
	lagBit    = 1 << typeBits
	flagShift = typeBits + 1
)

// usual holds the flags most steps of a type have. Part of the format.
var usual = map[string]uint64{
	"CaseSubmitted":           fKind,
	"CaseAccepted":            fRef | fDue,
	"CaseRefused":             fText | fLegal | fRef,
	"SupplementRequested":     fText | fRef,
	"ItemDispatched":          fItem | fKind | fDue,
	"ItemAccepted":            fItem,
	"StepRecorded":            fItem | fKind | fText,
	"ItemSuspended":           fItem | fKind | fText,
	"ItemResumed":             fItem | fDue,
	"SpecialProcedureStarted": fItem | fKind | fText,
	"SpecialProcedureEnded":   fItem | fText | fDue,
	"DeadlineExtended":        fItem | fKind | fText | fRef | fDue,
	"ItemDecided":             fItem | fKind | fText,
	"CertificateIssued":       fItem | fKind,
	"ResultsDelivered":        fKind | fItems,
	"WarningRaised":           fItem | fKind | fDue,
	"CaseRated":               fKind,
	"DubanIssued":             fItem | fText | fLegal | fRef,
	"DubanClosed":             fText | fRef,
}

// usualByCode is usual indexed by type code.
var usualByCode = func() (u [1 << typeBits]uint64) {
	for t, f := range usual {
		u[typeCodes[t]] = f
	}
	return u
}()

func usualFlags(typ byte) uint64 { return usualByCode[typ] }

const formatVersion = 1

// micro is the precision of recorded-at in a step, in nanoseconds.
const micro = int64(time.Microsecond)

// fpBytes is the length of a step's event ID fingerprint (invariant 4).
const fpBytes = 3

func fingerprint(id [16]byte) uint32 { return uint32(id[0])<<16 | uint32(id[1])<<8 | uint32(id[2]) }

// appendStep encodes s after prev (the previous step's clock, zero for the
// first): occurred-at, recorded-at and position are deltas from it.
func appendStep(b []byte, s *rawStep, prev *clock) []byte {
	var flags uint64
	set := func(f uint64, on bool) {
		if on {
			flags |= f
		}
	}
	const second = int64(1e9)
	set(fNanos, s.occurred%second != 0)
	set(fItem, s.item >= 0)
	set(fDept, s.dept != ref{})
	set(fKind, s.kind != ref{})
	set(fText, s.text != ref{})
	set(fLegal, s.legal != ref{})
	set(fRef, s.doc != ref{})
	set(fDue, !s.due.IsZero())
	set(fItems, len(s.items) > 0)
	set(fDues, len(s.dues) > 0)
	set(fCorrects, s.correction)
	head := uint64(s.typ) | (flags^usualFlags(s.typ))<<flagShift
	recorded := s.recorded/micro - prev.recorded/micro
	if lag := s.recorded/micro - s.occurred/micro; abs(lag) < abs(recorded) {
		head |= lagBit
		recorded = lag
	}
	b = binary.AppendUvarint(b, head)
	b = append(b, byte(s.fp>>16), byte(s.fp>>8), byte(s.fp))
	b = appendRef(b, s.actor)
	b = binary.AppendVarint(b, floorDiv(s.occurred, second)-floorDiv(prev.occurred, second))
	if flags&fNanos != 0 {
		b = binary.AppendUvarint(b, uint64(s.occurred-floorDiv(s.occurred, second)*second))
	}
	b = binary.AppendVarint(b, recorded)
	b = binary.AppendUvarint(b, s.position-prev.position)
	if flags&fItem != 0 {
		b = binary.AppendUvarint(b, uint64(s.item))
	}
	// One call per field: a loop over a table of flags and refs copied the
	// five refs into it for every step.
	b = appendRefIf(b, flags&fDept != 0, &s.dept)
	b = appendRefIf(b, flags&fKind != 0, &s.kind)
	b = appendRefIf(b, flags&fText != 0, &s.text)
	b = appendRefIf(b, flags&fLegal != 0, &s.legal)
	b = appendRefIf(b, flags&fRef != 0, &s.doc)
	if flags&fDue != 0 {
		// Due dates lie days from the step's own day: small numbers.
		b = binary.AppendVarint(b, int64(dayOf(s.occurred).DaysUntil(s.due)))
	}
	if flags&fItems != 0 {
		b = binary.AppendUvarint(b, uint64(len(s.items)))
		for _, i := range s.items {
			b = binary.AppendUvarint(b, uint64(i))
		}
	}
	if flags&fDues != 0 {
		b = binary.AppendUvarint(b, uint64(len(s.dues)))
		for _, d := range s.dues {
			b = appendDate(binary.AppendUvarint(b, uint64(d.item)), d.due)
		}
	}
	if flags&fCorrects != 0 {
		b = binary.AppendUvarint(b, uint64(s.corrects+1))
		b = append(b, s.correctsID[:]...)
	}
	return b
}

func (r *reader) step(prev *clock, items int) rawStep {
	const second = int64(1e9)
	s := rawStep{item: -1, corrects: -1}
	head := r.Uvarint()
	s.typ = byte(head & (1<<typeBits - 1))
	if int(s.typ) >= len(types) || s.typ == 0 {
		r.Fail()
		return s
	}
	flags := head>>flagShift ^ usualFlags(s.typ)
	if fp := r.Bytes(fpBytes); fp != nil {
		s.fp = uint32(fp[0])<<16 | uint32(fp[1])<<8 | uint32(fp[2])
	}
	s.actor = r.ref()
	s.occurred = (floorDiv(prev.occurred, second) + r.Varint()) * second
	if flags&fNanos != 0 {
		s.occurred += int64(r.Uvarint())
	}
	if head&lagBit != 0 {
		s.recorded = (s.occurred/micro + r.Varint()) * micro
	} else {
		s.recorded = (prev.recorded/micro + r.Varint()) * micro
	}
	s.position = prev.position + r.Uvarint()
	if flags&fItem != 0 {
		s.item = r.index(items)
	}
	for _, f := range []struct {
		flag uint64
		r    *ref
	}{{fDept, &s.dept}, {fKind, &s.kind}, {fText, &s.text}, {fLegal, &s.legal}, {fRef, &s.doc}} {
		if flags&f.flag != 0 {
			*f.r = r.ref()
		}
	}
	if flags&fDue != 0 {
		s.due = dayOf(s.occurred).AddDays(int(r.Varint()))
	}
	if flags&fItems != 0 {
		n := r.Uvarint()
		for i := uint64(0); i < n && r.Err == nil; i++ {
			s.items = append(s.items, r.index(items))
		}
	}
	if flags&fDues != 0 {
		n := r.Uvarint()
		for i := uint64(0); i < n && r.Err == nil; i++ {
			it := r.index(items)
			s.dues = append(s.dues, itemDue{item: it, due: r.date()})
		}
	}
	if flags&fCorrects != 0 {
		s.correction = true
		s.corrects = int(r.Uvarint()) - 1
		copy(s.correctsID[:], r.Bytes(16))
	}
	return s
}

// header is the part of a document before its steps.
type header struct {
	region, bundle ref
	// applicant is the actor who submitted the case, stored once: steps
	// they took store an empty actor.
	applicant ref
	items     []headerItem
}

type headerItem struct{ code, dept ref }

func appendHeader(b []byte, h *header, steps int) []byte {
	b = append(b, formatVersion)
	b = appendRef(appendRef(appendRef(b, h.region), h.bundle), h.applicant)
	b = binary.AppendUvarint(b, uint64(len(h.items)))
	for _, it := range h.items {
		b = appendRef(appendRef(b, it.code), it.dept)
	}
	return binary.AppendUvarint(b, uint64(steps))
}

// decodeDoc splits a stored document into its header, its steps and the
// encoded bytes of the steps (which later appends extend).
func decodeDoc(b []byte) (header, []rawStep, []byte, error) {
	r := newReader(b)
	var h header
	if v := r.Bytes(1); v == nil || v[0] != formatVersion {
		return h, nil, nil, fmt.Errorf("%w: format %v", errCorrupt, v)
	}
	h.region, h.bundle, h.applicant = r.ref(), r.ref(), r.ref()
	n := r.Uvarint()
	for i := uint64(0); i < n && r.Err == nil; i++ {
		h.items = append(h.items, headerItem{code: r.ref(), dept: r.ref()})
	}
	count := r.Uvarint()
	enc := r.B
	// Every step takes more than one byte, which bounds a corrupt count.
	steps := make([]rawStep, 0, min(count, uint64(len(enc))))
	var prev clock
	for i := uint64(0); i < count && r.Err == nil; i++ {
		steps = append(steps, r.step(&prev, len(h.items)))
		prev = steps[len(steps)-1].clock
	}
	return h, steps, enc, r.End()
}
