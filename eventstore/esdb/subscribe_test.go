package esdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdb"
	"github.com/google/uuid"
)

// nextTimeout bounds each wait so that a lost event fails the test instead
// of hanging it; a reconnect with backoff takes seconds, not this.
const nextTimeout = 60 * time.Second

func events(n int, typ string) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = eventstore.EventData{ID: uuid.New(), Type: typ, Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}
	}
	return out
}

// next returns the next message, failing the test after nextTimeout.
func next(t *testing.T, sub eventstore.Subscription) eventstore.Message {
	t.Helper()
	type result struct {
		m   eventstore.Message
		err error
	}
	ch := make(chan result, 1)
	go func() {
		m, err := sub.Next()
		ch <- result{m, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Next: %v", r.err)
		}
		return r.m
	case <-time.After(nextTimeout):
		t.Fatalf("no message within %v", nextTimeout)
		return eventstore.Message{}
	}
}

// nextEvents reads n events, skipping checkpoints and CaughtUp.
func nextEvents(t *testing.T, sub eventstore.Subscription, n int) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	for len(out) < n {
		if m := next(t, sub); m.Kind == eventstore.MessageEvent {
			out = append(out, m.Event)
		}
	}
	return out
}

func sameIDs(t *testing.T, what string, got, want []eventstore.RecordedEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Position != want[i].Position {
			t.Errorf("%s: event %d is %s at %d, want %s at %d", what, i, got[i].ID, got[i].Position, want[i].ID, want[i].Position)
		}
	}
}

// The server going away drops the subscription; Next resubscribes from the
// last delivered event or checkpoint once it is back, and the events written
// meanwhile (by another instance, straight into the store) arrive once each,
// in order. A long outage also outlasts the client's discovery attempts,
// after which the client closes itself for good and the store must replace
// it. A filtered subscription resumes from a checkpoint past the events its
// filter skipped.
func TestASubscriptionResumesAfterTheServerRestartsWithoutGapsOrDuplicates(t *testing.T) {
	tests := []struct {
		name     string
		downtime time.Duration
		filter   eventstore.Filter
	}{
		{"a short outage", 300 * time.Millisecond, eventstore.Filter{}},
		{"an outage that outlasts the client's discovery", 3 * time.Second, eventstore.Filter{}},
		{"a filtered subscription", 300 * time.Millisecond, eventstore.Filter{Categories: []string{"case", "bundle"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testResume(t, tt.downtime, tt.filter) })
	}
}

func testResume(t *testing.T, downtime time.Duration, filter eventstore.Filter) {
	var log lockedBuffer
	s, ep := openThroughEndpoint(t, esdb.Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	ctx := t.Context()
	// Runs of events no filter above keeps, long enough for checkpoints.
	audit := func(from int) {
		for i := range 40 {
			if _, err := ep.Store.Append(ctx, fmt.Sprintf("audit-%d", from+i), eventstore.NoStream, events(1, "Logged")...); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.Append(ctx, "case-r", eventstore.NoStream, events(3, "Before")...); err != nil {
		t.Fatal(err)
	}
	audit(0)
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for m := next(t, sub); m.Kind != eventstore.MessageCaughtUp; m = next(t, sub) {
	}
	history, err := ep.Store.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}

	ep.Stop()
	audit(40)
	for i := range 2 {
		if _, err := ep.Store.Append(ctx, fmt.Sprintf("bundle-%d", i), eventstore.NoStream, events(2, "Meanwhile")...); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(downtime)
	ep.Restart()

	all, err := ep.Store.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := matching(all[len(history):], filter)
	sameIDs(t, "events written while the server was away", nextEvents(t, sub, len(want)), want)
	// For the filtered subscription the head is not an event it delivered
	// but the checkpoint it was given with CaughtUp.
	head := fmt.Sprintf("resubscribing\" after_position=%d ", history[len(history)-1].Position)
	if !strings.Contains(log.String(), head) {
		t.Errorf("no resubscription from the head was logged, want %q in:\n%s", head, log.String())
	}

	if _, err := s.Append(ctx, "case-r", eventstore.Exact(2), events(1, "After")...); err != nil {
		t.Fatalf("Append after the restart: %v", err)
	}
	after, _ := ep.Store.ReadAll(ctx, eventstore.ReadAllOptions{})
	sameIDs(t, "an event appended after the restart", nextEvents(t, sub, 1), after[len(all):])
}

func matching(events []eventstore.RecordedEvent, f eventstore.Filter) []eventstore.RecordedEvent {
	var out []eventstore.RecordedEvent
	for i := range events {
		if f.Matches(&events[i]) {
			out = append(out, events[i])
		}
	}
	return out
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestOpenFailsWhenTheServerCannotBeReached(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if s, err := esdb.Open(ctx, "esdb://"+addr+"?tls=false", esdb.Options{}); err == nil {
		s.Close()
		t.Fatal("Open succeeded with nothing listening")
	}
}

func TestOpenRefusesAMalformedConnectionString(t *testing.T) {
	for _, conn := range []string{"http://localhost:2113", "esdb://", "esdb://host:port:extra"} {
		if s, err := esdb.Open(t.Context(), conn, esdb.Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", conn)
		}
	}
}
