// Package decider runs the "load, decide, save" loop of event sourcing over an
// eventstore.Store, for any state and event types.
//
// A command is handled in four steps:
//
//  1. Load: read the whole stream; a missing stream is the initial state.
//  2. Replay check: if the command carries an ID and its first event is in the
//     stream already, the command was recorded before; the loop returns that
//     original outcome and records nothing (a retried request).
//  3. Decide: fold the events into state with Evolve and call the pure
//     decision closure with the state and the stream's head.
//  4. Save: append the decided events expecting exactly the version that was
//     loaded (NoStream for a new stream). If another writer got there first
//     (eventstore.ErrWrongVersion), go back to 1, at most MaxAttempts times.
//
// Event IDs are derived from the command (Command.EventID), so a command that
// is re-sent after a lost response produces the same IDs and step 2 finds it.
// The package knows nothing of the domain: events cross it through the Decode
// and Encode funcs.
package decider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// DefaultMaxAttempts bounds the retries of a command that keeps losing the
// race for its stream. Each attempt re-reads the stream, so a handful is
// enough to ride out bursts without letting a hot stream spin forever.
const DefaultMaxAttempts = 5

// ErrTooManyConflicts wraps the last eventstore.ErrWrongVersion of a command
// that lost the race MaxAttempts times.
var ErrTooManyConflicts = errors.New("decider: too many concurrent writers")

// Head is the state of a stream when it was loaded.
type Head struct {
	Version  uint64 // version of the last event; 0 when !Exists
	Position uint64 // position of the last event; 0 when !Exists
	Exists   bool
}

// Expected is the expected version that appends exactly after h.
func (h Head) Expected() eventstore.ExpectedVersion {
	if !h.Exists {
		return eventstore.NoStream
	}
	return eventstore.Exact(h.Version)
}

// Loop holds what the loop needs to know about one kind of stream.
type Loop[S, E any] struct {
	Store eventstore.Store
	// Initial returns the state of a stream with no events; nil means the
	// zero value of S.
	Initial func() S
	// Evolve applies one past event to the state. It must not fail: history
	// is fact.
	Evolve func(S, E) S
	// Decode turns a recorded event into an event value.
	Decode func(*eventstore.RecordedEvent) (E, error)
	// Encode turns an event value into its type, JSON data and, if the event
	// carries one, its ID. A nil ID is filled from Command.EventID.
	Encode func(E) (eventstore.EventData, error)
	// MaxAttempts bounds the attempts per command; 0 means DefaultMaxAttempts.
	MaxAttempts int
}

// Command is one decision to take on one stream.
type Command[S, E any] struct {
	Stream string
	// EventID gives the ID of the command's i-th event (from 0); it must be a
	// function of the command alone, and agree with the IDs Encode returns.
	// When it is nil, events without an ID get random ones and a re-sent
	// command is decided again.
	EventID func(i int) uuid.UUID
	// Metadata is attached to every event whose encoding has none.
	Metadata json.RawMessage
	// Decide is the pure decision. It may return no events, in which case
	// nothing is appended.
	Decide func(state S, head Head) ([]E, error)
}

// Result is the outcome of a command.
type Result[S, E any] struct {
	// State is the state after the command's events.
	State S
	// Events are the events the command recorded (or had recorded, when
	// Replayed). Freshly recorded events lack RecordedAt and Hash, which
	// Append does not return; read the stream for them.
	Events []eventstore.RecordedEvent
	// Head is the stream after the command: its version and the position of
	// the command's last event, usable as a minimum position for queries.
	// When the command recorded nothing it is the head that was loaded.
	Head Head
	// Replayed is true when the loop found the command in the stream and
	// recorded nothing. A twin sent at the same instant may instead be
	// caught by the store's idempotency (rule 7): it then reports false,
	// with the same Head and events as the first, and still records nothing.
	Replayed bool
	// Attempts is how many times the command was decided.
	Attempts int
}

// IDsFrom derives event IDs from a command ID, for Command.EventID: the i-th
// is a name-based (SHA-1) UUID, so the same command always yields the same
// IDs.
func IDsFrom(cmd uuid.UUID) func(i int) uuid.UUID {
	return func(i int) uuid.UUID { return uuid.NewSHA1(cmd, []byte(fmt.Sprintf("event/%d", i))) }
}

