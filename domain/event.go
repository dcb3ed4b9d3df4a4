package domain

import (
	"crypto/sha1"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Event is a fact in a case's history. Every event type in this package
// embeds EventMeta; the unexported method keeps the set closed, so Evolve
// and the registry know every event there can be.
type Event interface {
	// Type is the stable event type name stored in the event store.
	Type() string
	// Meta returns who, when and why-caused.
	Meta() EventMeta
	meta() *EventMeta
}

// EventMeta is what every event records besides its own facts. The store
// adds recorded-at and the chain hash; OccurredAt is when the fact took
// effect in the world, as the command said.
type EventMeta struct {
	// ID is derived from CaseID, CommandID and the event's index in the
	// decision (EventID), so a retried command yields the same IDs and the
	// store's idempotency (eventstore rule 7) catches it across processes.
	ID         uuid.UUID `json:"id"`
	CaseID     string    `json:"case_id"`
	CommandID  string    `json:"command_id"`
	Actor      Actor     `json:"actor"`
	OccurredAt time.Time `json:"occurred_at"`
}

// Meta returns m; promoted to every event type.
func (m EventMeta) Meta() EventMeta { return m }

func (m *EventMeta) meta() *EventMeta { return m }

// eventNamespace roots the version-5 UUIDs of events. It is a constant of
// the ledger's format: changing it would give retried commands new IDs.
var eventNamespace = uuid.MustParse("8b6f3c2e-4d1a-5e07-9c55-0a1e6f2b7d10")

// EventID is the deterministic ID of the index-th event (from 0) decided
// for command commandID of case caseID.
func EventID(caseID, commandID string, index int) uuid.UUID {
	// uuid.NewSHA1(eventNamespace, name), hashed from a stack buffer: it
	// runs for every decided event, and NewSHA1 allocates a hash state,
	// the name and the sum.
	var buf [128]byte
	b := append(buf[:0], eventNamespace[:]...)
	b = append(b, caseID...)
	b = append(b, 0)
	b = append(b, commandID...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(index), 10)
	sum := sha1.Sum(b)
	var id uuid.UUID
	copy(id[:], sum[:])
	id[6] = id[6]&0x0f | 5<<4 // version 5
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}
