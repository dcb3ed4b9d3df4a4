package dispute

import (
	"fmt"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
)

// Name is the projection's name in a projections.Runner.
const Name = "dispute"

// Projection folds case events into dispute documents. The zero value is
// ready.
type Projection struct{}

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Version implements projections.Projection; raise it whenever the fold or
// the document layout changes.
func (Projection) Version() int { return 3 }

// Filter implements projections.Projection: case streams only.
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{Categories: []string{"case"}}
}

// Kind tells a complaint from a bad rating.
type Kind string

const (
	KindComplaint Kind = "complaint"
	KindBadRating Kind = "bad_rating"
)

// Ref names one event of the case.
type Ref struct {
	Version uint64       `json:"v"`
	EventID string       `json:"id"`
	Type    string       `json:"t"`
	On      workday.Date `json:"on"`
}

// Handling is one event of a dispute's handling, with the deadline it set.
type Handling struct {
	Ref
	Deadline workday.Date `json:"due,omitzero"`
}

// Dispute is the stored index document of one dispute (design 1).
type Dispute struct {
	ID     string `json:"-"`
	Kind   Kind   `json:"k"`
	CaseID string `json:"c"`
	Region string `json:"r"`
	Bundle string `json:"b"`
	// Filed is the complaint or the rating.
	Filed Ref `json:"f"`
	// Disputed is the disputed step (design 2).
	Disputed Ref `json:"d"`
	// Department, Item and Step are what a complaint targets.
	Department string      `json:"dep,omitempty"`
	Item       string      `json:"it,omitempty"`
	Step       domain.Step `json:"st,omitempty"`
	// Label and Tags are a bad rating's.
	Label domain.RatingLabel `json:"l,omitempty"`
	Tags  []string           `json:"tg,omitempty"`
	// Deadline is the answer or rectification deadline, zero while none
	// runs; MetOn is the day the answer or rectification report came.
	Deadline workday.Date `json:"due,omitzero"`
	MetOn    workday.Date `json:"met,omitzero"`
	Handling []Handling   `json:"h,omitempty"`
	// Closed: the complaint is answered or the bad rating signed off.
	Closed bool `json:"x,omitempty"`
}

// caseKey appends caseID's key to dst: Apply builds it in a buffer on its
// stack (a converted concatenation of more than 32 bytes is allocated).
func caseKey(dst []byte, caseID string) []byte {
	return append(append(dst, "case/"...), caseID...)
}

func disputeKey(id string) []byte { return []byte("d/" + id) }

func openKey(d *Dispute) []byte {
	return []byte("open/" + d.Region + "/" + d.Filed.On.String() + "/" + d.ID)
}

// ignored lists, by type code, the case events that neither file, handle
// nor place a dispute (none has an Item field): decoding is most of the
// cost of a replay, so they are passed over undecoded.
var ignored [256]bool

func init() {
	for _, ev := range []domain.Event{
		(*domain.CasePrechecked)(nil), (*domain.SupplementRequested)(nil), (*domain.SupplementReceived)(nil),
		(*domain.CaseAccepted)(nil), (*domain.ToleranceMaterialsReceived)(nil), (*domain.CaseWithdrawn)(nil),
		(*domain.ItemsWithdrawn)(nil), (*domain.CaseTerminated)(nil), (*domain.ResultsDelivered)(nil),
		(*domain.DubanClosed)(nil), (*domain.EventCorrected)(nil),
	} {
		ignored[typeCodes[ev.Type()]] = true
	}
}

// isIgnored reports whether events of type typ are passed over.
func isIgnored(typ string) bool {
	c, ok := typeCodes[typ]
	return ok && ignored[c]
}

// Apply implements projections.Projection.
func (p Projection) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	if isIgnored(e.Type) {
		return nil
	}
	ev, err := domain.Decode(e.Type, e.Data, e.Metadata)
	if err != nil {
		return err
	}
	return p.ApplyEvent(tx, e, ev)
}

// ApplyEvent implements projections.DomainProjection.
func (Projection) ApplyEvent(tx *projections.Tx, e *eventstore.RecordedEvent, ev domain.Event) error {
	typ, ok := typeCodes[e.Type]
	if !ok {
		return fmt.Errorf("dispute: event type %s is not a domain event", e.Type)
	}
	if ignored[typ] {
		return nil
	}
	caseID := strings.TrimPrefix(e.Stream, "case-")
	var kb [64]byte
	key := caseKey(kb[:0], caseID)
	c, pending, err := loadCase(tx, key, e.Version == 0)
	if err != nil {
		return fmt.Errorf("dispute: case %s: %w", caseID, err)
	}
	ref := caseRef{version: e.Version, id: e.ID, typ: typ, on: dayOf(workday.DateOf(ev.Meta().OccurredAt))}
	f := &fold{tx: tx, c: c, caseID: caseID, ref: ref}
	if err := f.apply(ev); err != nil {
		return err
	}
	// A doc that Object returned is pending in the Tx already: setting it
	// again only looked its key up once more.
	if !pending {
		tx.SetObject(key, c, encodeCase)
	}
	return nil
}

// loadCase returns the caseDoc under key for changing in this batch, and
// whether it is pending in tx already (Object returned it): the one an
// earlier event (or the object cache) left in tx, else the stored one, else
// a new one.
// first says the event is the case's first: no earlier event of the case
// wrote its key, so the store is not asked (for a case new to a batch,
// most often in a replay, that read found nothing).
func loadCase(tx *projections.Tx, key []byte, first bool) (*caseDoc, bool, error) {
	if v, ok := tx.Object(key); ok {
		return v.(*caseDoc), true, nil
	}
	c := &caseDoc{}
	if first {
		return c, false, nil
	}
	b, ok, err := tx.Get(key)
	if err != nil || !ok {
		return c, false, err
	}
	if err := decodeCase(b, c); err != nil {
		return nil, false, err
	}
	return c, false, nil
}
