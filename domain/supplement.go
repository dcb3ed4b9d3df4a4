package domain

import (
	"slices"

	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// requestSupplement issues the case's one notice. At intake a window
// officer lists every missing material; after acceptance a department
// officer of a running item lists the materials needing correction (补正),
// and the clocks of all running items stop until they arrive.
func (d *decision) requestSupplement(c *RequestSupplement) ([]Event, error) {
	var f fields
	f.check(len(c.Missing) > 0, "missing", "required")
	f.need("notice_number", c.NoticeNumber)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.open(false); err != nil {
		return nil, err
	}
	if d.s.Status == StatusAccepted {
		if err := d.runningDepartment(); err != nil {
			return nil, err
		}
	} else if err := d.allow(RoleWindow); err != nil {
		return nil, err
	}
	if d.s.Supplement.Requested {
		return nil, RuleError(ruleSupplement, "the case had its supplement notice %s", d.s.Supplement.NoticeNumber)
	}
	if d.s.Status == StatusAccepted {
		for _, m := range c.Missing {
			if !bundleMaterial(&d.s.Bundle, m) {
				return nil, Errorf(CodeInvalid, "no material %s in this bundle", m)
			}
		}
		return []Event{&SupplementRequested{Missing: slices.Clone(c.Missing), NoticeNumber: c.NoticeNumber}}, nil
	}
	if d.env.Calendar.WorkingDaysBetween(d.s.SubmittedAt, d.on()) > NoticeWindow {
		return nil, RuleError(ruleSupplement, "the notice was due within %d working days of receipt (行政许可法 Art. 32); "+
			"the application counts as accepted from %s", NoticeWindow, d.s.SubmittedAt)
	}
	all := append(slices.Clone(d.s.MissingKey), d.s.MissingMinor...)
	if len(all) == 0 {
		return nil, RuleError(ruleSupplement, "no material is missing")
	}
	if !sameSet(c.Missing, all) {
		return nil, RuleError(ruleSupplement, "the notice must list every missing material at once: %v", all)
	}
	return []Event{&SupplementRequested{Missing: all, NoticeNumber: c.NoticeNumber}}, nil
}

// runningDepartment checks that the actor is an officer of a department
// with a dispatched or running item (C1).
func (d *decision) runningDepartment() error {
	for _, it := range d.s.Items {
		if it.Status == ItemSent || it.Status == ItemInProgress {
			if d.department(it.Department) == nil {
				return nil
			}
		}
	}
	if d.m.Actor.Role != RoleDepartment {
		return forbidden(ruleRole, "a %s may not do this", d.m.Actor.Role)
	}
	return forbidden(ruleDepartment, "no running item of %s in this case", d.m.Actor.Unit)
}

func bundleMaterial(b *catalogue.Bundle, code string) bool {
	for i := range b.Items {
		if _, ok := b.Items[i].Material(code); ok {
			return true
		}
	}
	return false
}

func (d *decision) receiveSupplement(c *ReceiveSupplement) ([]Event, error) {
	var f fields
	f.check(len(c.Materials) > 0, "materials", "required")
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleWindow, RoleDepartment); err != nil {
		return nil, err
	}
	if d.m.Actor.Role == RoleDepartment {
		if err := d.runningDepartment(); err != nil {
			return nil, err
		}
	}
	if err := d.open(false); err != nil {
		return nil, err
	}
	if !d.s.Supplement.Open {
		return nil, RuleError(ruleSupplement, "no supplement notice is open")
	}
	for _, m := range c.Materials {
		if !slices.Contains(d.s.Supplement.Missing, m) {
			return nil, RuleError(ruleSupplement, "material %s was not asked for", m)
		}
	}
	var due []ItemDue
	for _, it := range d.s.Items {
		if it.AwaitingSupplement && !it.Settled() {
			due = append(due, ItemDue{Item: it.Code, Due: d.dueAfterPause(&it, workday.Limit{})})
		}
	}
	return []Event{&SupplementReceived{Materials: slices.Clone(c.Materials), Due: due}}, nil
}

func sameSet(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}
