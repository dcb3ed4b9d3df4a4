package dispute

import (
	"reflect"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// fold is one Apply: the event's batch, case and reference.
type fold struct {
	tx     *projections.Tx
	c      *caseDoc
	caseID string
	ref    Ref
}

func (f *fold) apply(ev domain.Event) error {
	c := f.c
	switch e := ev.(type) {
	case *domain.CaseSubmitted:
		c.Region, c.Bundle = e.Region, e.Bundle.Code
		c.Departments, c.Last = map[string]string{}, map[string]*Ref{}
		for _, it := range e.Bundle.Items {
			c.Departments[it.Code] = it.Department
		}
	case *domain.BundleCompleted, *domain.CaseRefused:
		r := f.ref
		c.Ended = &r
	case *domain.ComplaintFiled:
		return f.complaint(e)
	case *domain.ComplaintAnswered:
		return f.update(e.ComplaintID, func(d *Dispute) {
			d.Handling = append(d.Handling, Handling{Ref: f.ref})
			d.MetOn, d.Closed = f.ref.On, true
		})
	case *domain.CaseRated:
		if e.Label.Bad() {
			return f.badRating(e)
		}
	case *domain.RatingCalledBack, *domain.RatingAppealed, *domain.AppealDecided:
		return f.rating(func(d *Dispute) { d.Handling = append(d.Handling, Handling{Ref: f.ref}) })
	case *domain.RatingTriaged:
		return f.rating(func(d *Dispute) {
			d.Handling = append(d.Handling, Handling{Ref: f.ref, Deadline: e.RectifyBy})
			d.Deadline = e.RectifyBy
		})
	case *domain.RectificationReported:
		return f.rating(func(d *Dispute) {
			d.Handling = append(d.Handling, Handling{Ref: f.ref})
			d.MetOn = f.ref.On
		})
	case *domain.RatingSignedOff:
		return f.rating(func(d *Dispute) {
			d.Handling = append(d.Handling, Handling{Ref: f.ref})
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
	code := itemOf(ev)
	if code == "" {
		return
	}
	f.last("item/", code, "")
	if dept, ok := f.c.Departments[code]; ok {
		f.last("dept/", dept, "")
	}
	if s, ok := ev.(*domain.StepRecorded); ok {
		f.last("step/", code, "/"+string(s.Step))
	}
	if d, ok := ev.(*domain.ItemDispatched); ok {
		// A dispatch names the department that handles the item.
		f.c.Departments[code] = d.Department
		f.last("dept/", d.Department, "")
	}
}

// last makes this event the last under the key kind+name+suffix. The key
// is built on the stack and only a key seen for the first time is
// allocated: most events update keys their case has already.
func (f *fold) last(kind, name, suffix string) {
	var buf [96]byte
	k := append(append(append(buf[:0], kind...), name...), suffix...)
	if r, ok := f.c.Last[string(k)]; ok {
		*r = f.ref
		return
	}
	r := f.ref
	f.c.Last[string(k)] = &r
}

// itemOf returns the item an item event is about, "" for other events.
// Every item event has a string field Item (events_item.go); reading it by
// reflection keeps this list from falling behind new item events.
func itemOf(ev domain.Event) string {
	v := reflect.ValueOf(ev).Elem().FieldByName("Item")
	if !v.IsValid() || v.Kind() != reflect.String {
		return ""
	}
	return v.String()
}

func (f *fold) complaint(e *domain.ComplaintFiled) error {
	d := &Dispute{ID: e.ComplaintID, Kind: KindComplaint, Filed: f.ref, Department: e.Department,
		Item: e.Item, Step: e.Step, Deadline: e.AnswerBy}
	var key string
	switch {
	case e.Step != "":
		key = "step/" + e.Item + "/" + string(e.Step)
	case e.Item != "":
		key = "item/" + e.Item
	default:
		key = "dept/" + e.Department
	}
	d.Disputed = f.ref
	if r, ok := f.c.Last[key]; ok {
		d.Disputed = *r
	}
	return f.create(d)
}

func (f *fold) badRating(e *domain.CaseRated) error {
	d := &Dispute{ID: f.ref.EventID, Kind: KindBadRating, Filed: f.ref, Label: e.Label, Tags: e.ReasonTags}
	d.Disputed = f.ref
	if f.c.Ended != nil {
		d.Disputed = *f.c.Ended
	}
	f.c.Rating = d.ID
	return f.create(d)
}

func (f *fold) create(d *Dispute) error {
	d.CaseID, d.Region, d.Bundle = f.caseID, f.c.Region, f.c.Bundle
	f.tx.SetObject(disputeKey(d.ID), d, projections.EncodeJSON)
	return f.tx.Set(openKey(d), []byte{})
}

// rating changes the case's bad-rating dispute; handling events of a case
// without one (a good rating) change nothing.
func (f *fold) rating(fn func(*Dispute)) error {
	if f.c.Rating == "" {
		return nil
	}
	return f.update(f.c.Rating, fn)
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
