package metrics

import (
	"fmt"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
)

// Name is the projection's name in a projections.Runner.
const Name = "metrics"

// Projection folds case events into cells. Calendar dates pauses; nil
// means workday.Default().
type Projection struct {
	Calendar *workday.Calendar
}

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Version implements projections.Projection; raise it whenever the fold,
// the cell layout or the calendar changes (design 5). 2: case documents
// are binary (codec.go).
func (Projection) Version() int { return 2 }

// Filter implements projections.Projection: the case events the fold reads.
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{Categories: []string{"case"}, Types: folded}
}

var folded = []string{
	(*domain.CaseSubmitted)(nil).Type(), (*domain.CaseRefused)(nil).Type(), (*domain.SupplementRequested)(nil).Type(),
	(*domain.SupplementReceived)(nil).Type(), (*domain.CaseAccepted)(nil).Type(), (*domain.CaseWithdrawn)(nil).Type(),
	(*domain.ItemsWithdrawn)(nil).Type(), (*domain.CaseTerminated)(nil).Type(), (*domain.BundleCompleted)(nil).Type(),
	(*domain.ItemDispatched)(nil).Type(), (*domain.ItemSuspended)(nil).Type(), (*domain.ItemResumed)(nil).Type(),
	(*domain.SpecialProcedureStarted)(nil).Type(), (*domain.SpecialProcedureEnded)(nil).Type(),
	(*domain.DeadlineExtended)(nil).Type(), (*domain.ItemDecided)(nil).Type(), (*domain.CaseRated)(nil).Type(),
	(*domain.AppealDecided)(nil).Type(),
}

// caseDoc is what the fold keeps of one case (design 5).
type caseDoc struct {
	Bundle       string
	Region       string
	Submitted    workday.Date
	Accepted     bool
	Supplemented bool
	Items        []itemDoc
	// RatingMonth and Rating locate the rating counted, for an upheld
	// appeal to take back.
	RatingMonth string
	Rating      domain.RatingLabel
}

type itemDoc struct {
	Code       string
	Department string
	Dispatched workday.Date
	Due        workday.Date
	Settled    bool
	// PausedFrom is the first day of the open pause, zero while the clock
	// runs; Supplement says the open pause is the case's supplement notice.
	PausedFrom workday.Date
	Supplement bool
	PausedDays int
	Extended   bool
}

func (it *itemDoc) running() bool { return !it.Dispatched.IsZero() && !it.Settled }

// month returns d's month as "YYYY-MM". Months of the years in months come
// from there without an allocation: a cell is looked up by month for every
// fact counted.
func month(d workday.Date) string {
	i := (d.Year-firstMonthYear)*12 + int(d.Month) - 1
	if d.Month < 1 || d.Month > 12 || i < 0 || i >= len(months)/7 {
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	}
	return months[7*i : 7*i+7]
}

// months is "2000-012000-02...2099-12": every month of those years, seven
// bytes each, in one string.
const firstMonthYear = 2000

var months = func() string {
	b := make([]byte, 0, 100*12*7)
	for y := firstMonthYear; y < firstMonthYear+100; y++ {
		for m := 1; m <= 12; m++ {
			b = fmt.Appendf(b, "%04d-%02d", y, m)
		}
	}
	return string(b)
}()

// fold is one Apply: the event's case, day and batch.
type fold struct {
	tx  *projections.Tx
	cal *workday.Calendar
	doc *caseDoc
	on  workday.Date
}

// Apply implements projections.Projection.
func (p Projection) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	ev, err := domain.Decode(e.Type, e.Data, e.Metadata)
	if err != nil {
		return err
	}
	return p.ApplyEvent(tx, e, ev)
}

// ApplyEvent implements projections.DomainProjection.
func (p Projection) ApplyEvent(tx *projections.Tx, e *eventstore.RecordedEvent, ev domain.Event) error {
	var err error
	// Built on the stack: a converted concatenation of more than 32 bytes
	// is allocated.
	var kb [64]byte
	key := append(append(kb[:0], "case/"...), strings.TrimPrefix(e.Stream, "case-")...)
	f := fold{tx: tx, cal: p.Calendar, on: workday.DateOf(ev.Meta().OccurredAt)}
	if f.cal == nil {
		f.cal = workday.Default()
	}
	var pending bool
	if f.doc, pending, err = loadCase(tx, key, e.Version == 0); err != nil {
		return err
	}
	// A doc that Object returned is pending in the Tx already: setting it
	// again only looked its key up once more.
	if !pending {
		tx.SetObject(key, f.doc, encodeCase)
	}
	return f.apply(ev)
}

