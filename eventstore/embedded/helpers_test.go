package embedded_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// MustOpen opens a store in dir on fs and closes it when the test ends.
func MustOpen(tb testing.TB, fs vfs.FS, dir string) *embedded.Store {
	tb.Helper()
	return MustOpenWith(tb, dir, embedded.Options{FS: fs})
}

// MustOpenWith opens a store in dir with opts and closes it when the test
// ends.
func MustOpenWith(tb testing.TB, dir string, opts embedded.Options) *embedded.Store {
	tb.Helper()
	s, err := embedded.Open(dir, opts)
	if err != nil {
		tb.Fatalf("open %s: %v", dir, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// newEvent returns an event with a fresh ID whose data names n.
func newEvent(typ string, n int) eventstore.EventData {
	return eventstore.EventData{
		ID:       uuid.New(),
		Type:     typ,
		Data:     json.RawMessage(fmt.Sprintf(`{"n":%d,"note":"事件"}`, n)),
		Metadata: json.RawMessage(`{"actor":"clerk-1"}`),
	}
}

// MustAppend appends and fails the test on error.
func MustAppend(tb testing.TB, s eventstore.Store, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) eventstore.AppendResult {
	tb.Helper()
	res, err := s.Append(context.Background(), stream, expected, events...)
	if err != nil {
		tb.Fatalf("append to %s: %v", stream, err)
	}
	return res
}

// MustReadAll reads the whole log forwards.
func MustReadAll(tb testing.TB, s eventstore.Store) []eventstore.RecordedEvent {
	tb.Helper()
	events, err := s.ReadAll(context.Background(), eventstore.ReadAllOptions{})
	if err != nil {
		tb.Fatalf("read all: %v", err)
	}
	return events
}

// checkLog fails unless the log of s has gapless positions 1..len and every
// stream's versions and chain hashes follow (rules 2, 3 and 11). It
// recomputes hashes itself, so it does not depend on eventstore.Verify.
func checkLog(tb testing.TB, events []eventstore.RecordedEvent) {
	tb.Helper()
	type tip struct {
		version uint64
		hash    [32]byte
	}
	tips := map[string]tip{}
	for i := range events {
		e := &events[i]
		if got, want := e.Position, uint64(i+1); got != want {
			tb.Fatalf("event %d has position %d, want %d", i, got, want)
		}
		t, seen := tips[e.Stream]
		wantVersion, prev := uint64(0), [32]byte{}
		if seen {
			wantVersion, prev = t.version+1, t.hash
		}
		if e.Version != wantVersion {
			tb.Fatalf("position %d: %s version %d, want %d", e.Position, e.Stream, e.Version, wantVersion)
		}
		if got, want := e.Hash, eventstore.ChainHash(prev, e); got != want {
			tb.Fatalf("position %d: hash %x, want %x", e.Position, got, want)
		}
		if e.RecordedAt.Location() != time.UTC {
			tb.Fatalf("position %d: recorded-at %v is not UTC", e.Position, e.RecordedAt)
		}
		tips[e.Stream] = tip{e.Version, e.Hash}
	}
}
