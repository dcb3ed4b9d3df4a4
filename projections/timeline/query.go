package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections"
)

// Timeline is a supervisor's answer for one case: every step, and where its
// items and departments stood at one instant (invariant 8).
type Timeline struct {
	CaseID   string
	Position uint64 // the log position the answer reflects
	Region   string
	Bundle   string
	Steps    []Step
	// At is the instant Items and Departments describe.
	At          time.Time
	Items       []ItemTime
	Departments []DepartmentTime
}

// ItemTime is one item as of Timeline.At.
type ItemTime struct {
	Code       string
	Department string
	Status     domain.ItemStatus
	// DispatchedOn is zero for an item not dispatched by then.
	DispatchedOn workday.Date
	Due          workday.Date // as the domain last recorded it
	SettledOn    workday.Date // concluded or withdrawn
	Pauses       []Pause
	// WorkingDays are the working days the item's clock ran, from the day
	// after dispatch to the day it settled, its case closed, or At;
	// PausedDays the working days of that stretch its clock was stopped.
	WorkingDays int
	PausedDays  int
	// State is the item against its due date: as of At while it runs (as of
	// the day its clock stopped while paused), as of the day it concluded
	// once concluded (on time or overdue); empty when it never ran against a
	// due date, was withdrawn, or its case closed.
	State    workday.State
	DaysLeft int
	Paused   bool
}

// Pause is a stretch during which an item's clock stopped; To is zero while
// it lasts.
type Pause struct {
	From workday.Date
	To   workday.Date
	Kind string // PauseSupplement, PauseSuspended or a special procedure's kind
}

// DepartmentTime sums the item times of one department.
type DepartmentTime struct {
	Department  string
	Items       int // items dispatched to it by At
	WorkingDays int
	PausedDays  int
}

// Get returns the timeline of a case once the projection reached
// minPosition (read-your-writes), with working days counted on cal and item
// states as of at under policy (nil: the domain's default). A case the
// projection does not know fails with domain.CodeNotFound.
func Get(ctx context.Context, r *projections.Runner, caseID string, minPosition uint64, at time.Time,
	cal *workday.Calendar, policy *workday.WarningPolicy) (Timeline, error) {
	pol := domain.DefaultPolicy().Warning
	if policy != nil {
		pol = *policy
	}
	if err := pol.Validate(); err != nil {
		return Timeline{}, &domain.Error{Code: domain.CodeInvalid, Message: err.Error()}
	}
	var t Timeline
	var raw []rawStep
	var h header
	var found bool
	err := r.Read(ctx, Name, minPosition, func(v *projections.View) error {
		b, ok, err := v.Get(docKey(caseID))
		if err != nil || !ok {
			return err
		}
		found, t.Position = true, v.Position()
		if h, raw, _, err = decodeDoc(b); err != nil {
			return fmt.Errorf("timeline: case %s: %w", caseID, err)
		}
		return resolveAll(&resolver{g: v}, &h, raw)
	})
	if err != nil {
		return Timeline{}, err
	}
	if !found {
		return Timeline{}, domain.Errorf(domain.CodeNotFound, "no case %s", caseID)
	}
	t.CaseID, t.Region, t.Bundle, t.At = caseID, h.region.s, h.bundle.s, at
	t.Steps = steps(&h, raw, cal)
	t.Items, t.Departments = itemTimes(&h, raw, at, cal, pol)
	return t, nil
}

func resolveAll(r *resolver, h *header, raw []rawStep) error {
	refs := []*ref{&h.region, &h.bundle}
	for i := range h.items {
		refs = append(refs, &h.items[i].code, &h.items[i].dept)
	}
	for i := range raw {
		s := &raw[i]
		refs = append(refs, &s.actor, &s.dept, &s.kind, &s.text, &s.legal)
	}
	for _, x := range refs {
		if err := r.resolve(x); err != nil {
			return err
		}
	}
	return nil
}

