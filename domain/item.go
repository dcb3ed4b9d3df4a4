package domain

import (
	"slices"

	"github.com/caseledger/caseledger/domain/workday"
)

func (d *decision) acceptItem(c *AcceptItem) ([]Event, error) {
	it, err := d.item(c.Item)
	if err != nil {
		return nil, err
	}
	if it.Status != ItemSent {
		return nil, RuleError(ruleItemStarted, "item %s is %s, not dispatched", c.Item, it.Status)
	}
	return []Event{&ItemAccepted{Item: c.Item}}, nil
}

func (d *decision) recordStep(c *RecordStep) ([]Event, error) {
	var f fields
	f.check(slices.Contains([]Step{StepHandle, StepReview, StepApprove}, c.Step), "step", "承办, 审核 or 批准")
	f.check(slices.Contains([]Action{ActionPass, ActionReturn, ActionOther}, c.Action), "action", "通过, 退回 or 其他")
	f.need("opinion", c.Opinion)
	if err := f.err(); err != nil {
		return nil, err
	}
	if _, err := d.started(c.Item); err != nil {
		return nil, err
	}
	return []Event{&StepRecorded{Item: c.Item, Step: c.Step, Action: c.Action, Opinion: c.Opinion}}, nil
}

func (d *decision) suspend(c *SuspendItem) ([]Event, error) {
	var f fields
	f.need("reason", c.Reason)
	if err := f.err(); err != nil {
		return nil, err
	}
	if _, err := d.started(c.Item); err != nil {
		return nil, err
	}
	return []Event{&ItemSuspended{Item: c.Item, Reason: c.Reason}}, nil
}

func (d *decision) resume(c *ResumeItem) ([]Event, error) {
	it, err := d.item(c.Item)
	if err != nil {
		return nil, err
	}
	if !it.Suspended {
		return nil, RuleError(rulePause, "item %s is not suspended", c.Item)
	}
	return []Event{&ItemResumed{Item: c.Item, Due: d.dueAfterPause(it, workday.Limit{})}}, nil
}

func (d *decision) startSpecial(c *StartSpecialProcedure) ([]Event, error) {
	var f fields
	kinds := []SpecialKind{SpecialInspection, SpecialTesting, SpecialAppraisal, SpecialHearing, SpecialExpert, SpecialSiteCheck, SpecialOther}
	f.check(slices.Contains(kinds, c.Kind), "kind", "unknown special procedure")
	f.need("reason", c.Reason)
	if err := f.err(); err != nil {
		return nil, err
	}
	if _, err := d.started(c.Item); err != nil {
		return nil, err
	}
	return []Event{&SpecialProcedureStarted{Item: c.Item, Kind: c.Kind, Reason: c.Reason}}, nil
}

func (d *decision) endSpecial(c *EndSpecialProcedure) ([]Event, error) {
	var f fields
	f.need("result", c.Result)
	if err := f.err(); err != nil {
		return nil, err
	}
	it, err := d.item(c.Item)
	if err != nil {
		return nil, err
	}
	if it.Special == "" {
		return nil, RuleError(rulePause, "item %s has no special procedure open", c.Item)
	}
	return []Event{&SpecialProcedureEnded{Item: c.Item, Result: c.Result, Due: d.dueAfterPause(it, workday.Limit{})}}, nil
}

func (d *decision) extend(c *ExtendDeadline) ([]Event, error) {
	var f fields
	f.check(c.By.Validate() == nil && c.By.Value > 0, "by", "a positive limit")
	f.need("approval_ref", c.ApprovalRef)
	f.need("reason", c.Reason)
	if err := f.err(); err != nil {
		return nil, err
	}
	it, err := d.started(c.Item)
	if err != nil {
		return nil, err
	}
	bi, _ := d.s.Bundle.Item(c.Item)
	max := bi.MaxExtension
	switch {
	case max.Value == 0:
		return nil, RuleError(ruleExtension, "item %s may not be extended", c.Item)
	case c.By.Unit != max.Unit:
		return nil, RuleError(ruleExtension, "extension must be in %s", max.Unit)
	case it.Extension.Value+c.By.Value > max.Value:
		return nil, RuleError(ruleExtension, "extensions would total %d%s, over the maximum %s",
			it.Extension.Value+c.By.Value, c.By.Unit, max)
	}
	return []Event{&DeadlineExtended{Item: c.Item, By: c.By, ApprovalRef: c.ApprovalRef, Reason: c.Reason,
		Due: d.dueAfterPause(it, c.By)}}, nil
}

func (d *decision) decideItem(c *DecideItem) ([]Event, error) {
	var f fields
	f.check(slices.Contains([]Outcome{Approved, ApprovedTolerance, Denied}, c.Outcome), "outcome", "approved, approved_tolerance or denied")
	f.need("opinion", c.Opinion)
	if err := f.err(); err != nil {
		return nil, err
	}
	if _, err := d.started(c.Item); err != nil {
		return nil, err
	}
	switch {
	case c.Outcome == ApprovedTolerance && d.s.Acceptance.Tolerance == nil:
		return nil, RuleError(ruleOutcome, "approval with tolerance needs a tolerant acceptance")
	case c.Outcome == Denied && c.LegalBasis == "":
		return nil, RuleError(ruleOutcome, "a denial states its legal basis")
	}
	return []Event{&ItemDecided{Item: c.Item, Outcome: c.Outcome, LegalBasis: c.LegalBasis, Opinion: c.Opinion}}, nil
}

func (d *decision) issueCertificate(c *IssueCertificate) ([]Event, error) {
	var f fields
	f.need("certificate.name", c.Certificate.Name)
	f.need("certificate.number", c.Certificate.Number)
	f.need("certificate.issuing_unit", c.Certificate.IssuingUnit)
	f.check(c.Certificate.ValidFrom.Valid(), "certificate.valid_from", "a valid date")
	f.check(c.Certificate.ValidUntil.IsZero() || c.Certificate.ValidUntil.After(c.Certificate.ValidFrom),
		"certificate.valid_until", "after valid_from")
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.open(true); err != nil {
		return nil, err
	}
	it, ok := d.s.Item(c.Item)
	if !ok {
		return nil, &Error{Code: CodeNotFound, Message: "no item " + c.Item + " in this case"}
	}
	if err := d.department(it.Department); err != nil {
		return nil, err
	}
	if it.Outcome != Approved && it.Outcome != ApprovedTolerance {
		return nil, RuleError(ruleCertificate, "item %s is not approved", c.Item)
	}
	if it.Certificate != nil {
		return nil, RuleError(ruleCertificate, "item %s has certificate %s", c.Item, it.Certificate.Number)
	}
	return []Event{&CertificateIssued{Item: c.Item, Certificate: c.Certificate}}, nil
}

// dueAfterPause is the item's due date if its open pause ends today and
// extra is added to its extensions.
func (d *decision) dueAfterPause(it *ItemState, extra workday.Limit) workday.Date {
	pauses := slices.Clone(it.Pauses)
	if n := len(pauses); n > 0 && pauses[n-1].Open() {
		pauses[n-1].To = d.on()
	}
	ext := it.Extension
	if extra.Value > 0 {
		ext = workday.Limit{Value: ext.Value + extra.Value, Unit: extra.Unit}
	}
	due, _ := d.env.Calendar.DueDate(it.DispatchedOn, it.Limit, pauses, ext)
	return due
}