// Run handles cmd: load, decide, save, retrying on a version conflict.
func (l *Loop[S, E]) Run(ctx context.Context, cmd Command[S, E]) (Result[S, E], error) {
	attempts := l.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	var lastConflict error
	for n := 1; n <= attempts; n++ {
		res, err := l.attempt(ctx, cmd)
		res.Attempts = n
		if err == nil || !l.retryable(cmd, err) {
			return res, err
		}
		lastConflict = err
	}
	return Result[S, E]{Attempts: attempts}, fmt.Errorf("%w: %d attempts on %s: %w", ErrTooManyConflicts, attempts, cmd.Stream, lastConflict)
}

// retryable reports whether err may go away on a fresh load: another writer
// moved the stream, or a twin of this command (same ID, sent again before the
// first answered) recorded first, which the next load will find.
func (l *Loop[S, E]) retryable(cmd Command[S, E], err error) bool {
	return errors.Is(err, eventstore.ErrWrongVersion) ||
		(cmd.EventID != nil && errors.Is(err, eventstore.ErrDuplicateEventID))
}

func (l *Loop[S, E]) attempt(ctx context.Context, cmd Command[S, E]) (Result[S, E], error) {
	var res Result[S, E]
	recorded, err := l.Store.ReadStream(ctx, cmd.Stream, eventstore.ReadStreamOptions{})
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return res, fmt.Errorf("decider: load %s: %w", cmd.Stream, err)
	}
	state, head, err := l.fold(recorded)
	if err != nil {
		return res, fmt.Errorf("decider: load %s: %w", cmd.Stream, err)
	}
	if prior := recordedBefore(cmd.EventID, recorded); prior != nil {
		last := prior[len(prior)-1]
		res.State, _, err = l.fold(recorded[:last.Version+1])
		res.Events, res.Replayed = prior, true
		res.Head = Head{Version: last.Version, Position: last.Position, Exists: true}
		return res, err
	}
	decided, err := cmd.Decide(state, head)
	if err != nil {
		return res, err
	}
	res.State, res.Head = state, head
	if len(decided) == 0 {
		return res, nil
	}
	data := make([]eventstore.EventData, len(decided))
	for i, e := range decided {
		d, err := l.Encode(e)
		if err != nil {
			return res, fmt.Errorf("decider: encode event %d for %s: %w", i, cmd.Stream, err)
		}
		switch {
		case d.ID != uuid.Nil:
		case cmd.EventID != nil:
			d.ID = cmd.EventID(i)
		default:
			d.ID = uuid.New()
		}
		if len(d.Metadata) == 0 {
			d.Metadata = cmd.Metadata
		}
		data[i] = d
	}
	ar, err := l.Store.Append(ctx, cmd.Stream, head.Expected(), data...)
	if err != nil {
		return res, err
	}
	for i, e := range decided {
		state = l.Evolve(state, e)
		res.Events = append(res.Events, eventstore.RecordedEvent{
			ID: data[i].ID, Stream: cmd.Stream, Type: data[i].Type, Data: data[i].Data, Metadata: data[i].Metadata,
			Version: ar.FirstVersion + uint64(i), Position: ar.FirstPosition + uint64(i),
		})
	}
	res.State = state
	res.Head = Head{Version: ar.LastVersion, Position: ar.LastPosition, Exists: true}
	return res, nil
}

// fold evolves the initial state through recorded events.
func (l *Loop[S, E]) fold(recorded []eventstore.RecordedEvent) (S, Head, error) {
	var state S
	if l.Initial != nil {
		state = l.Initial()
	}
	var head Head
	for i := range recorded {
		e, err := l.Decode(&recorded[i])
		if err != nil {
			return state, head, fmt.Errorf("decode version %d (%s): %w", recorded[i].Version, recorded[i].Type, err)
		}
		state = l.Evolve(state, e)
		head = Head{Version: recorded[i].Version, Position: recorded[i].Position, Exists: true}
	}
	return state, head, nil
}

// recordedBefore returns the events the command with these IDs recorded in
// the stream, or nil. An append is atomic (rule 5), so its events are
// contiguous and start with id(0).
func recordedBefore(id func(int) uuid.UUID, recorded []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	if id == nil {
		return nil
	}
	first := id(0)
	for i := range recorded {
		if recorded[i].ID != first {
			continue
		}
		j := i + 1
		for j < len(recorded) && recorded[j].ID == id(j-i) {
			j++
		}
		return recorded[i:j]
	}
	return nil
}
