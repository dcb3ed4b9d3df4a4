package domain

import (
	"slices"
	"sync"

	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// Decide returns the events cmd causes in a case in state s, or a *Error.
// It is pure. A command whose ID the case already processed returns no
// events and no error, so a retry is harmless. A new command's events get
// IDs derived from its ID (EventID): the same command decided twice on the
// same state (a retry racing in another process) yields the same events,
// which the store's idempotency (eventstore rule 7) records once.
func Decide(s State, cmd Command, env Env) ([]Event, error) {
	m := cmd.Metadata()
	if err := validateMeta(m); err != nil {
		return nil, err
	}
	if env.Catalogue == nil || env.Calendar == nil {
		return nil, Errorf(CodeInternal, "decide needs a catalogue and a calendar")
	}
	if s.Processed[m.ID] {
		return nil, nil
	}
	_, submit := cmd.(*SubmitCase)
	switch {
	case submit && s.Status != StatusNone:
		return nil, RuleError(ruleSubmitted, "case %s is already submitted", s.CaseID)
	case !submit && s.Status == StatusNone:
		return nil, &Error{Code: CodeNotFound, Rule: ruleSubmitted, Message: "no such case"}
	case !submit && s.CaseID != m.CaseID:
		return nil, Errorf(CodeInvalid, "command for case %s given the state of case %s", m.CaseID, s.CaseID)
	}
	d := &decision{s: s, m: m, env: env}
	evs, err := decideCommand(d, cmd)
	if err != nil {
		return nil, err
	}
	d.stamp(evs, 0)
	var auto []Event
	if slices.ContainsFunc(evs, changesProgress) {
		auto = automateAfter(s, evs, m, env)
	} else {
		auto = automate(&s, m, env)
	}
	d.stamp(auto, len(evs))
	return append(evs, auto...), nil
}

// forkItems recycles the items of automateAfter's forks, the largest part
// of a fork: nothing of them outlives the decision (automate copies codes
// and outcomes out of them).
var forkItems = sync.Pool{New: func() any { return new([]ItemState) }}

// automateAfter returns the automatic events of the state s is after evs:
// one fork for the whole decision, folded without bookkeeping, which
// automate does not read.
func automateAfter(s State, evs []Event, m CommandMeta, env Env) []Event {
	buf := forkItems.Get().(*[]ItemState)
	items := append((*buf)[:0], s.Items...)
	f := s.fork(items)
	for _, ev := range evs {
		f.fold(ev, ev.Meta())
	}
	auto := automate(&f, m, env)
	clear(items) // drop what the items point to before pooling them
	*buf = items[:0]
	forkItems.Put(buf)
	return auto
}

// systemActor is the actor of automatic events (pre-check, dispatch,
// completion): the service itself, in the case's region.
func systemActor(region string) Actor {
	return Actor{Role: RoleSystem, PersonID: "caseledger", Region: region}
}

// decision carries what every command handler needs.
type decision struct {
	// s is read only. A copy, not a pointer to Decide's argument: handlers
	// let that pointer escape, which put every decided State on the heap.
	s   State
	m   CommandMeta
	env Env
}

func (d *decision) on() workday.Date { return workday.DateOf(d.m.At) }

// stamp fills the metadata of events decided by d, numbering them from
// first. Automatic events come with their Actor set already.
func (d *decision) stamp(evs []Event, first int) {
	for i, ev := range evs {
		h := ev.meta()
		h.ID = EventID(d.m.CaseID, d.m.ID, first+i)
		h.CaseID = d.m.CaseID
		h.CommandID = d.m.ID
		h.OccurredAt = d.m.At
		if h.Actor.Role == "" {
			h.Actor = d.m.Actor
		}
	}
}

// automate returns the dispatches the state now allows (C8) and, once
// every item is settled or unreachable, the bundle's completion.
func automate(s *State, m CommandMeta, env Env) []Event {
	if s.Status != StatusAccepted {
		return nil
	}
	system := systemActor(s.Region)
	on := workday.DateOf(m.At)
	var evs []Event
	for _, code := range dispatchable(s) {
		it, _ := s.Bundle.Item(code)
		evs = append(evs, &ItemDispatched{
			EventMeta: EventMeta{Actor: system}, Item: code, Department: it.Department, Limit: it.Limit,
			Due: env.Calendar.Due(on, it.Limit), CalendarVersion: env.Calendar.Version(),
		})
	}
	if len(evs) > 0 {
		return evs
	}
	outcomes, done := completion(s)
	if !done {
		return nil
	}
	return []Event{&BundleCompleted{EventMeta: EventMeta{Actor: system}, Outcomes: outcomes}}
}

// changesProgress reports whether folding ev may change what automate
// reads: the case's status and region, its bundle, and its items' status
// and outcome (rule F5 in evolve.go). When no event of a decision does,
// Decide automates on the state it was given, without a fork. The event
// types listed change none of it; any other, such as one added later,
// counts as changing it.
func changesProgress(ev Event) bool {
	switch ev.(type) {
	case *CasePrechecked, *SupplementRequested, *SupplementReceived, *ToleranceMaterialsReceived,
		*ResultsDelivered, *StepRecorded, *ItemSuspended, *ItemResumed, *SpecialProcedureStarted,
		*SpecialProcedureEnded, *DeadlineExtended, *CertificateIssued, *WarningRaised,
		*CaseRated, *RatingCalledBack, *RatingTriaged, *RectificationReported, *RatingAppealed,
		*AppealDecided, *RatingSignedOff, *ComplaintFiled, *ComplaintAnswered, *DubanIssued,
		*DubanClosed, *EventCorrected:
		return false
	}
	return true
}

// dispatchable lists the waiting items whose dependencies all concluded
// with an approval; in a serial bundle, only the first of them and only
// when no other item is running.
func dispatchable(s *State) []string {
	running := false
	for _, it := range s.Items {
		running = running || it.Status == ItemSent || it.Status == ItemInProgress
	}
	var out []string
	for _, p := range s.dependencyOrder() {
		bi := &s.Bundle.Items[p]
		if s.itemAt(p, bi.Code).Status != ItemWaiting || !s.approved(bi.DependsOn) {
			continue
		}
		if s.Bundle.Mode == catalogue.Serial {
			if running {
				return nil
			}
			return []string{bi.Code}
		}
		out = append(out, bi.Code)
	}
	return out
}

// completion reports each item's outcome and whether all are settled,
// counting as unreachable a waiting item with a dependency that was denied,
// withdrawn or is itself unreachable.
func completion(s *State) ([]ItemOutcome, bool) {
	// Most calls find an item not settled yet: collect on the stack, and
	// copy out only a completion.
	var buf [8]ItemOutcome
	out := buf[:0]
	for _, p := range s.dependencyOrder() {
		bi := &s.Bundle.Items[p]
		it := s.itemAt(p, bi.Code)
		o := it.Outcome
		if it.Status == ItemWaiting {
			for _, dep := range bi.DependsOn {
				// out holds the outcomes of the items before this one in
				// dependency order, its dependencies among them.
				i := slices.IndexFunc(out, func(x ItemOutcome) bool { return x.Item == dep })
				if i < 0 {
					continue
				}
				if od := out[i].Outcome; od == Denied || od == OutcomeWithdrawn || od == Unreachable {
					o = Unreachable
				}
			}
		}
		if o == "" {
			return nil, false
		}
		out = append(out, ItemOutcome{Item: bi.Code, Outcome: o})
	}
	if len(out) == 0 {
		return nil, true // BundleCompleted encodes an empty bundle's outcomes as null
	}
	return slices.Clone(out), true
}

// approved reports whether every item in codes concluded with an approval.
func (s *State) approved(codes []string) bool {
	for _, c := range codes {
		it, ok := s.Item(c)
		if !ok || (it.Outcome != Approved && it.Outcome != ApprovedTolerance) {
			return false
		}
	}
	return true
}

// dependencyOrder returns the positions in Bundle.Items of the bundle's
// items in dependency order: the order derived when the submission was
// folded, or derived now when that does not fit the Bundle (a State built
// by hand; a bundle with a cycle, which the catalogue refuses).
func (s *State) dependencyOrder() []int {
	if len(s.order) != len(s.Bundle.Items) {
		return dependencyOrder(&s.Bundle)
	}
	return s.order
}

// dependencyOrder returns the positions in b.Items of b.Order().
func dependencyOrder(b *catalogue.Bundle) []int {
	codes := b.Order()
	out := make([]int, len(codes))
	for i, code := range codes {
		out[i] = slices.IndexFunc(b.Items, func(it catalogue.Item) bool { return it.Code == code })
	}
	return out
}

// itemAt returns the item with code, found at position p when Items
// follow the bundle (as folding the submission makes them).
func (s *State) itemAt(p int, code string) *ItemState {
	if p < len(s.Items) && s.Items[p].Code == code {
		return &s.Items[p]
	}
	it, _ := s.Item(code)
	return it
}

// missingMaterials lists the applicant-supplied materials of the bundle
// not in provided, key and minor apart, each once, in catalogue order. A
// material is key if any item needs it as key.
func missingMaterials(b *catalogue.Bundle, provided []string) (key, minor []string) {
	isKey := map[string]bool{}
	var order []string
	for _, it := range b.Items {
		for _, mat := range it.Materials {
			if mat.Source == catalogue.Shared {
				continue
			}
			if _, seen := isKey[mat.Code]; !seen {
				order = append(order, mat.Code)
			}
			isKey[mat.Code] = isKey[mat.Code] || mat.Key
		}
	}
	for _, code := range order {
		if slices.Contains(provided, code) {
			continue
		}
		if isKey[code] {
			key = append(key, code)
		} else {
			minor = append(minor, code)
		}
	}
	return key, minor
}