func (f *fold) apply(ev domain.Event) error {
	d := f.doc
	switch e := ev.(type) {
	case *domain.CaseSubmitted:
		d.Bundle, d.Region, d.Submitted = e.Bundle.Code, e.Region, f.on
		d.Items = make([]itemDoc, len(e.Bundle.Items))
		for i, it := range e.Bundle.Items {
			d.Items[i] = itemDoc{Code: it.Code, Department: it.Department}
		}
	case *domain.CaseAccepted:
		d.Accepted = true
	case *domain.SupplementRequested:
		d.Supplemented = true
		for i := range d.Items {
			if it := &d.Items[i]; it.running() && it.PausedFrom.IsZero() {
				it.PausedFrom, it.Supplement = f.on, true
			}
		}
	case *domain.SupplementReceived:
		for _, due := range e.Due {
			if it := d.item(due.Item); it != nil {
				if it.Supplement {
					f.endPause(it)
				}
				it.Due = due.Due
			}
		}
	case *domain.CaseRefused:
		return f.caseEnded(domain.StatusRefused)
	case *domain.CaseWithdrawn:
		if err := f.settleRest(domain.OutcomeWithdrawn); err != nil {
			return err
		}
		return f.caseEnded(domain.StatusWithdrawn)
	case *domain.CaseTerminated:
		if err := f.settleRest(OutcomeTerminated); err != nil {
			return err
		}
		return f.caseEnded(domain.StatusTerminated)
	case *domain.ItemsWithdrawn:
		for _, code := range e.Items {
			if err := f.settle(code, domain.OutcomeWithdrawn); err != nil {
				return err
			}
		}
	case *domain.BundleCompleted:
		for _, o := range e.Outcomes {
			if o.Outcome == domain.Unreachable {
				if err := f.settle(o.Item, domain.Unreachable); err != nil {
					return err
				}
			}
		}
		return f.caseEnded(domain.StatusCompleted)
	case *domain.CaseRated:
		d.RatingMonth, d.Rating = month(f.on), e.Label
		return f.rating(1)
	case *domain.AppealDecided:
		if e.Upheld && d.Rating != "" {
			return f.rating(-1)
		}
	default:
		return f.applyItem(ev)
	}
	return nil
}

func (f *fold) applyItem(ev domain.Event) error {
	d := f.doc
	switch e := ev.(type) {
	case *domain.ItemDispatched:
		if it := d.item(e.Item); it != nil {
			it.Dispatched, it.Due, it.Department = f.on, e.Due, e.Department
		}
	case *domain.ItemSuspended:
		if it := d.item(e.Item); it != nil {
			it.PausedFrom = f.on
		}
	case *domain.SpecialProcedureStarted:
		if it := d.item(e.Item); it != nil {
			it.PausedFrom = f.on
		}
	case *domain.ItemResumed:
		if it := d.item(e.Item); it != nil {
			f.endPause(it)
			it.Due = e.Due
		}
	case *domain.SpecialProcedureEnded:
		if it := d.item(e.Item); it != nil {
			f.endPause(it)
			it.Due = e.Due
		}
	case *domain.DeadlineExtended:
		if it := d.item(e.Item); it != nil {
			it.Extended, it.Due = true, e.Due
		}
	case *domain.ItemDecided:
		return f.settle(e.Item, e.Outcome)
	}
	return nil
}

// item returns the item of code, nil if the case has none. (It replaced a
// withItem that took a closure, called indirectly for every item event.)
func (d *caseDoc) item(code string) *itemDoc {
	for i := range d.Items {
		if d.Items[i].Code == code {
			return &d.Items[i]
		}
	}
	return nil
}

func (f *fold) endPause(it *itemDoc) {
	if !it.PausedFrom.IsZero() {
		it.PausedDays += f.cal.WorkingDaysBetween(it.PausedFrom, f.on)
		it.PausedFrom, it.Supplement = workday.Date{}, false
	}
}
