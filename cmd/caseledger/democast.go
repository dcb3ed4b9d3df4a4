package main

import (
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/workday"
)

// demoCast is who the printed tokens stand for and what the printed
// examples act on: real actors and cases of the generated history, so that
// every example answers 2xx on a fresh demo.
type demoCast struct {
	applicant  domain.Actor
	window     domain.Actor
	department domain.Actor
	// region is the supervisor's: the case's.
	region string
	// caseID is a case of the applicant. When item is set, it is running
	// in the department officer's department and region, unpaused, so a
	// step may be recorded on it; version is then the case's version after
	// the history, the If-Match of that step.
	caseID  string
	item    string
	version uint64
}

// demoScout watches the generated appends and picks the cast. It folds
// only the open cases: a completed, refused, withdrawn or terminated case
// never has a running item again, so memory stays bounded by the cases open
// at once, not by --demo-cases.
type demoScout struct {
	first       domain.State // the first submitted case, in case none is left running
	open        map[string]*domain.State
	events      map[string]uint64 // events appended per open case
	order       []string          // open cases' IDs in submission order
	windows     map[string]domain.Actor
	departments map[[2]string]domain.Actor // by unit and region
}

func newDemoScout() *demoScout {
	return &demoScout{open: map[string]*domain.State{}, events: map[string]uint64{},
		windows: map[string]domain.Actor{}, departments: map[[2]string]domain.Actor{}}
}

// observe folds one append and remembers the first officer of each unit
// and region.
func (s *demoScout) observe(a casegen.Append) {
	switch m := a.Command.Metadata(); m.Actor.Role {
	case domain.RoleWindow:
		if _, ok := s.windows[m.Actor.Region]; !ok {
			s.windows[m.Actor.Region] = m.Actor
		}
	case domain.RoleDepartment:
		k := [2]string{m.Actor.Unit, m.Actor.Region}
		if _, ok := s.departments[k]; !ok {
			s.departments[k] = m.Actor
		}
	}
	st, ok := s.open[a.CaseID]
	if !ok {
		if _, submit := a.Command.(*domain.SubmitCase); !submit {
			return // a case closed earlier: only follow-up, never a running item
		}
		st = &domain.State{}
		s.open[a.CaseID] = st
		s.order = append(s.order, a.CaseID)
	}
	st.Apply(a.Decided...)
	s.events[a.CaseID] += uint64(len(a.Events))
	if s.first.CaseID == "" {
		s.first = *st
	}
	switch st.Status {
	case domain.StatusCompleted, domain.StatusRefused, domain.StatusWithdrawn, domain.StatusTerminated:
		delete(s.open, a.CaseID)
		delete(s.events, a.CaseID)
	}
}

// cast picks the case with the running item due last (the one the deadline
// watcher will flag last, so its version stays put longest), or, with
// none running, the first case and no item.
func (s *demoScout) cast() demoCast {
	var (
		focus *domain.State
		item  *domain.ItemState
		due   workday.Date
	)
	for _, id := range s.order {
		st, ok := s.open[id]
		if !ok || st.Status != domain.StatusAccepted {
			continue
		}
		for i := range st.Items {
			it := &st.Items[i]
			if it.Status == domain.ItemInProgress && !it.Paused() && (item == nil || due.Before(it.Due)) {
				focus, item, due = st, it, it.Due
			}
		}
	}
	if focus == nil {
		focus = &s.first
	}
	c := demoCast{
		applicant: domain.Actor{Role: domain.RoleApplicant, PersonID: string(focus.Applicant.Ref), Region: focus.Region},
		window:    s.windows[focus.Region],
		region:    focus.Region,
		caseID:    focus.CaseID,
	}
	if item == nil {
		for k, a := range s.departments {
			if k[1] == focus.Region && (c.department.PersonID == "" || a.PersonID < c.department.PersonID) {
				c.department = a
			}
		}
		return c
	}
	c.item, c.version = item.Code, s.events[focus.CaseID]-1
	dep, ok := s.departments[[2]string{item.Department, focus.Region}]
	if !ok {
		// Nobody of that department acted in the region before: an officer
		// of it may still act, as any would.
		dep = domain.Actor{Role: domain.RoleDepartment, PersonID: "demo-department", Unit: item.Department, Region: focus.Region}
	}
	c.department = dep
	return c
}
