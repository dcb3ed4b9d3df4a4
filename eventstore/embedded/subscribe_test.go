package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// TestCloseEndsSubscriptions closes the store under a subscription waiting
// at the head and one still catching up: both end with ErrClosed, and Close
// does not wait for them.
func TestCloseEndsSubscriptions(t *testing.T) {
	ctx := context.Background()
	s, err := embedded.Open("/db", embedded.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 600 {
		MustAppend(t, s, fmt.Sprintf("case-%d", i%7), eventstore.Any, newEvent("Noted", i))
	}
	atHead, err := s.Subscribe(ctx, eventstore.SubscribeOptions{After: 600})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := atHead.Next(); err != nil || m.Kind != eventstore.MessageCaughtUp {
		t.Fatalf("first message at the head: %+v, %v; want caught up", m, err)
	}
	behind, err := s.Subscribe(ctx, eventstore.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := behind.Next(); err != nil || m.Event.Position != 1 {
		t.Fatalf("first message from the start: %+v, %v; want position 1", m, err)
	}
	waiting := make(chan error, 1)
	go func() {
		_, err := atHead.Next()
		waiting <- err
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-waiting; !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("subscription waiting at the head: got %v, want ErrClosed", err)
	}
	if _, err := behind.Next(); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("subscription catching up: got %v, want ErrClosed", err)
	}
	if _, err := s.Subscribe(ctx, eventstore.SubscribeOptions{}); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("subscribe after close: got %v, want ErrClosed", err)
	}
	for _, sub := range []eventstore.Subscription{atHead, behind} {
		if err := sub.Close(); err != nil {
			t.Fatalf("closing a subscription of a closed store: %v", err)
		}
	}
}

// TestFilteredSubscriptionReportsCheckpoints subscribes to a category with
// no events among many: before it is caught up it reports how far it has
// looked, so a consumer can store its progress.
func TestFilteredSubscriptionReportsCheckpoints(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t, vfs.NewMem(), "/db")
	const n = 10_000
	events := make([]eventstore.EventData, 100)
	for i := 0; i < n; i += len(events) {
		for j := range events {
			events[j] = newEvent("Noted", i+j)
		}
		MustAppend(t, s, fmt.Sprintf("case-%d", i), eventstore.NoStream, events...)
	}
	MustAppend(t, s, "notice-1", eventstore.NoStream, newEvent("Sent", 0))
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Filter: eventstore.Filter{Categories: []string{"notice"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var checkpoints []uint64
	for {
		m, err := sub.Next()
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind == eventstore.MessageCheckpoint {
			checkpoints = append(checkpoints, m.Position)
			continue
		}
		if m.Kind != eventstore.MessageEvent || m.Event.Stream != "notice-1" || m.Position != n+1 {
			t.Fatalf("got %+v, want the notice event at %d", m, n+1)
		}
		break
	}
	if len(checkpoints) == 0 {
		t.Fatalf("no checkpoint while skipping %d events", n)
	}
	for i, p := range checkpoints {
		if p > n || (i > 0 && p <= checkpoints[i-1]) {
			t.Fatalf("checkpoints %v do not advance within the skipped events", checkpoints)
		}
	}
	if m, err := sub.Next(); err != nil || m.Kind != eventstore.MessageCaughtUp || m.Position != n+1 {
		t.Fatalf("after the event: %+v, %v; want caught up at %d", m, err, n+1)
	}
}
