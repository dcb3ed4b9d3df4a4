// Package casestatus is the applicant's read model: per case, where it
// stands, each item with its department, state and due date, what the
// applicant must do next and how the results were delivered.
//
// # Design
//
//  1. One compact document per case, JSON under the key "case/<case id>".
//     It holds only what the applicant view shows (no bundle snapshot, no
//     command or event IDs): about 1.1 KB on average and under 2 KB for the
//     largest bundles in a generated history (TestStatusAgreesWithTheDomainFold
//     logs the figures).
//  2. The fold mirrors domain.Evolve for the fields it keeps, and nothing
//     else: due dates come from the events themselves (the domain computed
//     them when it decided), so the calendar and pause arithmetic live in
//     one place. The test checks every case of a generated history against
//     domain.Replay.
//  3. Time-dependent answers (remaining working days, what is overdue) are
//     computed at query time from the stored due dates, a calendar and the
//     caller's today, never stored: the document depends only on the log.
//  4. Events that do not concern the applicant view (steps, ratings'
//     handling, supervision, corrections) only bump the document's version.
//  5. The Doc carries the facts access control decides on, and only opaque
//     ones: the applicant's and agent's SubjectRef (never their masked
//     display values), the region, and the service centre that took the
//     case in (the Unit of the first window officer acting in intake).
package casestatus

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
)

// Name is the projection's name in a projections.Runner.
const Name = "case_status"

// Projection folds case events into Docs. The zero value is ready.
type Projection struct{}

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Version implements projections.Projection; raise it whenever the fold or
// the Doc layout changes.
func (Projection) Version() int { return 2 }

// Filter implements projections.Projection: case streams only.
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{Categories: []string{"case"}}
}

// Doc is the stored status of one case (invariant 1).
type Doc struct {
	// CaseID is not stored: the key holds it.
	CaseID  string `json:"-"`
	Version int    `json:"v"` // events folded
	// Bundle is the catalogue code; names come from the catalogue.
	Bundle string        `json:"b"`
	Status domain.Status `json:"s"`
	Region string        `json:"r,omitempty"`
	// Applicant and Agent are the opaque subject references (invariant 5);
	// Agent is empty when the applicant applied in person.
	Applicant domain.SubjectRef `json:"ap"`
	Agent     domain.SubjectRef `json:"ag,omitempty"`
	// Centre is the service centre (window officers' Actor.Unit) that took
	// the case in: the one that submitted it at its window, else the first
	// to refuse, accept or send the supplement notice. Empty while a case
	// submitted online waits for intake.
	Centre      string       `json:"ctr,omitempty"`
	SubmittedOn workday.Date `json:"sub"`
	AcceptedOn  workday.Date `json:"acc,omitzero"`
	PromisedDue workday.Date `json:"pd,omitzero"`
	// Supplement is the open supplement notice, nil when none is open.
	Supplement *Supplement `json:"sup,omitempty"`
	// ToleranceMissing are the minor materials still owed after 容缺受理,
	// due by ToleranceDue.
	ToleranceMissing []string     `json:"tm,omitempty"`
	ToleranceDue     workday.Date `json:"td,omitzero"`
	Items            []Item       `json:"it"`
	Deliveries       []Delivery   `json:"dl,omitempty"`
	Rated            bool         `json:"rt,omitempty"`
}

// Supplement is an open supplement notice.
type Supplement struct {
	Notice      string       `json:"n"`
	Missing     []string     `json:"m"`
	RequestedOn workday.Date `json:"on"`
}

// Item is one item of the case as the applicant sees it.
type Item struct {
	Code       string            `json:"c"`
	Department string            `json:"d"`
	Status     domain.ItemStatus `json:"s"`
	Outcome    domain.Outcome    `json:"o,omitempty"`
	Due        workday.Date      `json:"due,omitzero"`
	// Pause says why the item's clock is stopped ("suspended", "supplement"
	// or a special procedure's kind); empty while it runs.
	Pause       string       `json:"p,omitempty"`
	PausedOn    workday.Date `json:"pon,omitzero"`
	Certificate string       `json:"cert,omitempty"`
}

// Delivery is one delivery of results.
type Delivery struct {
	Method         domain.DeliveryMethod `json:"m"`
	TrackingNumber string                `json:"t,omitempty"`
	Items          []string              `json:"i"`
	On             workday.Date          `json:"on"`
}

const pauseSupplement = "supplement"

func docKey(caseID string) []byte { return []byte("case/" + caseID) }

// Apply implements projections.Projection. The decoded Doc stays in the
// batch (Tx.SetObject), so a case touched by many events of a batch is
// decoded and encoded once.
func (Projection) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	caseID := strings.TrimPrefix(e.Stream, "case-")
	key := docKey(caseID)
	d, err := load(tx, key)
	if err != nil {
		return err
	}
	d.CaseID = caseID
	if !folded[e.Type] {
		// Invariant 4; decoding is most of the cost of a replay, so events
		// that change nothing here are not decoded.
		d.Version++
	} else {
		ev, err := domain.Decode(e.Type, e.Data, e.Metadata)
		if err != nil {
			return err
		}
		d.apply(ev)
	}
	tx.SetObject(key, d, encodeDoc)
	return nil
}

