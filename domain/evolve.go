package domain

import (
	"maps"
	"slices"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// Folding. Replay and Apply fold in place; Evolve and Decide fold into a
// fork of the state they are given, which shares with it everything the
// events do not change. These rules make a fork safe, and fold and its
// helpers rely on them:
//
//	F1 fold never writes into an element of a slice it finds in the
//	   state, except Items (fork copies Items): it appends to a slice, or
//	   replaces it (closePause, without, the complaint and 督办 appliers).
//	F2 fork caps every slice it shares with its origin at its length, so
//	   an append in the fork reallocates instead of writing into the
//	   origin's spare capacity.
//	F3 pointers (Agent, Tolerance, Certificate) are replaced, never
//	   written through.
//	F4 only apply writes the bookkeeping maps (Processed, Events); Evolve
//	   gives its fork copies of them, Decide's fold leaves them alone.
//	F5 the events changesProgress (decide.go) lets through change neither
//	   the case's status nor an item's status or outcome: Decide does not
//	   fold them before automating.

// Replay folds events, in order, into a new State, in place: its cost is
// linear in the number of events.
func Replay(events []Event) State {
	var s State
	s.Apply(events...)
	return s
}

// Evolve returns the state after ev. It never fails: an event that does not
// fit the state (which Decide would not have produced) changes what it can
// and nothing else. It leaves s untouched and shares with the result what
// ev does not change, but it copies the two bookkeeping maps, whose size
// grows with the history: to fold many events, use Replay, or Apply on a
// State of your own.
func Evolve(s State, ev Event) State {
	s = s.fork(slices.Clone(s.Items))
	s.Processed = maps.Clone(s.Processed)
	s.Events = maps.Clone(s.Events)
	s.apply(ev)
	return s
}

// Apply folds evs into s in place, as many Evolve calls would, at the cost
// of the events alone. A plain copy of s (t := s) shares its items and
// maps, so Apply changes what such a copy reads too: use it on a State
// whose copies are no longer read (Decide keeps none). States that Evolve
// made from s, or s from, are safe: Apply writes nothing they read.
func (s *State) Apply(evs ...Event) {
	if s.Processed == nil && len(evs) > 8 {
		// Sized for a replay; growing a map rehashes it.
		s.Processed = make(map[string]bool, len(evs))
		s.Events = make(map[uuid.UUID]string, len(evs))
	}
	for _, ev := range evs {
		s.apply(ev)
	}
}

// fork returns a copy of s that fold may change without changing s (F2),
// with items, a copy of s.Items. The maps stay shared: see F4.
func (s State) fork(items []ItemState) State {
	s.Provided = slices.Clip(s.Provided)
	s.MissingKey = slices.Clip(s.MissingKey)
	s.MissingMinor = slices.Clip(s.MissingMinor)
	s.Supplement.Missing = slices.Clip(s.Supplement.Missing)
	s.Items = items
	for i := range s.Items {
		it := &s.Items[i]
		it.Pauses = slices.Clip(it.Pauses)
		it.Steps = slices.Clip(it.Steps)
		it.Warnings = slices.Clip(it.Warnings)
	}
	s.Delivered = slices.Clip(s.Delivered)
	s.Rating.ReasonTags = slices.Clip(s.Rating.ReasonTags)
	s.Complaints = slices.Clip(s.Complaints)
	s.Dubans = slices.Clip(s.Dubans)
	s.Corrections = slices.Clip(s.Corrections)
	return s
}

// apply folds ev into s in place, with the bookkeeping of processed
// commands and event IDs.
func (s *State) apply(ev Event) {
	m := ev.Meta()
	if s.Processed == nil {
		s.Processed = map[string]bool{}
		s.Events = map[uuid.UUID]string{}
	}
	s.Processed[m.CommandID] = true
	s.Events[m.ID] = ev.Type()
	s.fold(ev, m)
}

// fold folds ev, whose metadata is m, into s in place, all but the
// bookkeeping maps.
func (s *State) fold(ev Event, m EventMeta) {
	s.Version++
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
		s.order = dependencyOrder(&s.Bundle)
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
		// A new slice: the open pause may be shared with the origin of a
		// fork (F1).
		it.Pauses = append(it.Pauses[:n-1:n-1], workday.Pause{From: it.Pauses[n-1].From, To: on})
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
