package domain

import "github.com/google/uuid"

// correct records a correction of an event of the case (C24). The event in
// error stays as it was recorded; readers show both.
func (d *decision) correct(c *CorrectEvent) ([]Event, error) {
	var f fields
	f.check(c.EventID != uuid.Nil, "event_id", "required")
	f.need("field", c.Field)
	f.need("correction", c.Correction)
	f.need("reason", c.Reason)
	if err := f.err(); err != nil {
		return nil, err
	}
	if err := d.allow(RoleWindow, RoleDepartment, RoleSupervisor); err != nil {
		return nil, err
	}
	if d.m.Actor.Role == RoleDepartment && !d.s.involves(d.m.Actor.Unit) {
		return nil, forbidden(ruleDepartment, "%s has no item in this case", d.m.Actor.Unit)
	}
	if _, ok := d.s.Events[c.EventID]; !ok {
		return nil, RuleError(ruleCorrection, "event %s is not an event of this case", c.EventID)
	}
	return []Event{&EventCorrected{Corrects: c.EventID, Field: c.Field, Correction: c.Correction, Reason: c.Reason}}, nil
}
