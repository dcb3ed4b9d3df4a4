package domain

import (
	"slices"
	"strings"

	"github.com/caseledger/caseledger/domain/catalogue"
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
	snapshot := snapshotBundle(b)
	for _, m := range c.Provided {
		if !bundleMaterial(&snapshot, m) {
			return nil, &Error{Code: CodeInvalid, Message: "invalid command",
				Fields: []FieldError{{Field: "provided", Message: "no material " + m + " in bundle " + b.Code}}}
		}
	}
	key, minor := missingMaterials(&snapshot, c.Provided)
	return []Event{
		&CaseSubmitted{CatalogueVersion: d.env.Catalogue.Version, Bundle: snapshot, Channel: c.Channel,
			Applicant: c.Applicant, Agent: cloneSubject(c.Agent), Region: c.Region, Provided: slices.Clone(c.Provided)},
		&CasePrechecked{EventMeta: EventMeta{Actor: systemActor(c.Region)}, MissingKey: key, MissingMinor: minor},
	}, nil
}

// snapshotBundle deep-copies a catalogue entry, so the case's copy shares
// no memory with a catalogue that may be reloaded or edited later.
func snapshotBundle(b *catalogue.Bundle) catalogue.Bundle {
	c := *b
	c.Items = slices.Clone(b.Items)
	for i := range c.Items {
		c.Items[i].Materials = slices.Clone(c.Items[i].Materials)
		c.Items[i].DependsOn = slices.Clone(c.Items[i].DependsOn)
	}
	return c
}

func cloneSubject(s *Subject) *Subject {
	if s == nil {
		return nil
	}
	c := *s
	return &c
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
//
// 行政许可法 Art. 32: an application left more than NoticeWindow working
// days without a supplement notice counts as accepted from the day it was
// received, so the promised date then counts from receipt.
func (d *decision) accepted(number string, t *Tolerance) *CaseAccepted {
	on := d.on()
	ev := &CaseAccepted{AcceptanceNumber: number, CalendarVersion: d.env.Calendar.Version(), AcceptedOn: on, Tolerance: t}
	if !d.s.Supplement.Requested && d.env.Calendar.WorkingDaysBetween(d.s.SubmittedAt, on) > NoticeWindow {
		ev.AcceptedOn, ev.FromReceipt = d.s.SubmittedAt, true
	}
	ev.PromisedDue = d.env.Calendar.Due(ev.AcceptedOn, d.s.Bundle.Promised)
	return ev
}

// NoticeWindow is the 5 days of 行政许可法 Art. 32 within which missing
// materials must be notified, in working days (Art. 82: the law's time
// limits count working days).
const NoticeWindow = 5

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
