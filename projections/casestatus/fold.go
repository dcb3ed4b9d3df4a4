package casestatus

import (
	"slices"
	"unique"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
)

// apply folds ev into d (invariant 2: as domain.State.apply does). The
// event's day and actor are read from the concrete event, for the few
// events that need them: ev.Meta() copied the whole metadata, and the day's
// time zone arithmetic was spent, for every event.
func (d *Doc) apply(ev domain.Event) {
	d.Version++
	switch e := ev.(type) {
	case *domain.CaseSubmitted:
		d.CaseID, d.Status, d.SubmittedOn = e.CaseID, domain.StatusSubmitted, workday.DateOf(e.OccurredAt)
		d.Region, d.Bundle = shared(e.Region), shared(e.Bundle.Code)
		d.Applicant = e.Applicant.Ref
		if e.Agent != nil {
			d.Agent = e.Agent.Ref
		}
		d.takeIn(e.Actor)
		d.Items = make([]Item, len(e.Bundle.Items))
		for i, it := range e.Bundle.Items {
			d.Items[i] = Item{Code: shared(it.Code), Department: shared(it.Department), Status: domain.ItemWaiting}
		}
	case *domain.CaseRefused:
		d.Status = domain.StatusRefused
		d.takeIn(e.Actor)
	case *domain.SupplementRequested:
		d.takeIn(e.Actor)
		on := workday.DateOf(e.OccurredAt)
		d.Supplement = &Supplement{Notice: e.NoticeNumber, Missing: slices.Clone(e.Missing), RequestedOn: on}
		for i := range d.Items {
			it := &d.Items[i]
			if (it.Status == domain.ItemSent || it.Status == domain.ItemInProgress) && it.Pause == "" {
				it.Pause, it.PausedOn = pauseSupplement, on
			}
		}
	case *domain.SupplementReceived:
		d.Supplement = nil
		for _, due := range e.Due {
			if it := d.item(due.Item); it != nil {
				if it.Pause == pauseSupplement {
					it.Pause, it.PausedOn = "", workday.Date{}
				}
				it.Due = due.Due
			}
		}
	case *domain.CaseAccepted:
		d.Status, d.AcceptedOn, d.PromisedDue = domain.StatusAccepted, e.AcceptedOn, e.PromisedDue
		d.takeIn(e.Actor)
		if e.Tolerance != nil {
			d.ToleranceMissing, d.ToleranceDue = slices.Clone(e.Tolerance.Missing), e.Tolerance.DueBy
		}
	case *domain.ToleranceMaterialsReceived:
		d.ToleranceMissing = without(d.ToleranceMissing, e.Materials)
	case *domain.CaseWithdrawn:
		d.Status = domain.StatusWithdrawn
		d.withdraw(nil)
	case *domain.ItemsWithdrawn:
		d.withdraw(e.Items)
	case *domain.CaseTerminated:
		d.Status = domain.StatusTerminated
	case *domain.BundleCompleted:
		d.Status = domain.StatusCompleted
	case *domain.ResultsDelivered:
		d.Deliveries = append(d.Deliveries, Delivery{Method: e.Method, TrackingNumber: e.TrackingNumber,
			Items: slices.Clone(e.Items), On: workday.DateOf(e.OccurredAt)})
	case *domain.CaseRated:
		d.Rated = true
	default:
		d.applyItem(ev)
	}
}

func (d *Doc) applyItem(ev domain.Event) {
	switch e := ev.(type) {
	case *domain.ItemDispatched:
		if it := d.item(e.Item); it != nil {
			it.Status, it.Due = domain.ItemSent, e.Due
			// Most items go to the catalogue's department, whose shared
			// copy the item holds already: no unique.Make lookup then.
			if it.Department != e.Department {
				it.Department = shared(e.Department)
			}
		}
	case *domain.ItemAccepted:
		if it := d.item(e.Item); it != nil {
			it.Status = domain.ItemInProgress
		}
	case *domain.ItemSuspended:
		if it := d.item(e.Item); it != nil {
			it.Pause, it.PausedOn = "suspended", workday.DateOf(e.OccurredAt)
		}
	case *domain.ItemResumed:
		if it := d.item(e.Item); it != nil {
			it.Pause, it.PausedOn, it.Due = "", workday.Date{}, e.Due
		}
	case *domain.SpecialProcedureStarted:
		if it := d.item(e.Item); it != nil {
			it.Pause, it.PausedOn = shared(string(e.Kind)), workday.DateOf(e.OccurredAt)
		}
	case *domain.SpecialProcedureEnded:
		if it := d.item(e.Item); it != nil {
			it.Pause, it.PausedOn, it.Due = "", workday.Date{}, e.Due
		}
	case *domain.DeadlineExtended:
		if it := d.item(e.Item); it != nil {
			it.Due = e.Due
		}
	case *domain.ItemDecided:
		if it := d.item(e.Item); it != nil {
			it.Status, it.Outcome = domain.ItemConcluded, e.Outcome
		}
	case *domain.CertificateIssued:
		if it := d.item(e.Item); it != nil {
			it.Certificate = e.Certificate.Name + " " + e.Certificate.Number
		}
	}
}

// takeIn records the centre of the first window officer acting in intake;
// departments (a 补正 after acceptance) and applicants never set it.
func (d *Doc) takeIn(a domain.Actor) {
	if d.Centre == "" && a.Role == domain.RoleWindow {
		d.Centre = shared(a.Unit)
	}
}

// shared returns the one copy of s that every Doc holds: codes, regions,
// departments and centres recur across cases, and a cached Doc keeping the
// copy its event decoded was one more object for the collector to mark at
// every cycle.
func shared(s string) string { return unique.Make(s).Value() }

// item returns the item of code, nil if the case has none. (It replaced a
// withItem that took a closure: nine closures, called indirectly, for the
// item events that are most of a replay.)
func (d *Doc) item(code string) *Item {
	for i := range d.Items {
		if d.Items[i].Code == code {
			return &d.Items[i]
		}
	}
	return nil
}

// withdraw withdraws the listed items, or every unsettled one when codes is
// nil, as domain.State.withdrawUnsettled does.
func (d *Doc) withdraw(codes []string) {
	for i := range d.Items {
		it := &d.Items[i]
		settled := it.Status == domain.ItemConcluded || it.Status == domain.ItemWithdrawn
		if settled || (codes != nil && !slices.Contains(codes, it.Code)) {
			continue
		}
		it.Status, it.Outcome = domain.ItemWithdrawn, domain.OutcomeWithdrawn
	}
}

func without(xs, drop []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}
