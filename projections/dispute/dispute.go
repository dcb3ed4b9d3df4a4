package dispute

import (
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/google/uuid"
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

// caseDoc is what the fold keeps of a case to place disputes (design 2).
// It stays decoded in the runner's object cache between batches, and the
// garbage collector scans every cached case at each cycle: tables of a few
// entries, searched in order, take far fewer allocations and pointers than
// maps of strings to *Ref (those were a sixth of a replay's live heap).
// Entries are kept in the order first seen, which depends only on the log,
// so equal folds encode to equal bytes without sorting.
type caseDoc struct {
	region string
	bundle string
	// depts maps item codes to departments.
	depts []itemDept
	// last holds the last event of each item, step and department, and
	// hashes their lastHash, apart: a search reads 8 bytes an entry.
	last     []lastEvent
	hashes   []uint64
	ended    caseRef
	hasEnded bool
	// rating is the ID of the open bad rating's dispute.
	rating string
}

type itemDept struct{ code, dept string }

// lastKind tells what a lastEvent is the last event of.
type lastKind byte

const (
	lastItem lastKind = iota + 1
	lastDept
	lastStep
)

type lastEvent struct {
	kind lastKind
	name string      // the item code, or the department
	step domain.Step // of a lastStep, under item name
	ref  caseRef
}

// A search compares lastHash of kind, name and step first, since names are
// mostly item codes of one length. hashSeed is fixed at start: hashes are
// never stored.
var hashSeed = maphash.MakeSeed()

func lastHash(kind lastKind, name string, step domain.Step) uint64 {
	var h maphash.Hash
	h.SetSeed(hashSeed)
	h.WriteByte(byte(kind))
	h.WriteString(name)
	h.WriteByte(0)
	h.WriteString(string(step))
	return h.Sum64()
}

// caseRef is a Ref as the fold keeps it: the event ID as its 16 bytes,
// made a string only for the disputes that refer to it.
type caseRef struct {
	version uint64
	id      uuid.UUID
	typ     string
	on      workday.Date
}

func (r caseRef) export() Ref {
	return Ref{Version: r.version, EventID: r.id.String(), Type: r.typ, On: r.on}
}

// dept returns the department of item code, if the case knows it.
func (c *caseDoc) dept(code string) (string, bool) {
	for i := range c.depts {
		if c.depts[i].code == code {
			return c.depts[i].dept, true
		}
	}
	return "", false
}

func (c *caseDoc) setDept(code, dept string) {
	for i := range c.depts {
		if c.depts[i].code == code {
			c.depts[i].dept = dept
			return
		}
	}
	c.depts = append(c.depts, itemDept{code: code, dept: dept})
}

// find returns the last event of the item, department or step, if any.
func (c *caseDoc) find(kind lastKind, name string, step domain.Step) *caseRef {
	return c.findHash(lastHash(kind, name, step), kind, name, step)
}

func (c *caseDoc) findHash(h uint64, kind lastKind, name string, step domain.Step) *caseRef {
	for i, x := range c.hashes {
		if l := &c.last[i]; x == h && l.kind == kind && l.name == name && l.step == step {
			return &l.ref
		}
	}
	return nil
}

// setLast makes r the last event of the item, department or step.
func (c *caseDoc) setLast(kind lastKind, name string, step domain.Step, r caseRef) {
	h := lastHash(kind, name, step)
	if p := c.findHash(h, kind, name, step); p != nil {
		*p = r
		return
	}
	c.last = append(c.last, lastEvent{kind: kind, name: name, step: step, ref: r})
	c.hashes = append(c.hashes, h)
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

// ignored lists the case events that neither file, handle nor place a
// dispute (none has an Item field): decoding is most of the cost of a
// replay, so they are passed over undecoded.
var ignored = map[string]bool{}

func init() {
	for _, ev := range []domain.Event{
		(*domain.CasePrechecked)(nil), (*domain.SupplementRequested)(nil), (*domain.SupplementReceived)(nil),
		(*domain.CaseAccepted)(nil), (*domain.ToleranceMaterialsReceived)(nil), (*domain.CaseWithdrawn)(nil),
		(*domain.ItemsWithdrawn)(nil), (*domain.CaseTerminated)(nil), (*domain.ResultsDelivered)(nil),
		(*domain.DubanClosed)(nil), (*domain.EventCorrected)(nil),
	} {
		ignored[ev.Type()] = true
	}
}

// Apply implements projections.Projection.
func (p Projection) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	if ignored[e.Type] {
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
	if ignored[e.Type] {
		return nil
	}
	caseID := strings.TrimPrefix(e.Stream, "case-")
	var kb [64]byte
	key := caseKey(kb[:0], caseID)
	c, err := loadCase(tx, key)
	if err != nil {
		return fmt.Errorf("dispute: case %s: %w", caseID, err)
	}
	ref := caseRef{version: e.Version, id: e.ID, typ: e.Type, on: workday.DateOf(ev.Meta().OccurredAt)}
	f := &fold{tx: tx, c: c, caseID: caseID, ref: ref}
	if err := f.apply(ev); err != nil {
		return err
	}
	tx.SetObject(key, c, encodeCase)
	return nil
}

// loadCase returns the caseDoc under key for changing in this batch: the
// one an earlier event (or the object cache) left in tx, else the stored
// one, else a new one.
func loadCase(tx *projections.Tx, key []byte) (*caseDoc, error) {
	if v, ok := tx.Object(key); ok {
		return v.(*caseDoc), nil
	}
	c := &caseDoc{}
	b, ok, err := tx.Get(key)
	if err != nil || !ok {
		return c, err
	}
	if err := decodeCase(b, c); err != nil {
		return nil, err
	}
	return c, nil
}
