package eventstore

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/google/uuid"
)

// Store is the contract every backend keeps. Its rules are numbered in the
// package comment; eventstore/storetest checks them.
type Store interface {
	// Append records events at the end of stream if expected matches its
	// version (rules 4 to 8). It returns once the events are durable.
	Append(ctx context.Context, stream string, expected ExpectedVersion, events ...EventData) (AppendResult, error)
	// ReadStream reads one stream (rule 10). A missing stream fails with
	// ErrStreamNotFound.
	ReadStream(ctx context.Context, stream string, opts ReadStreamOptions) ([]RecordedEvent, error)
	// ReadAll reads the global log (rule 10).
	ReadAll(ctx context.Context, opts ReadAllOptions) ([]RecordedEvent, error)
	// Subscribe starts a catch-up subscription (rule 10). It lives until ctx
	// is cancelled or it is closed.
	Subscribe(ctx context.Context, opts SubscribeOptions) (Subscription, error)
	// Head returns the position of the last recorded event, 0 when the log is
	// empty.
	Head(ctx context.Context) (uint64, error)
	// Close releases the store. Appends in flight either complete or fail;
	// none is acknowledged without being durable.
	Close() error
}

// Recycler is implemented by a Subscription that can write later events'
// data into the memory of events it delivered before, sparing a long
// catch-up an allocation for every event (rule 10). Recycle(through) is the
// caller's promise that it keeps no reference into the Data or Metadata of
// any event it received at or before position through, and will not read
// them again. A caller that never recycles gets fresh memory, as from any
// other subscription.
type Recycler interface {
	Recycle(through uint64)
}

// Readier is implemented by a Subscription that can tell whether Next would
// return without waiting for an append: the rest of a page it has read,
// more history to read, its CaughtUp message, or its end (rule 10). A
// caller that gathers messages into batches asks Ready instead of running
// Next in a goroutine of its own to learn whether it would block, which
// costs two channel operations a message. Ready is called from the
// goroutine that calls Next, never concurrently with it.
type Readier interface {
	Ready() bool
}

// Backuper is implemented by backends that can copy themselves, consistently
// and while appends go on, into a directory that opens as a store.
type Backuper interface {
	Backup(ctx context.Context, dir string) error
}

// ExpectedVersion is what an append expects of its stream: Any, NoStream,
// StreamExists or Exact(version).
type ExpectedVersion int64

const (
	// Any accepts the stream in any state.
	Any ExpectedVersion = -1
	// NoStream requires that the stream has no events.
	NoStream ExpectedVersion = -2
	// StreamExists requires that the stream has at least one event.
	StreamExists ExpectedVersion = -3
)

// Exact expects the stream's last event to have version v.
func Exact(v uint64) ExpectedVersion { return ExpectedVersion(v) }

// IsExact reports whether e names one version rather than a condition.
func (e ExpectedVersion) IsExact() bool { return e >= 0 }

func (e ExpectedVersion) String() string {
	switch e {
	case Any:
		return "any"
	case NoStream:
		return "no stream"
	case StreamExists:
		return "stream exists"
	}
	if e >= 0 {
		return itoa(uint64(e))
	}
	return "invalid(" + "-" + itoa(uint64(-e)) + ")"
}

// EventData is an event to append.
type EventData struct {
	ID       uuid.UUID
	Type     string
	Data     json.RawMessage // valid JSON, stored byte-exact
	Metadata json.RawMessage // empty or a JSON object, stored byte-exact
}

// RecordedEvent is an event as the store recorded it.
type RecordedEvent struct {
	ID         uuid.UUID
	Stream     string
	Version    uint64
	Position   uint64
	Type       string
	Data       json.RawMessage
	Metadata   json.RawMessage
	RecordedAt time.Time // UTC, the store's clock
	Hash       [32]byte  // chain hash, rule 11
}

// Metadata is the conventional content of EventData.Metadata. The store
// treats metadata as opaque JSON; this type names the fields caseledger
// writes so that every writer spells them the same way.
type Metadata struct {
	Actor         string `json:"actor,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	Schema        int    `json:"schema,omitempty"`
}

// AppendResult describes a successful append, or the original append when
// an append is re-sent (rule 7).
type AppendResult struct {
	FirstVersion  uint64
	LastVersion   uint64 // the stream's version after the append
	FirstPosition uint64
	LastPosition  uint64 // usable as a minimum position for later queries
}

// Direction is the order of a read.
type Direction int

const (
	Forwards Direction = iota
	Backwards
)

// End, as a read's From, starts a backwards read at the last event.
const End uint64 = math.MaxUint64

// ReadStreamOptions select part of one stream.
type ReadStreamOptions struct {
	Direction Direction
	From      uint64 // first version read (inclusive); End reads backwards from the last
	Limit     int    // at most this many events; 0 means no limit
}

// ReadAllOptions select part of the global log.
type ReadAllOptions struct {
	Direction Direction
	From      uint64 // first position read (inclusive); 0 is the start, End the last event
	Limit     int    // at most this many events; 0 means no limit
	Filter    Filter
}

// Filter keeps events whose stream category is one of Categories (if any)
// and whose type is one of Types (if any).
type Filter struct {
	Categories []string
	Types      []string
}

// Matches reports whether e passes the filter.
func (f Filter) Matches(e *RecordedEvent) bool {
	return f.matches(e.Stream, e.Type)
}

func (f Filter) matches(stream, typ string) bool {
	if len(f.Categories) > 0 && !contains(f.Categories, Category(stream)) {
		return false
	}
	if len(f.Types) > 0 && !contains(f.Types, typ) {
		return false
	}
	return true
}

// IsZero reports whether f keeps every event.
func (f Filter) IsZero() bool { return len(f.Categories) == 0 && len(f.Types) == 0 }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// SubscribeOptions start a subscription.
type SubscribeOptions struct {
	After  uint64 // deliver events with a greater position; 0 delivers from the start
	Filter Filter
}

// MessageKind tells what a subscription message carries.
type MessageKind int

const (
	// MessageEvent carries one event.
	MessageEvent MessageKind = iota
	// MessageCaughtUp says the subscription has delivered everything up to
	// Position, the head when it got there. It is sent once.
	MessageCaughtUp
	// MessageCheckpoint says nothing matching the filter lies at or before
	// Position beyond what was delivered; a filtered consumer may store it as
	// its checkpoint. Backends send it at their discretion.
	MessageCheckpoint
)

// Message is one delivery of a subscription.
type Message struct {
	Kind     MessageKind
	Event    RecordedEvent // set when Kind is MessageEvent
	Position uint64        // the position delivered or examined up to
}

// Subscription is a running catch-up subscription.
type Subscription interface {
	// Next blocks until the next message. It fails with the context's error
	// once the subscription's context is cancelled, and with ErrClosed after
	// Close or when the store closes.
	Next() (Message, error)
	// Close ends the subscription and frees what it holds. It is safe to call
	// more than once and concurrently with Next.
	Close() error
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
