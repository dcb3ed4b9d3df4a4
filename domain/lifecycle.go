package domain

import "slices"

func (d *decision) withdrawCase(c *WithdrawCase) ([]Event, error) {
	var f fields
	f.need("reason", c.Reason)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleApplicant); err != nil {
		return nil, err
	}
	if err := d.open(false); err != nil {
		return nil, err
	}
	return []Event{&CaseWithdrawn{Reason: c.Reason}}, nil
}

func (d *decision) withdrawItems(c *WithdrawItems) ([]Event, error) {
	var f fields
	f.check(len(c.Items) > 0, "items", "required")
	f.need("reason", c.Reason)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleApplicant); err != nil {
		return nil, err
	}
	if err := d.open(false); err != nil {
		return nil, err
	}
	if d.s.Status != StatusAccepted {
		return nil, RuleError(ruleAccepted, "items are withdrawn from an accepted case; withdraw the case instead")
	}
	for _, code := range c.Items {
		it, ok := d.s.Item(code)
		if !ok {
			return nil, &Error{Code: CodeNotFound, Message: "no item " + code + " in this case"}
		}
		if it.Status != ItemWaiting && it.Status != ItemSent {
			return nil, RuleError(ruleWithdrawal, "item %s is %s", code, it.Status)
		}
	}
	return []Event{&ItemsWithdrawn{Items: slices.Compact(slices.Sorted(slices.Values(c.Items))), Reason: c.Reason}}, nil
}

func (d *decision) terminate(c *TerminateCase) ([]Event, error) {
	var f fields
	f.need("reason", c.Reason)
	f.need("legal_basis", c.LegalBasis)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleWindow, RoleSupervisor); err != nil {
		return nil, err
	}
	if err := d.open(false); err != nil {
		return nil, err
	}
	return []Event{&CaseTerminated{Reason: c.Reason, LegalBasis: c.LegalBasis}}, nil
}

func (d *decision) deliver(c *DeliverResults) ([]Event, error) {
	var f fields
	f.check(slices.Contains([]DeliveryMethod{DeliverPickup, DeliverPost, DeliverECert}, c.Method), "method", "pickup, post or ecert_push")
	f.check(len(c.Items) > 0, "items", "required")
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleWindow, RoleSystem); err != nil {
		return nil, err
	}
	if d.s.Status != StatusCompleted {
		return nil, RuleError(ruleDelivery, "case is %s, not completed", d.s.Status)
	}
	if c.Method == DeliverPost && c.TrackingNumber == "" {
		return nil, RuleError(ruleDelivery, "post needs a tracking number")
	}
	for _, code := range c.Items {
		it, ok := d.s.Item(code)
		if !ok {
			return nil, &Error{Code: CodeNotFound, Message: "no item " + code + " in this case"}
		}
		if it.Certificate == nil {
			return nil, RuleError(ruleDelivery, "item %s has no certificate", code)
		}
		if c.Method == DeliverECert && it.Certificate.ECertRef == "" {
			return nil, RuleError(ruleDelivery, "item %s has no electronic certificate", code)
		}
	}
	return []Event{&ResultsDelivered{Method: c.Method, TrackingNumber: c.TrackingNumber, Items: slices.Clone(c.Items)}}, nil
}
