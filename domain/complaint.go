package domain

import (
	"slices"

	"github.com/caseledger/caseledger/domain/workday"
)

// Complaint is a complaint against a department or one of its steps.
type Complaint struct {
	ID         string
	Department string
	Item       string
	Step       Step
	AnswerBy   workday.Date
	Answered   bool
}

func (d *decision) fileComplaint(c *FileComplaint) ([]Event, error) {
	var f fields
	f.need("department", c.Department)
	f.need("summary", c.Summary)
	f.check(c.Step == "" || slices.Contains([]Step{StepHandle, StepReview, StepApprove}, c.Step), "step", "承办, 审核 or 批准")
	f.check(c.Step == "" || c.Item != "", "item", "required with a step")
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleApplicant); err != nil {
		return nil, err
	}
	if !d.s.involves(c.Department) {
		return nil, RuleError(ruleComplaint, "%s has no item in this case", c.Department)
	}
	if c.Item != "" {
		it, ok := d.s.Item(c.Item)
		if !ok || it.Department != c.Department {
			return nil, RuleError(ruleComplaint, "item %s is not an item of %s in this case", c.Item, c.Department)
		}
		if c.Step != "" && !slices.ContainsFunc(it.Steps, func(r StepRecord) bool { return r.Step == c.Step }) {
			return nil, RuleError(ruleComplaint, "item %s has no %s step", c.Item, c.Step)
		}
	}
	return []Event{&ComplaintFiled{
		ComplaintID: EventID(d.m.CaseID, d.m.ID, 0).String(), Department: c.Department, Item: c.Item,
		Step: c.Step, Summary: c.Summary, AnswerBy: d.env.Calendar.Due(d.on(), d.env.Policy.ComplaintLimit),
	}}, nil
}

func (d *decision) answerComplaint(c *AnswerComplaint) ([]Event, error) {
	var f fields
	f.need("complaint_id", c.ComplaintID)
	f.need("answer", c.Answer)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleSupervisor, RoleDepartment); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(d.s.Complaints, func(x Complaint) bool { return x.ID == c.ComplaintID })
	if i < 0 {
		return nil, &Error{Code: CodeNotFound, Message: "no complaint " + c.ComplaintID + " in this case"}
	}
	cp := d.s.Complaints[i]
	if d.m.Actor.Role == RoleDepartment && d.m.Actor.Unit != cp.Department {
		return nil, forbidden(ruleDepartment, "complaint against %s, officer of %s", cp.Department, d.m.Actor.Unit)
	}
	if cp.Answered {
		return nil, RuleError(ruleComplaint, "complaint %s is answered", c.ComplaintID)
	}
	return []Event{&ComplaintAnswered{ComplaintID: c.ComplaintID, Answer: c.Answer}}, nil
}
