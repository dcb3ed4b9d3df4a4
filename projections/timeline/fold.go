package timeline

import (
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
)

// caseFold is where a case's items stand after some of its steps. It mirrors
// domain.State's item fields (invariant 5); the test compares the two.
type caseFold struct {
	items []itemFold
	// closedOn is the day the case was refused, withdrawn or terminated;
	// zero while it is not.
	closedOn workday.Date
}

type itemFold struct {
	status     domain.ItemStatus
	dept       ref // set by the dispatch; the header's until then
	dispatched workday.Date
	due        workday.Date
	settled    workday.Date
	pauses     []pauseFold
	awaiting   bool // the open pause is the case's supplement notice
}

type pauseFold struct {
	from, to workday.Date
	kind     ref
}

func (it *itemFold) running() bool {
	return it.status == domain.ItemSent || it.status == domain.ItemInProgress
}

func (it *itemFold) paused() bool {
	return len(it.pauses) > 0 && it.pauses[len(it.pauses)-1].to.IsZero()
}

func (it *itemFold) closePause(on workday.Date) {
	if it.paused() {
		it.pauses[len(it.pauses)-1].to = on
	}
}

// indexed reports whether the item belongs in the due index (invariant 6):
// its case is open and its clock runs against a due date.
func (f *caseFold) indexed(i int) bool {
	it := &f.items[i]
	return f.closedOn.IsZero() && it.running() && !it.paused() && !it.due.IsZero()
}

func (f *caseFold) grow(n int) {
	for len(f.items) < n {
		f.items = append(f.items, itemFold{status: domain.ItemWaiting})
	}
}

// apply folds one step, as domain.State.apply does. The types it looks at
// are listed in movesItems, and it passes over the others.
func (f *caseFold) apply(s *rawStep) {
	if !movesItems[s.typ] {
		// Most steps: the day is not worth computing.
		return
	}
	on := workday.DateOf(timeOf(s.occurred))
	item := func(fn func(*itemFold)) {
		if s.item >= 0 && s.item < len(f.items) {
			fn(&f.items[s.item])
		}
	}
	switch types[s.typ] {
	case "CaseRefused", "CaseTerminated":
		f.closedOn = on
	case "CaseWithdrawn":
		f.closedOn = on
		for i := range f.items {
			f.withdraw(i, on)
		}
	case "ItemsWithdrawn":
		for _, i := range s.items {
			f.withdraw(i, on)
		}
	case "SupplementRequested":
		for i := range f.items {
			if it := &f.items[i]; it.running() && !it.paused() {
				it.pauses = append(it.pauses, pauseFold{from: on, kind: inline(PauseSupplement)})
				it.awaiting = true
			}
		}
	case "SupplementReceived":
		for _, d := range s.dues {
			it := &f.items[d.item]
			if it.awaiting {
				it.awaiting = false
				it.closePause(on)
			}
			it.due = d.due
		}
	case "ItemDispatched":
		item(func(it *itemFold) {
			it.status, it.dispatched, it.due = domain.ItemSent, on, s.due
			if s.dept != (ref{}) {
				it.dept = s.dept
			}
		})
	case "ItemAccepted":
		item(func(it *itemFold) { it.status = domain.ItemInProgress })
	case "ItemSuspended", "SpecialProcedureStarted":
		item(func(it *itemFold) { it.pauses = append(it.pauses, pauseFold{from: on, kind: s.kind}) })
	case "ItemResumed", "SpecialProcedureEnded":
		item(func(it *itemFold) { it.closePause(on); it.due = s.due })
	case "DeadlineExtended":
		item(func(it *itemFold) { it.due = s.due })
	case "ItemDecided":
		item(func(it *itemFold) { it.status, it.settled = domain.ItemConcluded, on })
	}
}

func (f *caseFold) withdraw(i int, on workday.Date) {
	it := &f.items[i]
	if it.status == domain.ItemConcluded || it.status == domain.ItemWithdrawn {
		return
	}
	it.status, it.settled = domain.ItemWithdrawn, on
}
