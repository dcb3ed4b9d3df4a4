package embedded_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// TestRetryAfterReopen re-sends appends after the store was closed and
// reopened, so that the ID index on disk, not any in-memory state, decides
// rule 7.
func TestRetryAfterReopen(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	s, err := embedded.Open("/db", embedded.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	e1, e2 := newEvent("Filed", 1), newEvent("Noted", 2)
	original := MustAppend(t, s, "case-1", eventstore.NoStream, e1, e2)
	MustAppend(t, s, "case-1", eventstore.Exact(1), newEvent("Noted", 3))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = MustOpen(t, fs, "/db")
	head, _ := s.Head(ctx)

	other := e1
	other.Data = json.RawMessage(`{"n":99}`)
	tests := []struct {
		name   string
		stream string
		events []eventstore.EventData
		want   error // nil: the original result
	}{
		{"full retry with a stale expected version", "case-1", []eventstore.EventData{e1, e2}, nil},
		{"same ID, other data", "case-1", []eventstore.EventData{other, e2}, eventstore.ErrDuplicateEventID},
		{"same events, other stream", "case-2", []eventstore.EventData{e1, e2}, eventstore.ErrDuplicateEventID},
		{"recorded and new IDs mixed", "case-1", []eventstore.EventData{e1, newEvent("Noted", 4)}, eventstore.ErrDuplicateEventID},
		{"part of the original append", "case-1", []eventstore.EventData{e1}, eventstore.ErrDuplicateEventID},
		{"the original append reordered", "case-1", []eventstore.EventData{e2, e1}, eventstore.ErrDuplicateEventID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Append(ctx, tc.stream, eventstore.NoStream, tc.events...)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got != original {
				t.Fatalf("retry returned %+v, want the original %+v", got, original)
			}
		})
	}
	if got, _ := s.Head(ctx); got != head {
		t.Fatalf("head moved from %d to %d: a retry recorded something", head, got)
	}
}

// TestAppendWithCancelledContextRecordsNothing covers an append whose context
// ends before the writer takes it.
func TestAppendWithCancelledContextRecordsNothing(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, vfs.NewMem(), "/db")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Append(cancelled, "case-1", eventstore.Any, newEvent("Filed", 0)); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if _, err := s.ReadStream(ctx, "case-1", eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("read after cancelled append: got %v, want ErrStreamNotFound", err)
	}
	if got, _ := s.Head(ctx); got != 0 {
		t.Fatalf("head %d after a cancelled append, want 0", got)
	}
}
