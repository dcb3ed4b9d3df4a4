package dispute

import (
	"reflect"
	"sync/atomic"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// fold is one Apply: the event's batch, case and reference.
type fold struct {
	tx     *projections.Tx
	c      *caseDoc
	caseID string
	ref    caseRef
}

func (f *fold) apply(ev domain.Event) error {
	c := f.c
	switch e := ev.(type) {
	case *domain.CaseSubmitted:
		c.region, c.bundle = shared(e.Region), shared(e.Bundle.Code)
		// Sized for an item's own entry, its department's and a few of
		// its steps': growing the table by doubling allocated twice what
		// it kept.
		c.depts = make([]itemDept, 0, len(e.Bundle.Items))
		c.last = make([]caseRef, 0, 4*len(e.Bundle.Items)+4)
		c.keys = make([]uint64, 0, cap(c.last))
		// Item codes, departments and a few steps.
		c.names = make([]string, 0, 2*len(e.Bundle.Items)+4)
		c.nameHashes = make([]uint64, 0, cap(c.names))
		for _, it := range e.Bundle.Items {
			code := c.name(it.Code)
			c.setDept(code, c.name(it.Department))
		}
	case *domain.BundleCompleted, *domain.CaseRefused:
		c.ended, c.hasEnded = f.ref, true
	case *domain.ComplaintFiled:
		return f.complaint(e)
	case *domain.ComplaintAnswered:
		return f.update(e.ComplaintID, func(d *Dispute) {
			d.Handling = append(d.Handling, Handling{Ref: f.ref.export()})
			d.MetOn, d.Closed = f.ref.on.date(), true
		})
	case *domain.CaseRated:
		if e.Label.Bad() {
			return f.badRating(e)
		}
	case *domain.RatingCalledBack, *domain.RatingAppealed, *domain.AppealDecided:
		return f.rating(func(d *Dispute) { d.Handling = append(d.Handling, Handling{Ref: f.ref.export()}) })
	case *domain.RatingTriaged:
		return f.rating(func(d *Dispute) {
			d.Handling = append(d.Handling, Handling{Ref: f.ref.export(), Deadline: e.RectifyBy})
			d.Deadline = e.RectifyBy
		})
	case *domain.RectificationReported:
		return f.rating(func(d *Dispute) {
			d.Handling = append(d.Handling, Handling{Ref: f.ref.export()})
			d.MetOn = f.ref.on.date()
		})
	case *domain.RatingSignedOff:
		return f.rating(func(d *Dispute) {
			d.Handling = append(d.Handling, Handling{Ref: f.ref.export()})
			d.Closed = true
		})
	default:
		f.noteItem(ev)
	}
	return nil
}

// noteItem records ev as the last event of its item, its department and,
// for a step, of that step.
func (f *fold) noteItem(ev domain.Event) {
	code := itemOf(f.ref.typ, ev)
	if code == "" {
		return
	}
	c := f.c
	item := c.name(code)
	c.setLast(lastKey(lastItem, item, noStep), f.ref)
	if dept, ok := c.dept(item); ok {
		c.setLast(lastKey(lastDept, dept, noStep), f.ref)
	}
	if s, ok := ev.(*domain.StepRecorded); ok {
		c.setLast(lastKey(lastStep, item, c.stepName(string(s.Step))), f.ref)
	}
	if d, ok := ev.(*domain.ItemDispatched); ok {
		// A dispatch names the department that handles the item.
		dept := c.name(d.Department)
		c.setDept(item, dept)
		c.setLast(lastKey(lastDept, dept, noStep), f.ref)
	}
}

// itemOf returns the item an item event is about, "" for other events.
// Every item event has a string field Item (events_item.go); reading it by
// reflection keeps this list from falling behind new item events. typ is
// ev's type code.
func itemOf(typ uint8, ev domain.Event) string {
	v := reflect.ValueOf(ev).Elem()
	i := itemFields[typ].Load()
	if i == 0 {
		i = itemField(v.Type())
		itemFields[typ].Store(i)
	}
	switch {
	case i == promotedItem:
		if f := v.FieldByName("Item"); f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	case i < 0:
		return ""
	}
	return v.Field(int(i - 1)).String()
}

// itemFields caches itemField by type code: FieldByName searched the fields
// by name for every event. 0 is not looked up yet; copies folding side by
// side may each store the same value, hence atomics.
var itemFields [256]atomic.Int32

const (
	noItem       = -1
	promotedItem = -2 // from an embedded struct: looked up by name
)

// itemField returns the index plus one of t's string field Item, or noItem
// or promotedItem.
func itemField(t reflect.Type) int32 {
	f, ok := t.FieldByName("Item")
	switch {
	case !ok || f.Type.Kind() != reflect.String:
		return noItem
	case len(f.Index) != 1:
		return promotedItem
	}
	return int32(f.Index[0]) + 1
}

func (f *fold) complaint(e *domain.ComplaintFiled) error {
	d := &Dispute{ID: e.ComplaintID, Kind: KindComplaint, Filed: f.ref.export(), Department: e.Department,
		Item: e.Item, Step: e.Step, Deadline: e.AnswerBy}
	var r *caseRef
	switch {
	case e.Step != "":
		r = f.c.findNamed(lastStep, e.Item, string(e.Step))
	case e.Item != "":
		r = f.c.findNamed(lastItem, e.Item, "")
	default:
		r = f.c.findNamed(lastDept, e.Department, "")
	}
	d.Disputed = d.Filed
	if r != nil {
		d.Disputed = r.export()
	}
	return f.create(d)
}

func (f *fold) badRating(e *domain.CaseRated) error {
	filed := f.ref.export()
	d := &Dispute{ID: filed.EventID, Kind: KindBadRating, Filed: filed, Label: e.Label, Tags: e.ReasonTags}
	d.Disputed = filed
	if f.c.hasEnded {
		d.Disputed = f.c.ended.export()
	}
	f.c.rating = d.ID
	return f.create(d)
}

func (f *fold) create(d *Dispute) error {
	d.CaseID, d.Region, d.Bundle = f.caseID, f.c.region, f.c.bundle
	f.tx.SetObject(disputeKey(d.ID), d, projections.EncodeJSON)
	return f.tx.Set(openKey(d), []byte{})
}

// rating changes the case's bad-rating dispute; handling events of a case
// without one (a good rating) change nothing.
func (f *fold) rating(fn func(*Dispute)) error {
	if f.c.rating == "" {
		return nil
	}
	return f.update(f.c.rating, fn)
}

func (f *fold) update(id string, fn func(*Dispute)) error {
	d, err := projections.LoadJSON[Dispute](f.tx, disputeKey(id))
	if err != nil {
		return err
	}
	if d.CaseID == "" {
		return nil
	}
	d.ID = id
	wasOpen := !d.Closed
	fn(d)
	f.tx.SetObject(disputeKey(id), d, projections.EncodeJSON)
	if wasOpen && d.Closed {
		return f.tx.Delete(openKey(d))
	}
	return nil
}
