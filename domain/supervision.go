package domain

import (
	"slices"

	"github.com/caseledger/caseledger/domain/workday"
)

// Duban is a supervisor's 督办.
type Duban struct {
	ID     string
	Item   string
	Closed bool
}

// raiseWarning is the deadline watcher's command. The watcher may retry or
// run twice; the state refuses a second warning of one level for one item
// (C22), and the event IDs derived from the command ID make a retried
// append a no-op in the store.
func (d *decision) raiseWarning(c *RaiseWarning) ([]Event, error) {
	var f fields
	f.need("item", c.Item)
	f.check(c.Level == WarningYellow || c.Level == WarningOverdue, "level", "yellow or overdue")
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleSystem); err != nil {
		return nil, err
	}
	if err := d.open(false); err != nil {
		return nil, err
	}
	if d.s.Status != StatusAccepted {
		return nil, RuleError(ruleAccepted, "case is %s", d.s.Status)
	}
	it, ok := d.s.Item(c.Item)
	if !ok {
		return nil, &Error{Code: CodeNotFound, Message: "no item " + c.Item + " in this case"}
	}
	switch {
	case it.Settled() || it.Status == ItemWaiting:
		return nil, RuleError(ruleWarning, "item %s is %s", c.Item, it.Status)
	case it.Paused():
		return nil, RuleError(ruleWarning, "item %s is paused: its clock is stopped", c.Item)
	case slices.Contains(it.Warnings, c.Level):
		return nil, RuleError(ruleWarning, "item %s has its %s warning", c.Item, c.Level)
	}
	on := d.on()
	state, _ := d.env.Calendar.StateAt(it.DispatchedOn, it.Due, on, d.env.Policy.Warning)
	if c.Level == WarningOverdue && state != workday.Overdue {
		return nil, RuleError(ruleWarning, "item %s is due %s", c.Item, it.Due)
	}
	if c.Level == WarningYellow && state == workday.OnTime {
		return nil, RuleError(ruleWarning, "item %s is on time (due %s)", c.Item, it.Due)
	}
	return []Event{&WarningRaised{Item: c.Item, Level: c.Level, Due: it.Due, On: on}}, nil
}

func (d *decision) issueDuban(c *IssueDuban) ([]Event, error) {
	var f fields
	f.need("reason", c.Reason)
	f.need("reference", c.Reference)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleSupervisor); err != nil {
		return nil, err
	}
	if err := d.open(true); err != nil {
		return nil, err
	}
	if c.Item != "" {
		if _, ok := d.s.Item(c.Item); !ok {
			return nil, &Error{Code: CodeNotFound, Message: "no item " + c.Item + " in this case"}
		}
	}
	return []Event{&DubanIssued{DubanID: EventID(d.m.CaseID, d.m.ID, 0).String(), Item: c.Item,
		Reason: c.Reason, Reference: c.Reference}}, nil
}

func (d *decision) closeDuban(c *CloseDuban) ([]Event, error) {
	var f fields
	f.need("duban_id", c.DubanID)
	f.need("result", c.Result)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleSupervisor); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(d.s.Dubans, func(x Duban) bool { return x.ID == c.DubanID })
	if i < 0 {
		return nil, &Error{Code: CodeNotFound, Message: "no 督办 " + c.DubanID + " in this case"}
	}
	if d.s.Dubans[i].Closed {
		return nil, RuleError(ruleDuban, "督办 %s is closed", c.DubanID)
	}
	return []Event{&DubanClosed{DubanID: c.DubanID, Result: c.Result}}, nil
}

// applySupervision folds complaint, 督办 and correction events; it reports
// whether ev was one. (Warnings are item events, see applyItem.)
func (s *State) applySupervision(ev Event, on workday.Date) bool {
	switch e := ev.(type) {
	case *ComplaintFiled:
		s.Complaints = append(s.Complaints, Complaint{ID: e.ComplaintID, Department: e.Department,
			Item: e.Item, Step: e.Step, AnswerBy: e.AnswerBy})
	case *ComplaintAnswered:
		s.Complaints = slices.Clone(s.Complaints) // F1
		for i := range s.Complaints {
			if s.Complaints[i].ID == e.ComplaintID {
				s.Complaints[i].Answered = true
			}
		}
	case *DubanIssued:
		s.Dubans = append(s.Dubans, Duban{ID: e.DubanID, Item: e.Item})
	case *DubanClosed:
		s.Dubans = slices.Clone(s.Dubans) // F1
		for i := range s.Dubans {
			if s.Dubans[i].ID == e.DubanID {
				s.Dubans[i].Closed = true
			}
		}
	case *EventCorrected:
		s.Corrections = append(s.Corrections, *e)
	default:
		return false
	}
	return true
}
