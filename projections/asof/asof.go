package asof

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// ErrNotYet is wrapped by the error for a case that had no event within the
// bounds asked for (rule 5).
var ErrNotYet = errors.New("asof: the case did not exist yet")

// At bounds a snapshot (rules 1 to 4). The zero At is the latest state.
type At struct {
	// Version, if set, is the last stream version folded.
	Version *uint64 `json:"version,omitempty"`
	// OccurredBy, if not zero, leaves out events that took effect after it:
	// what had happened by then.
	OccurredBy time.Time `json:"occurred_by,omitzero"`
	// RecordedBy, if not zero, stops before the first event recorded after
	// it: what the ledger knew then.
	RecordedBy time.Time `json:"recorded_by,omitzero"`
}

// AtVersion bounds a snapshot by stream version (rule 1).
func AtVersion(v uint64) At { return At{Version: &v} }

// OccurredBy bounds a snapshot by effective time (rule 3).
func OccurredBy(t time.Time) At { return At{OccurredBy: t} }

// RecordedBy bounds a snapshot by the store's clock (rule 2).
func RecordedBy(t time.Time) At { return At{RecordedBy: t} }

// Latest is the unbounded At: the case as it stands.
func Latest() At { return At{} }

// String describes the bounds for messages.
func (a At) String() string {
	s := ""
	add := func(part string) {
		if s != "" {
			s += ", "
		}
		s += part
	}
	if a.Version != nil {
		add("version " + strconv.FormatUint(*a.Version, 10))
	}
	if !a.OccurredBy.IsZero() {
		add("occurred by " + a.OccurredBy.Format(time.RFC3339Nano))
	}
	if !a.RecordedBy.IsZero() {
		add("recorded by " + a.RecordedBy.Format(time.RFC3339Nano))
	}
	if s == "" {
		return "latest"
	}
	return s
}

// Snapshot is a case as of a point of its history. Treat it as a value: its
// State and View share slices.
type Snapshot struct {
	CaseID string `json:"case_id"`
	// At is the bound asked for.
	At At `json:"at"`
	// Version and Position are those of the last event folded; Events is
	// how many were folded (Version+1 unless some were Skipped).
	Version  uint64 `json:"version"`
	Position uint64 `json:"position"`
	Events   int    `json:"events"`
	// OccurredAt and RecordedAt are the times of the last event folded.
	OccurredAt time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
	// Skipped lists the versions before Version left out because they took
	// effect after the OccurredBy bound (rule 3); empty for a prefix.
	Skipped []uint64 `json:"skipped"`
	Case    View     `json:"case"`
	// State is the domain's fold of the same events.
	State domain.State `json:"-"`
}

// pageSize is how many events one read takes. Most cases have under 100
// events, so one read usually does; long streams are paged so a tight bound
// does not read them whole.
const pageSize = 128

// Case returns case caseID as of at, reading its stream from store once.
func Case(ctx context.Context, store eventstore.Store, caseID string, at At) (Snapshot, error) {
	stream := "case-" + caseID
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return Snapshot{}, &domain.Error{Code: domain.CodeInvalid, Message: "not a case ID",
			Fields: []domain.FieldError{{Field: "case_id", Message: "printable ASCII without spaces, at most 250 bytes"}}}
	}
	f := folder{at: at, last: -1, lastRead: -1}
	for from := uint64(0); ; {
		limit := pageSize
		if at.Version != nil {
			if *at.Version < from {
				break
			}
			limit = int(min(*at.Version-from+1, pageSize))
		}
		page, err := store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{From: from, Limit: limit})
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return Snapshot{}, &domain.Error{Code: domain.CodeNotFound, Message: "no such case"}
		}
		if err != nil {
			return Snapshot{}, fmt.Errorf("asof: read %s: %w", stream, err)
		}
		more, err := f.fold(page)
		if err != nil {
			return Snapshot{}, fmt.Errorf("asof: %s: %w", stream, err)
		}
		if !more || len(page) < limit {
			break
		}
		from = page[len(page)-1].Version + 1
	}
	if at.Version != nil && !f.stopped && f.lastRead < int64(*at.Version) {
		return Snapshot{}, &domain.Error{Code: domain.CodeNotFound,
			Message: fmt.Sprintf("the case has no version %d (its last is %d)", *at.Version, f.lastRead)}
	}
	if f.last < 0 {
		return Snapshot{}, &domain.Error{Code: domain.CodeNotFound, Err: ErrNotYet,
			Message: "the case did not exist yet as of " + at.String()}
	}
	return f.snapshot(caseID), nil
}

// folder folds the events a bound admits, page by page.
type folder struct {
	at At
	// read keeps every event read, for the correction annotations; events
	// are the decoded ones admitted.
	read   []eventstore.RecordedEvent
	events []domain.Event
	last   int // index in read of the last event admitted, -1 before any
	// lastRead is the version of the last event read within the recorded-at
	// bound, -1 before any; stopped says the recorded-at bound ended the
	// prefix (rule 2).
	lastRead int64
	stopped  bool
	// left are versions left out by the OccurredBy bound so far.
	left []uint64
}

// fold decodes the admitted events of page and reports whether a later
// page could hold more.
func (f *folder) fold(page []eventstore.RecordedEvent) (bool, error) {
	start := len(f.read)
	if start == 0 {
		f.read = page // the usual single page: no copy
	} else {
		f.read = append(f.read, page...)
	}
	for i := start; i < len(f.read); i++ {
		e := &f.read[i]
		if !f.at.RecordedBy.IsZero() && e.RecordedAt.After(f.at.RecordedBy) {
			f.stopped = true
			return false, nil
		}
		if f.at.Version != nil && e.Version > *f.at.Version {
			return false, nil
		}
		f.lastRead = int64(e.Version)
		bound := f.at.OccurredBy
		if !bound.IsZero() {
			if t, ok := occurredAt(e.Data); ok && t.After(bound) {
				f.left = append(f.left, e.Version)
				continue
			}
		}
		ev, err := domain.DecodeRecorded(*e)
		if err != nil {
			return false, fmt.Errorf("version %d: %w", e.Version, err)
		}
		// The decoded time decides for the events the peek admitted (or
		// could not read): never fold an event past the bound.
		if !bound.IsZero() && ev.Meta().OccurredAt.After(bound) {
			f.left = append(f.left, e.Version)
			continue
		}
		f.events = append(f.events, ev)
		f.last = i
	}
	return true, nil
}

// snapshot folds what f admitted. domain.Replay folds in place, where
// Evolve would copy the state once per event.
func (f *folder) snapshot(caseID string) Snapshot {
	state := domain.Replay(f.events)
	last := &f.read[f.last]
	skipped := []uint64{}
	for _, v := range f.left {
		if v < last.Version {
			skipped = append(skipped, v)
		}
	}
	return Snapshot{
		CaseID: caseID, At: f.at,
		Version: last.Version, Position: last.Position, Events: len(f.events),
		OccurredAt: f.events[len(f.events)-1].Meta().OccurredAt, RecordedAt: last.RecordedAt,
		Skipped: skipped,
		Case:    newView(&state, f.read),
		State:   state,
	}
}