// folded lists the event types apply looks into.
var folded = func() map[string]bool {
	m := map[string]bool{}
	for _, ev := range []domain.Event{
		(*domain.CaseSubmitted)(nil), (*domain.CaseRefused)(nil), (*domain.SupplementRequested)(nil),
		(*domain.SupplementReceived)(nil), (*domain.CaseAccepted)(nil), (*domain.ToleranceMaterialsReceived)(nil),
		(*domain.CaseWithdrawn)(nil), (*domain.ItemsWithdrawn)(nil), (*domain.CaseTerminated)(nil),
		(*domain.BundleCompleted)(nil), (*domain.ResultsDelivered)(nil), (*domain.CaseRated)(nil),
		(*domain.ItemDispatched)(nil), (*domain.ItemAccepted)(nil), (*domain.ItemSuspended)(nil),
		(*domain.ItemResumed)(nil), (*domain.SpecialProcedureStarted)(nil), (*domain.SpecialProcedureEnded)(nil),
		(*domain.DeadlineExtended)(nil), (*domain.ItemDecided)(nil), (*domain.CertificateIssued)(nil),
	} {
		m[ev.Type()] = true
	}
	return m
}()

func load(tx *projections.Tx, key []byte) (*Doc, error) {
	if v, ok := tx.Object(key); ok {
		return v.(*Doc), nil
	}
	d := new(Doc)
	b, ok, err := tx.Get(key)
	if err != nil || !ok {
		return d, err
	}
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("casestatus: stored doc %s: %w", key, err)
	}
	return d, nil
}

func encodeDoc(v any) ([]byte, error) { return json.Marshal(v.(*Doc)) }

// apply folds ev into d (invariant 2: as domain.State.apply does).
func (d *Doc) apply(ev domain.Event) {
	m := ev.Meta()
	on := workday.DateOf(m.OccurredAt)
	d.Version++
	switch e := ev.(type) {
	case *domain.CaseSubmitted:
		d.CaseID, d.Status, d.Region, d.SubmittedOn = m.CaseID, domain.StatusSubmitted, e.Region, on
		d.Bundle = e.Bundle.Code
		d.Applicant = e.Applicant.Ref
		if e.Agent != nil {
			d.Agent = e.Agent.Ref
		}
		d.takeIn(m.Actor)
		d.Items = make([]Item, len(e.Bundle.Items))
		for i, it := range e.Bundle.Items {
			d.Items[i] = Item{Code: it.Code, Department: it.Department, Status: domain.ItemWaiting}
		}
	case *domain.CaseRefused:
		d.Status = domain.StatusRefused
		d.takeIn(m.Actor)
	case *domain.SupplementRequested:
		d.takeIn(m.Actor)
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
			d.withItem(due.Item, func(it *Item) {
				if it.Pause == pauseSupplement {
					it.Pause, it.PausedOn = "", workday.Date{}
				}
				it.Due = due.Due
			})
		}
	case *domain.CaseAccepted:
		d.Status, d.AcceptedOn, d.PromisedDue = domain.StatusAccepted, e.AcceptedOn, e.PromisedDue
		d.takeIn(m.Actor)
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
			Items: slices.Clone(e.Items), On: on})
	case *domain.CaseRated:
		d.Rated = true
	default:
		d.applyItem(ev, on)
	}
}

func (d *Doc) applyItem(ev domain.Event, on workday.Date) {
	switch e := ev.(type) {
	case *domain.ItemDispatched:
		d.withItem(e.Item, func(it *Item) { it.Status, it.Department, it.Due = domain.ItemSent, e.Department, e.Due })
	case *domain.ItemAccepted:
		d.withItem(e.Item, func(it *Item) { it.Status = domain.ItemInProgress })
	case *domain.ItemSuspended:
		d.withItem(e.Item, func(it *Item) { it.Pause, it.PausedOn = "suspended", on })
	case *domain.ItemResumed:
		d.withItem(e.Item, func(it *Item) { it.Pause, it.PausedOn, it.Due = "", workday.Date{}, e.Due })
	case *domain.SpecialProcedureStarted:
		d.withItem(e.Item, func(it *Item) { it.Pause, it.PausedOn = string(e.Kind), on })
	case *domain.SpecialProcedureEnded:
		d.withItem(e.Item, func(it *Item) { it.Pause, it.PausedOn, it.Due = "", workday.Date{}, e.Due })
	case *domain.DeadlineExtended:
		d.withItem(e.Item, func(it *Item) { it.Due = e.Due })
	case *domain.ItemDecided:
		d.withItem(e.Item, func(it *Item) { it.Status, it.Outcome = domain.ItemConcluded, e.Outcome })
	case *domain.CertificateIssued:
		d.withItem(e.Item, func(it *Item) { it.Certificate = e.Certificate.Name + " " + e.Certificate.Number })
	}
}

// takeIn records the centre of the first window officer acting in intake;
// departments (a 补正 after acceptance) and applicants never set it.
func (d *Doc) takeIn(a domain.Actor) {
	if d.Centre == "" && a.Role == domain.RoleWindow {
		d.Centre = a.Unit
	}
}

func (d *Doc) withItem(code string, f func(*Item)) {
	for i := range d.Items {
		if d.Items[i].Code == code {
			f(&d.Items[i])
			return
		}
	}
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
