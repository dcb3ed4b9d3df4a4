// Package casestatus is the applicant's read model: per case, where it
// stands, each item with its department, state and due date, what the
// applicant must do next and how the results were delivered.
//
// # Design
//
//  1. One compact document per case under the key "case/<case id>", in
//     the binary format of codec.go. It holds only what the applicant view
//     shows and the access facts of invariant 5 (no bundle snapshot, no
//     command or event IDs): about 0.7 KB on average and under 1.5 KB for
//     the largest bundles in a generated history
//     (TestStatusAgreesWithTheDomainFold logs the figures).
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
//  6. The same projection keeps two indexes of compact Summaries, in the
//     same batch as the Doc they derive from, so an index never disagrees
//     with the documents at any checkpoint (index.go has the key layout):
//     by subject, for an applicant's or agent's own cases, and by region
//     and status, for officers and supervisors. Whenever an event changes
//     what an entry derives from, the case's old entries are deleted and
//     the new ones written: a case is never listed under a stale status.
package casestatus

import (
	"fmt"
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
func (Projection) Version() int { return 3 }

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

func docKey(caseID string) []byte { return appendDocKey(nil, caseID) }

// appendDocKey appends caseID's key to dst: Apply builds it in a buffer
// on its stack (a converted concatenation of more than 32 bytes is
// allocated).
func appendDocKey(dst []byte, caseID string) []byte {
	return append(append(dst, "case/"...), caseID...)
}

// Apply implements projections.Projection.
func (p Projection) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	var ev domain.Event
	if folded[e.Type] {
		var err error
		if ev, err = domain.Decode(e.Type, e.Data, e.Metadata); err != nil {
			return err
		}
	}
	return p.ApplyEvent(tx, e, ev)
}

// ApplyEvent implements projections.DomainProjection. The decoded Doc
// stays in the batch (Tx.SetObject), so a case touched by many events of a
// batch is decoded and encoded once. ev may be nil for an event of a type
// the fold passes over (invariant 4).
func (Projection) ApplyEvent(tx *projections.Tx, e *eventstore.RecordedEvent, ev domain.Event) error {
	caseID := strings.TrimPrefix(e.Stream, "case-")
	var kb [64]byte
	key := appendDocKey(kb[:0], caseID)
	d, pending, err := load(tx, key, caseID, e.Version == 0)
	if err != nil {
		return err
	}
	if !folded[e.Type] {
		d.Version++
	} else {
		before := d.indexed()
		d.apply(ev)
		after := d.indexed()
		if err := reindex(tx, caseID, &before, &after); err != nil {
			return err
		}
	}
	// A Doc that Object returned is pending in the Tx already: setting it
	// again only looked its key up once more.
	if !pending {
		tx.SetObject(key, d, encodeDoc)
	}
	return nil
}

// load returns the Doc of a case for changing in this batch, and whether it
// is pending in tx already (Object returned it): the one an earlier event
// (or the object cache) left in tx, else the stored one, else a new one.
// first says the event is the case's first: no earlier event of the case
// wrote its key, so the store is not asked (for a case new to a batch,
// most often in a replay, that read found nothing).
func load(tx *projections.Tx, key []byte, caseID string, first bool) (*Doc, bool, error) {
	if v, ok := tx.Object(key); ok {
		return v.(*Doc), true, nil
	}
	d := &Doc{CaseID: caseID}
	if first {
		return d, false, nil
	}
	b, ok, err := tx.Get(key)
	if err != nil || !ok {
		return d, false, err
	}
	if err := decodeDoc(b, d); err != nil {
		return nil, false, fmt.Errorf("casestatus: stored doc of %s: %w", caseID, err)
	}
	return d, false, nil
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
