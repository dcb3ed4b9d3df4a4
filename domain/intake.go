package domain

import (
	"slices"
	"strings"

	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

func (d *decision) submit(c *SubmitCase) ([]Event, error) {
	var f fields
	f.need("bundle_code", c.BundleCode)
	f.check(slices.Contains([]Channel{ChannelWindow, ChannelWeb, ChannelMobile, ChannelPost}, c.Channel), "channel", "unknown channel")
	f.need("applicant.ref", string(c.Applicant.Ref))
	f.check(c.Applicant.Kind == Person || c.Applicant.Kind == Company, "applicant.kind", "person or company")
	f.check(c.Agent == nil || c.Agent.Ref != "", "agent.ref", "required")
	f.check(len(c.Region) == 6 || len(c.Region) == 9, "region", "6 or 9 digit region code")
	f.check(masked(c.Applicant), "applicant", "display values must be masked (MaskName, MaskIDNumber)")
	f.check(c.Agent == nil || masked(*c.Agent), "agent", "display values must be masked (MaskName, MaskIDNumber)")
	if err := f.err(); err != nil {
		return nil, err
	}
	a := d.m.Actor
	switch a.Role {
	case RoleApplicant:
		own := SubjectRef(a.PersonID) == c.Applicant.Ref || (c.Agent != nil && SubjectRef(a.PersonID) == c.Agent.Ref)
		if !own {
			return nil, forbidden(ruleOwnCase, "applicants submit for themselves or as the named agent")
		}
	case RoleWindow:
		if a.Region != c.Region {
			return nil, forbidden(ruleRegion, "case of region %s, officer of region %s", c.Region, a.Region)
		}
	default:
		return nil, forbidden(ruleRole, "a %s may not submit", a.Role)
	}
	b, ok := d.env.Catalogue.Bundle(c.BundleCode)
	if !ok {
		return nil, &Error{Code: CodeNotFound, Message: "no bundle " + c.BundleCode + " in the catalogue"}
	}
	snapshot := *b
	for _, m := range c.Provided {
		if !bundleMaterial(&snapshot, m) {
			return nil, &Error{Code: CodeInvalid, Message: "invalid command",
				Fields: []FieldError{{Field: "provided", Message: "no material " + m + " in bundle " + b.Code}}}
		}
	}
	key, minor := missingMaterials(&snapshot, c.Provided)
	return []Event{
		&CaseSubmitted{CatalogueVersion: d.env.Catalogue.Version, Bundle: snapshot, Channel: c.Channel,
			Applicant: c.Applicant, Agent: c.Agent, Region: c.Region, Provided: slices.Clone(c.Provided)},
		&CasePrechecked{EventMeta: EventMeta{Actor: Actor{Role: RoleSystem, PersonID: "caseledger", Region: c.Region}},
			MissingKey: key, MissingMinor: minor},
	}, nil
}

// intake checks a window officer's intake decision on a submitted case.
func (d *decision) intake() error {
	if err := d.allow(RoleWindow); err != nil {
		return err
	}
	if err := d.open(false); err != nil {
		return err
	}
	if d.s.Status != StatusSubmitted {
		return RuleError(ruleSubmitted, "case is already %s", d.s.Status)
	}
	return nil
}

func (d *decision) refuse(c *RefuseCase) ([]Event, error) {
	var f fields
	f.need("reason", c.Reason)
	f.need("legal_basis", c.LegalBasis)
	f.need("notice_number", c.NoticeNumber)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.intake(); err != nil {
		return nil, err
	}
	return []Event{&CaseRefused{Reason: c.Reason, LegalBasis: c.LegalBasis, NoticeNumber: c.NoticeNumber}}, nil
}

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

func (d *decision) accept(c *AcceptCase) ([]Event, error) {
	var f fields
	f.need("acceptance_number", c.AcceptanceNumber)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.intake(); err != nil {
		return nil, err
	}
	if missing := append(slices.Clone(d.s.MissingKey), d.s.MissingMinor...); len(missing) > 0 {
		return nil, RuleError(ruleMaterials, "materials missing: %v", missing)
	}
	return []Event{d.accepted(c.AcceptanceNumber, nil)}, nil
}

func (d *decision) acceptWithTolerance(c *AcceptWithTolerance) ([]Event, error) {
	var f fields
	f.need("acceptance_number", c.AcceptanceNumber)
	f.need("commitment_ref", c.CommitmentRef)
	f.need("credit_check.ref", c.CreditCheck.Ref)
	f.check(c.DueBy.Valid(), "due_by", "a valid date")
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.intake(); err != nil {
		return nil, err
	}
	switch {
	case c.CreditCheck.Dishonest:
		return nil, RuleError(ruleMaterials, "容缺受理 is not offered to applicants on a dishonesty list")
	case len(d.s.MissingKey) > 0:
		return nil, RuleError(ruleMaterials, "key materials missing: %v", d.s.MissingKey)
	case len(d.s.MissingMinor) == 0:
		return nil, RuleError(ruleMaterials, "nothing is missing: accept without tolerance")
	}
	ev := d.accepted(c.AcceptanceNumber, &Tolerance{Missing: slices.Clone(d.s.MissingMinor), DueBy: c.DueBy,
		CommitmentRef: c.CommitmentRef, CreditCheck: c.CreditCheck.Ref})
	if !c.DueBy.After(ev.AcceptedOn) || c.DueBy.After(ev.PromisedDue) {
		return nil, RuleError(ruleMaterials, "materials must be due after acceptance and by the promised date %s", ev.PromisedDue)
	}
	return []Event{ev}, nil
}

// accepted computes the promised date (承诺办结时间) under the calendar
// given, recording its version.
func (d *decision) accepted(number string, t *Tolerance) *CaseAccepted {
	on := d.on()
	return &CaseAccepted{AcceptanceNumber: number, CalendarVersion: d.env.Calendar.Version(), AcceptedOn: on,
		PromisedDue: d.env.Calendar.Due(on, d.s.Bundle.Promised), Tolerance: t}
}

func (d *decision) supplyTolerance(c *SupplyToleranceMaterials) ([]Event, error) {
	var f fields
	f.check(len(c.Materials) > 0, "materials", "required")
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleWindow); err != nil {
		return nil, err
	}
	if err := d.open(true); err != nil {
		return nil, err
	}
	t := d.s.Acceptance.Tolerance
	if t == nil || len(t.Missing) == 0 {
		return nil, RuleError(ruleTolerance, "no tolerance materials are outstanding")
	}
	for _, m := range c.Materials {
		if !slices.Contains(t.Missing, m) {
			return nil, RuleError(ruleTolerance, "material %s is not outstanding", m)
		}
	}
	return []Event{&ToleranceMaterialsReceived{Materials: slices.Clone(c.Materials)}}, nil
}

func (d *decision) lapseTolerance(*LapseTolerance) ([]Event, error) {
	if err := d.allow(RoleSystem); err != nil {
		return nil, err
	}
	if err := d.open(false); err != nil {
		return nil, err
	}
	t := d.s.Acceptance.Tolerance
	if t == nil || len(t.Missing) == 0 || !d.on().After(t.DueBy) {
		return nil, RuleError(ruleTolerance, "no tolerance materials are overdue")
	}
	return []Event{&CaseTerminated{Reason: "容缺材料逾期未补齐: " + strings.Join(t.Missing, ", "),
		LegalBasis: "容缺受理承诺书 " + t.CommitmentRef}}, nil
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
