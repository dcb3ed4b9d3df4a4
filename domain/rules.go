package domain

import (
	"slices"
	"strings"
)

// Rule names, as documented in case.go.
const (
	ruleDepartment  = "C1 officers act only on their department's items"
	ruleRegion      = "C2 window officers and supervisors act in their region"
	ruleOwnCase     = "C3 applicants act only on their own case"
	ruleRole        = "C4 command not open to this role"
	ruleSubmitted   = "C5 a case is submitted and taken in once"
	ruleAccepted    = "C6 nothing is decided before acceptance"
	ruleClosed      = "C7 no action on a closed case"
	ruleDependency  = "C8 no dispatch before dependencies concluded"
	ruleItemSettled = "C9 no action on a concluded or withdrawn item"
	ruleSupplement  = "C10 one complete supplement notice"
	ruleMaterials   = "C11 acceptance needs the materials"
	ruleItemStarted = "C12 the department accepts the item first"
	rulePause       = "C13 one pause at a time"
	ruleExtension   = "C14 extension within the legal maximum"
	ruleOutcome     = "C15 outcome fits the case"
	ruleCertificate = "C16 one certificate for an approved item"
	ruleDelivery    = "C17 delivery after completion"
	ruleWithdrawal  = "C18 withdraw only what has not started"
	ruleRating      = "C19 one rating per case after completion or refusal"
	ruleBadRating   = "C20 bad-rating handling in order"
	ruleComplaint   = "C21 complaints target the case and are answered once"
	ruleWarning     = "C22 one warning per item and level, when due"
	ruleDuban       = "C23 close an open 督办 once"
	ruleCorrection  = "C24 corrections reference an event of the case"
	ruleTolerance   = "C25 tolerance lapses only when materials are late"
)

func forbidden(rule, format string, args ...any) *Error {
	e := RuleError(rule, format, args...)
	e.Code = CodeForbidden
	return e
}

// allow checks the actor's role (C4), region (C2) and, for applicants,
// ownership of the case (C3). Department officers are checked per item.
func (d *decision) allow(roles ...Role) error {
	a := d.m.Actor
	if !slices.Contains(roles, a.Role) {
		return forbidden(ruleRole, "a %s may not do this", a.Role)
	}
	switch a.Role {
	case RoleWindow, RoleSupervisor:
		if a.Region != d.s.Region {
			return forbidden(ruleRegion, "case of region %s, officer of region %s", d.s.Region, a.Region)
		}
	case RoleApplicant:
		own := SubjectRef(a.PersonID) == d.s.Applicant.Ref ||
			(d.s.Agent != nil && SubjectRef(a.PersonID) == d.s.Agent.Ref)
		if !own {
			return forbidden(ruleOwnCase, "not the applicant or agent of this case")
		}
	}
	return nil
}

// open refuses commands on a case that ended (C7) and, unless completed is
// allowed, on a completed one.
func (d *decision) open(completedOK bool) error {
	if d.s.Closed() || (!completedOK && d.s.Status == StatusCompleted) {
		return RuleError(ruleClosed, "case is %s", d.s.Status)
	}
	return nil
}

// item returns the item code names for an item command: the case must be
// accepted (C6), the item known, the actor of its department (C1), and the
// item not settled (C9).
func (d *decision) item(code string) (*ItemState, error) {
	if err := d.open(false); err != nil {
		return nil, err
	}
	if d.s.Status != StatusAccepted {
		return nil, RuleError(ruleAccepted, "case is %s", d.s.Status)
	}
	it, ok := d.s.Item(code)
	if !ok {
		return nil, &Error{Code: CodeNotFound, Message: "no item " + code + " in this case"}
	}
	if err := d.department(it.Department); err != nil {
		return nil, err
	}
	if it.Settled() {
		return nil, RuleError(ruleItemSettled, "item %s is %s", code, it.Status)
	}
	return it, nil
}

// department checks that a department officer belongs to dept (C1).
func (d *decision) department(dept string) error {
	a := d.m.Actor
	if a.Role != RoleDepartment {
		return forbidden(ruleRole, "a %s may not do this", a.Role)
	}
	if a.Unit != dept {
		return forbidden(ruleDepartment, "item of %s, officer of %s", dept, a.Unit)
	}
	return nil
}

// started returns the item for a command that needs the department to have
// accepted it (C12) and its clock running (C13).
func (d *decision) started(code string) (*ItemState, error) {
	it, err := d.item(code)
	if err != nil {
		return nil, err
	}
	if it.Status != ItemInProgress {
		return nil, RuleError(ruleItemStarted, "item %s is %s", code, it.Status)
	}
	if it.Paused() {
		return nil, RuleError(rulePause, "item %s is paused", code)
	}
	return it, nil
}

// fields collects CodeInvalid field errors.
type fields []FieldError

func (f *fields) need(name, value string) {
	if strings.TrimSpace(value) == "" {
		*f = append(*f, FieldError{Field: name, Message: "required"})
	}
}

func (f *fields) check(ok bool, name, msg string) {
	if !ok {
		*f = append(*f, FieldError{Field: name, Message: msg})
	}
}

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "invalid command", Fields: f}
}

func validateMeta(m CommandMeta) error {
	var f fields
	f.need("id", m.ID)
	f.need("case_id", m.CaseID)
	f.check(m.Actor.Role.Valid(), "actor.role", "unknown role")
	f.need("actor.person_id", m.Actor.PersonID)
	f.check(!m.At.IsZero(), "at", "required")
	return f.err()
}
