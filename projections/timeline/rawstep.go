package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// itemIndex returns the index of code in the item table, adding it (with
// dept) when the bundle did not list it.
func (d *doc) itemIndex(in interner, code, dept string) (int, error) {
	for i := range d.h.items {
		if d.h.items[i].code.s == code {
			return i, nil
		}
	}
	c, err := in.intern(code)
	if err != nil {
		return 0, err
	}
	dp, err := in.intern(dept)
	if err != nil {
		return 0, err
	}
	d.h.items = append(d.h.items, headerItem{code: c, dept: dp})
	d.fold.grow(len(d.h.items))
	return len(d.h.items) - 1, nil
}

// raw turns a step into its stored form, interning its strings.
func (d *doc) raw(in interner, s *Step, m domain.EventMeta, e *eventstore.RecordedEvent) (rawStep, error) {
	r := rawStep{typ: typeCodes[s.Type], fp: fingerprint(e.ID), item: -1, corrects: -1,
		clock: clock{occurred: m.OccurredAt.UnixNano(), recorded: e.RecordedAt.Truncate(time.Microsecond).UnixNano(),
			position: e.Position}}
	if r.typ == 0 {
		return r, fmt.Errorf("timeline: event type %s has no step code", s.Type)
	}
	var err error
	if r.actor, err = d.actorRef(in, m.Actor); err != nil {
		return r, err
	}
	// Two plain calls: a loop over {&r.kind, s.Kind}, {&r.text, s.Text}
	// made the compiler move r to the heap (335 MB per million events).
	if r.kind, err = in.intern(s.Kind); err != nil {
		return r, err
	}
	if r.text, err = in.intern(s.Text); err != nil {
		return r, err
	}
	r.doc, r.due = inline(s.Ref), s.Due
	// A 督办's reference is a document number, unique like Ref.
	if r.legal = inline(s.LegalBasis); s.Type != "DubanIssued" {
		if r.legal, err = in.intern(s.LegalBasis); err != nil {
			return r, err
		}
	}
	if s.Item != "" {
		if r.item, err = d.itemIndex(in, s.Item, s.Department); err != nil {
			return r, err
		}
	}
	// A department is stored only where it says more than the item table.
	if s.Department != "" && (r.item < 0 || d.h.items[r.item].dept.s != s.Department) {
		if r.dept, err = in.intern(s.Department); err != nil {
			return r, err
		}
	}
	for _, code := range s.Items {
		i, err := d.itemIndex(in, code, "")
		if err != nil {
			return r, err
		}
		r.items = append(r.items, i)
	}
	for _, due := range s.Dues {
		i, err := d.itemIndex(in, due.Item, "")
		if err != nil {
			return r, err
		}
		r.dues = append(r.dues, itemDue{item: i, due: due.Due})
	}
	if s.Type == "EventCorrected" {
		r.correction, r.correctsID = true, s.CorrectsID
		if r.corrects, err = d.findStep(s.CorrectsID); err != nil {
			return r, err
		}
	}
	return r, nil
}

// actorRef interns officers, who act on many cases. An applicant acts on
// one: the submitter is stored once in the header, and steps they take
// refer to it with the empty ref; other applicant actors (an agent) are
// stored in place.
func (d *doc) actorRef(in interner, a domain.Actor) (ref, error) {
	if a.Role != domain.RoleApplicant {
		return in.actor(a)
	}
	s := actorString(a)
	switch {
	case d.h.applicant == ref{}:
		d.h.applicant = inline(s)
		return ref{}, nil
	case d.h.applicant.s == s:
		return ref{}, nil
	}
	return inline(s), nil
}

// actorString is how an actor is stored; parseActor reads it back.
func actorString(a domain.Actor) string {
	return string(a.Role) + "\x1f" + a.PersonID + "\x1f" + a.Unit + "\x1f" + a.Region
}

func parseActor(s string) domain.Actor {
	p := strings.SplitN(s, "\x1f", 4)
	for len(p) < 4 {
		p = append(p, "")
	}
	return domain.Actor{Role: domain.Role(p[0]), PersonID: p[1], Unit: p[2], Region: p[3]}
}

// findStep returns the step whose event ID starts like id, -1 unless
// exactly one does (invariant 4). It reads the fingerprints from the
// encoded steps: corrections are rare (about 1 case in 200 of a generated
// history), and keeping every step's fingerprint decoded beside them was
// 128k allocations per million events for them.
func (d *doc) findStep(id [16]byte) (int, error) {
	fp := fingerprint(id)
	found := -1
	r := newReader(d.enc)
	var prev clock
	for i := range d.n {
		s := r.step(&prev, len(d.h.items))
		if r.Err != nil {
			return -1, fmt.Errorf("timeline: case %s: %w", d.caseID, errCorrupt)
		}
		prev = s.clock
		if s.fp == fp {
			if found >= 0 {
				return -1, nil
			}
			found = i
		}
	}
	return found, nil
}