func steps(h *header, raw []rawStep, cal *workday.Calendar) []Step {
	out := make([]Step, len(raw))
	for i := range raw {
		s := &raw[i]
		actor := s.actor.s
		if s.actor == (ref{}) {
			actor = h.applicant.s
		}
		st := Step{Version: uint64(i), Position: s.position, Type: types[s.typ], Actor: parseActor(actor),
			OccurredAt: timeOf(s.occurred), RecordedAt: timeOf(s.recorded), Department: s.dept.s,
			Kind: s.kind.s, Text: s.text.s, LegalBasis: s.legal.s, Ref: s.doc.s, Due: s.due,
			Corrects: s.corrects, CorrectsID: s.correctsID}
		if s.item >= 0 {
			st.Item = h.items[s.item].code.s
			// Stored only where it differs from the item's (Apply).
			if st.Department == "" && (st.Type == "ItemDispatched" || st.Type == "ComplaintFiled") {
				st.Department = h.items[s.item].dept.s
			}
		}
		for _, it := range s.items {
			st.Items = append(st.Items, h.items[it].code.s)
		}
		for _, d := range s.dues {
			st.Dues = append(st.Dues, domain.ItemDue{Item: h.items[d.item].code.s, Due: d.due})
		}
		if i > 0 {
			st.WorkingDays = cal.WorkingDaysBetween(workday.DateOf(out[i-1].OccurredAt), workday.DateOf(st.OccurredAt))
		}
		out[i] = st
	}
	return out
}

// itemTimes folds the steps that occurred by at and measures every item.
func itemTimes(h *header, raw []rawStep, at time.Time, cal *workday.Calendar, pol workday.WarningPolicy) ([]ItemTime, []DepartmentTime) {
	var f caseFold
	f.grow(len(h.items))
	for i := range raw {
		if !timeOf(raw[i].occurred).After(at) {
			f.apply(&raw[i])
		}
	}
	day := workday.DateOf(at)
	items := make([]ItemTime, len(h.items))
	var depts []DepartmentTime
	for i := range h.items {
		it := &f.items[i]
		t := ItemTime{Code: h.items[i].code.s, Department: h.items[i].dept.s, Status: it.status,
			DispatchedOn: it.dispatched, Due: it.due, SettledOn: it.settled, Paused: it.paused()}
		if it.dept != (ref{}) {
			t.Department = it.dept.s
		}
		for _, p := range it.pauses {
			t.Pauses = append(t.Pauses, Pause{From: p.from, To: p.to, Kind: p.kind.s})
		}
		if !it.dispatched.IsZero() {
			end := day
			if !it.settled.IsZero() && it.settled.Before(end) {
				end = it.settled
			}
			if !f.closedOn.IsZero() && f.closedOn.Before(end) {
				end = f.closedOn
			}
			t.WorkingDays, t.PausedDays = spent(cal, it, end)
			t.State, t.DaysLeft = state(cal, &f, it, day, pol)
			depts = addDept(depts, t)
		}
		items[i] = t
	}
	return items, depts
}

// spent splits the working days in (dispatched, end] into those the clock
// ran and those it was stopped (workday.Pause: a pause stops (From, To]).
func spent(cal *workday.Calendar, it *itemFold, end workday.Date) (ran, paused int) {
	for d := it.dispatched.AddDays(1); !d.After(end); d = d.AddDays(1) {
		if !cal.IsWorkingDay(d) {
			continue
		}
		stopped := false
		for _, p := range it.pauses {
			if d.After(p.from) && (p.to.IsZero() || !d.After(p.to)) {
				stopped = true
				break
			}
		}
		if stopped {
			paused++
		} else {
			ran++
		}
	}
	return ran, paused
}

func state(cal *workday.Calendar, f *caseFold, it *itemFold, day workday.Date, pol workday.WarningPolicy) (workday.State, int) {
	switch {
	case it.due.IsZero():
		return "", 0
	case it.status == domain.ItemConcluded:
		s, left := cal.StateAt(it.dispatched, it.due, it.settled, pol)
		if s == workday.Warning {
			s = workday.OnTime // it finished in time
		}
		return s, left
	case !it.running() || !f.closedOn.IsZero():
		return "", 0
	case it.paused():
		return cal.StateAt(it.dispatched, it.due, it.pauses[len(it.pauses)-1].from, pol)
	}
	return cal.StateAt(it.dispatched, it.due, day, pol)
}

func addDept(ds []DepartmentTime, t ItemTime) []DepartmentTime {
	for i := range ds {
		if ds[i].Department == t.Department {
			ds[i].Items++
			ds[i].WorkingDays += t.WorkingDays
			ds[i].PausedDays += t.PausedDays
			return ds
		}
	}
	return append(ds, DepartmentTime{Department: t.Department, Items: 1, WorkingDays: t.WorkingDays, PausedDays: t.PausedDays})
}
