package timeline

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
)

// Name is the projection's name in a projections.Runner.
const Name = "case_timeline"

// Projection folds case events into timelines and the due and 督办
// indexes. The zero value is ready.
type Projection struct{}

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Version implements projections.Projection; raise it whenever the stored
// layout or the fold changes.
func (Projection) Version() int { return 1 }

// Filter implements projections.Projection: case streams only.
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{Categories: []string{"case"}}
}

func docKey(caseID string) []byte { return appendDocKey(nil, caseID) }

// appendDocKey appends caseID's key to dst: Apply builds it in a buffer
// on its stack (a converted concatenation of more than 32 bytes is
// allocated).
func appendDocKey(dst []byte, caseID string) []byte {
	return append(append(dst, "case/"...), caseID...)
}

// doc is a case's stored document, decoded for a batch: the header with
// its strings resolved, the steps still encoded, and the fold of them.
type doc struct {
	caseID string
	h      header
	n      int
	enc    []byte
	last   clock
	fold   caseFold
}

// Apply implements projections.Projection.
func (p Projection) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	ev, err := domain.Decode(e.Type, e.Data, e.Metadata)
	if err != nil {
		return err
	}
	return p.ApplyEvent(tx, e, ev)
}

// ApplyEvent implements projections.DomainProjection.
func (Projection) ApplyEvent(tx *projections.Tx, e *eventstore.RecordedEvent, ev domain.Event) error {
	caseID := strings.TrimPrefix(e.Stream, "case-")
	var kb [64]byte
	key := appendDocKey(kb[:0], caseID)
	d, pending, err := load(tx, key, caseID, e.Version == 0)
	if err != nil {
		return err
	}
	if e.Version != uint64(d.n) {
		// Invariant 2 would break: the runner skipped or repeated an event.
		return fmt.Errorf("timeline: case %s: event version %d after %d steps", caseID, e.Version, d.n)
	}
	in, err := newInterner(tx)
	if err != nil {
		return err
	}
	s := stepOf(ev)
	if sub, ok := ev.(*domain.CaseSubmitted); ok {
		if err := d.setHeader(in, sub); err != nil {
			return err
		}
	}
	raw, err := d.raw(in, &s, ev.Meta(), e)
	if err != nil {
		return err
	}
	if movesItems[raw.typ] {
		err = d.appendMoving(tx, &raw)
	} else {
		d.append(&raw)
	}
	if err != nil {
		return err
	}
	if err := d.updateDuban(tx, ev); err != nil {
		return err
	}
	// A doc that Object returned is pending in the Tx already: setting it
	// again only looked its key up once more.
	if !pending {
		tx.SetObject(key, d, encodeDoc)
	}
	return nil
}

// append adds step r to the doc and folds it.
func (d *doc) append(r *rawStep) {
	d.enc = appendStep(d.enc, r, &d.last)
	d.last = r.clock
	d.n++
	d.fold.apply(r)
}

// appendMoving is append of a step that may move items in the due index,
// and updates the index. It is apart from append so that only such steps
// pay for clearing the states on the stack (1.3 KB), and a step that moves
// one item compares that item's state alone.
func (d *doc) appendMoving(tx *projections.Tx, r *rawStep) error {
	if i := r.item; movesOneItem[r.typ] && i >= 0 && i < len(d.fold.items) {
		was := d.dueState(i)
		d.append(r)
		return d.updateItemDue(tx, i, was, d.dueState(i))
	}
	var buf [16]dueState
	before := d.dueStates(buf[:0])
	d.append(r)
	return d.updateDue(tx, before)
}

// movesItems says, by type code, which event types caseFold.apply looks
// at; the others cannot change the due index.
var movesItems = func() (m [1 << typeBits]bool) {
	for _, t := range []string{
		"CaseRefused", "CaseTerminated", "CaseWithdrawn", "ItemsWithdrawn",
		"SupplementRequested", "SupplementReceived", "ItemDispatched", "ItemAccepted",
		"ItemSuspended", "SpecialProcedureStarted", "ItemResumed", "SpecialProcedureEnded",
		"DeadlineExtended", "ItemDecided",
	} {
		m[typeCodes[t]] = true
	}
	return m
}()

// movesOneItem says, by type code, which event types caseFold.apply folds
// into their own item alone (through its item helper): the others of
// movesItems may move every item of the case.
var movesOneItem = func() (m [1 << typeBits]bool) {
	for _, t := range []string{
		"ItemDispatched", "ItemAccepted", "ItemSuspended", "SpecialProcedureStarted", "ItemResumed",
		"SpecialProcedureEnded", "DeadlineExtended", "ItemDecided",
	} {
		m[typeCodes[t]] = true
	}
	return m
}()

func encodeDoc(dst []byte, v any) ([]byte, error) {
	d := v.(*doc)
	b := appendHeader(dst, &d.h, d.n)
	return append(b, d.enc...), nil
}

// load returns the doc of a case for changing in this batch, and whether it
// is pending in tx already (Object returned it): the one an earlier event
// (or the object cache) left in tx, else the stored one, else a new one.
// first says the event is the case's first: no earlier event of the case
// wrote its key, so the store is not asked (for a case new to a batch,
// most often in a replay, that read found nothing).
func load(tx *projections.Tx, key []byte, caseID string, first bool) (*doc, bool, error) {
	if v, ok := tx.Object(key); ok {
		return v.(*doc), true, nil
	}
	if first {
		return &doc{caseID: caseID}, false, nil
	}
	d, err := loadStored(tx, key, caseID)
	return d, false, err
}

func loadStored(tx *projections.Tx, key []byte, caseID string) (*doc, error) {
	d := &doc{caseID: caseID}
	b, ok, err := tx.Get(key)
	if err != nil || !ok {
		return d, err
	}
	h, steps, enc, err := decodeDoc(b)
	if err != nil {
		return nil, fmt.Errorf("timeline: case %s: %w", caseID, err)
	}
	d.h, d.enc, d.n = h, enc, len(steps)
	r, err := txResolver(tx)
	if err != nil {
		return nil, err
	}
	if err := d.resolveHeader(r); err != nil {
		return nil, err
	}
	d.fold.grow(len(d.h.items))
	for i := range steps {
		d.fold.apply(&steps[i])
	}
	if len(steps) > 0 {
		d.last = steps[len(steps)-1].clock
	}
	for i := range d.fold.items {
		if err := r.resolve(&d.fold.items[i].dept); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *doc) resolveHeader(r *resolver) error {
	refs := []*ref{&d.h.region, &d.h.bundle}
	for i := range d.h.items {
		refs = append(refs, &d.h.items[i].code, &d.h.items[i].dept)
	}
	for _, x := range refs {
		if err := r.resolve(x); err != nil {
			return err
		}
	}
	return nil
}

func (d *doc) setHeader(in interner, e *domain.CaseSubmitted) error {
	var err error
	if d.h.region, err = in.intern(e.Region); err != nil {
		return err
	}
	if d.h.bundle, err = in.intern(e.Bundle.Code); err != nil {
		return err
	}
	// Sized once: itemIndex would otherwise grow both tables an item at a
	// time.
	d.h.items = slices.Grow(d.h.items[:0], len(e.Bundle.Items))
	d.fold.items = slices.Grow(d.fold.items, len(e.Bundle.Items))
	for _, it := range e.Bundle.Items {
		if _, err := d.itemIndex(in, it.Code, it.Department); err != nil {
			return err
		}
	}
	return nil
}

func timeOf(ns int64) time.Time { return time.Unix(0, ns).UTC() }
