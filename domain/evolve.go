package domain

import (
	"slices"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// apply folds ev into s in place. Only Replay and Evolve call it, on a State
// they own.
func (s *State) apply(ev Event) {
	m := ev.Meta()
	s.Version++
	if s.Processed == nil {
		s.Processed = map[string]bool{}
		s.Events = map[uuid.UUID]string{}
	}
	s.Processed[m.CommandID] = true
	s.Events[m.ID] = ev.Type()
	on := workday.DateOf(m.OccurredAt)
	switch e := ev.(type) {
	case *CaseSubmitted:
		s.CaseID = m.CaseID
		s.Status = StatusSubmitted
		s.CatalogueVersion = e.CatalogueVersion
		s.Bundle = e.Bundle
		s.Channel, s.Applicant, s.Agent, s.Region = e.Channel, e.Applicant, e.Agent, e.Region
		s.SubmittedAt = on
		s.Provided = slices.Clone(e.Provided)
		s.Items = make([]ItemState, len(e.Bundle.Items))
		for i, it := range e.Bundle.Items {
			s.Items[i] = ItemState{Code: it.Code, Department: it.Department, Status: ItemWaiting, Limit: it.Limit}
		}
	case *CasePrechecked:
		s.MissingKey, s.MissingMinor = slices.Clone(e.MissingKey), slices.Clone(e.MissingMinor)
	case *CaseRefused:
		s.Status = StatusRefused
	case *SupplementRequested:
		s.Supplement = Supplement{Requested: true, Open: true, NoticeNumber: e.NoticeNumber,
			Missing: slices.Clone(e.Missing), RequestedOn: on}
		s.pauseRunning(on)
	case *SupplementReceived:
		s.Supplement.Open = false
		s.provide(e.Materials)
		s.resumeDue(on, e.Due)
	case *CaseAccepted:
		s.Status = StatusAccepted
		s.Acceptance = Acceptance{Number: e.AcceptanceNumber, On: e.AcceptedOn, PromisedDue: e.PromisedDue,
			CalendarVersion: e.CalendarVersion, Tolerance: e.Tolerance}
	case *ToleranceMaterialsReceived:
		s.provide(e.Materials)
		if t := s.Acceptance.Tolerance; t != nil {
			nt := *t
			nt.Missing = without(t.Missing, e.Materials)
			s.Acceptance.Tolerance = &nt
		}
	case *CaseWithdrawn:
		s.Status = StatusWithdrawn
		s.withdrawUnsettled(nil, true)
	case *ItemsWithdrawn:
		s.withdrawUnsettled(e.Items, false)
	case *CaseTerminated:
		s.Status = StatusTerminated
	case *BundleCompleted:
		s.Status = StatusCompleted
	case *ResultsDelivered:
		for _, code := range e.Items {
			if !slices.Contains(s.Delivered, code) {
				s.Delivered = append(s.Delivered, code)
			}
		}
	default:
		s.applyItem(ev, on)
	}
}

// applyItem folds the events about one item.
func (s *State) applyItem(ev Event, on workday.Date) {
	switch e := ev.(type) {
	case *ItemDispatched:
		s.withItem(e.Item, func(it *ItemState) {
			it.Status, it.DispatchedOn = ItemSent, on
			it.Department, it.Limit, it.Due, it.CalendarVersion = e.Department, e.Limit, e.Due, e.CalendarVersion
		})
	case *ItemAccepted:
		s.withItem(e.Item, func(it *ItemState) { it.Status = ItemInProgress })
	case *StepRecorded:
		s.withItem(e.Item, func(it *ItemState) {
			it.Steps = append(it.Steps, StepRecord{Step: e.Step, Action: e.Action})
		})
	case *ItemSuspended:
		s.withItem(e.Item, func(it *ItemState) {
			it.Suspended = true
			it.Pauses = append(it.Pauses, workday.Pause{From: on})
		})
	case *ItemResumed:
		s.withItem(e.Item, func(it *ItemState) {
			it.Suspended = false
			closePause(it, on)
			it.Due = e.Due
		})
	case *SpecialProcedureStarted:
		s.withItem(e.Item, func(it *ItemState) {
			it.Special = e.Kind
			it.Pauses = append(it.Pauses, workday.Pause{From: on})
		})
	case *SpecialProcedureEnded:
		s.withItem(e.Item, func(it *ItemState) {
			it.Special = ""
			closePause(it, on)
			it.Due = e.Due
		})
	case *DeadlineExtended:
		s.withItem(e.Item, func(it *ItemState) {
			it.Extension = workday.Limit{Value: it.Extension.Value + e.By.Value, Unit: e.By.Unit}
			it.Due = e.Due
		})
	case *ItemDecided:
		s.withItem(e.Item, func(it *ItemState) { it.Status, it.Outcome = ItemConcluded, e.Outcome })
	case *CertificateIssued:
		s.withItem(e.Item, func(it *ItemState) {
			c := e.Certificate
			it.Certificate = &c
		})
	case *WarningRaised:
		s.withItem(e.Item, func(it *ItemState) { it.Warnings = append(it.Warnings, e.Level) })
	default:
		s.applyFollowUp(ev, on)
	}
}

func (s *State) withItem(code string, f func(*ItemState)) {
	if it, ok := s.Item(code); ok {
		f(it)
	}
}

// pauseRunning stops the clocks of dispatched and running items for a
// supplement notice.
func (s *State) pauseRunning(on workday.Date) {
	for i := range s.Items {
		it := &s.Items[i]
		if (it.Status == ItemSent || it.Status == ItemInProgress) && !it.Paused() {
			it.Pauses = append(it.Pauses, workday.Pause{From: on})
			it.AwaitingSupplement = true
		}
	}
}

// resumeDue ends the supplement pause of the items listed in due.
func (s *State) resumeDue(on workday.Date, due []ItemDue) {
	for _, d := range due {
		s.withItem(d.Item, func(it *ItemState) {
			if it.AwaitingSupplement {
				it.AwaitingSupplement = false
				closePause(it, on)
			}
			it.Due = d.Due
		})
	}
}

func closePause(it *ItemState, on workday.Date) {
	if n := len(it.Pauses); n > 0 && it.Pauses[n-1].Open() {
		it.Pauses[n-1].To = on
	}
}

func (s *State) provide(materials []string) {
	for _, m := range materials {
		if !slices.Contains(s.Provided, m) {
			s.Provided = append(s.Provided, m)
		}
	}
	s.MissingKey = without(s.MissingKey, materials)
	s.MissingMinor = without(s.MissingMinor, materials)
}

// withdrawUnsettled withdraws the unsettled items listed in codes, or all of
// them.
func (s *State) withdrawUnsettled(codes []string, all bool) {
	for i := range s.Items {
		it := &s.Items[i]
		if it.Settled() || (!all && !slices.Contains(codes, it.Code)) {
			continue
		}
		it.Status, it.Outcome = ItemWithdrawn, OutcomeWithdrawn
	}
}

// without returns xs minus the elements of drop, as a new slice.
func without(xs, drop []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}

// applyFollowUp folds the events that follow a case's decisions: ratings,
// complaints, supervision and corrections.
func (s *State) applyFollowUp(ev Event, on workday.Date) {
	if !s.applyRating(ev, on) {
		s.applySupervision(ev, on)
	}
}
