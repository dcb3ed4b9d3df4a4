package embedded_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// gateClock is a store clock that can hold the writer: the writer reads the
// clock once per group, so while it is held, appends pile up in the queue
// and the next group takes them all. Each reading is one millisecond after
// the last, so events of one group share a recorded-at time and events of
// different groups do not.
type gateClock struct {
	mu      sync.Mutex
	now     time.Time
	hold    chan struct{} // non-nil: the next reading waits for it
	entered chan struct{}
}

func newGateClock() *gateClock {
	return &gateClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *gateClock) Now() time.Time {
	c.mu.Lock()
	hold, entered := c.hold, c.entered
	c.hold = nil
	c.now = c.now.Add(time.Millisecond)
	now := c.now
	c.mu.Unlock()
	if hold != nil {
		close(entered)
		<-hold
	}
	return now
}

// holdNext makes the next reading wait until the returned release is
// called; entered is closed once the writer is held.
func (c *gateClock) holdNext() (entered <-chan struct{}, release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hold := make(chan struct{})
	c.hold, c.entered = hold, make(chan struct{})
	return c.entered, func() { close(hold) }
}

// inOneGroup holds the writer with a first append, starts appends (each
// returning its error), gives them time to queue, and releases the writer,
// so that the queued appends form the next group. It returns each append's
// error; recorded-at times tell which appends shared a group.
func inOneGroup(t *testing.T, s *embedded.Store, clock *gateClock, appends []func() error) []error {
	t.Helper()
	entered, release := clock.holdNext()
	first := make(chan error, 1)
	go func() {
		_, err := s.Append(context.Background(), "case-gate", eventstore.Any, newEvent("Held", 0))
		first <- err
	}()
	<-entered
	errs := make([]error, len(appends))
	var wg sync.WaitGroup
	for i, f := range appends {
		wg.Go(func() { errs[i] = f() })
	}
	// Only a wait gives the goroutines the chance to queue; should some
	// not make it, the caller sees it in the recorded-at times.
	time.Sleep(50 * time.Millisecond)
	release()
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatalf("holding append: %v", err)
	}
	return errs
}

func TestGroupCommitAppendsToOneStreamSeeEachOther(t *testing.T) {
	ctx := context.Background()
	clock := newGateClock()
	s, err := embedded.Open("/db", embedded.Options{FS: vfs.NewMem(), Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 20
	appends := make([]func() error, 0, 2*n)
	for i := range n {
		// Each stream gets n appends that all expect it new: exactly
		// one may win, and only if the others see its events.
		appends = append(appends, func() error {
			_, err := s.Append(ctx, "case-new", eventstore.NoStream, newEvent("Filed", i))
			return err
		}, func() error {
			_, err := s.Append(ctx, "case-any", eventstore.Any, newEvent("Noted", i), newEvent("Noted", i))
			return err
		})
	}
	errs := inOneGroup(t, s, clock, appends)
	won := 0
	for i, err := range errs {
		switch {
		case i%2 == 1 && err != nil:
			t.Fatalf("append with Any failed: %v", err)
		case i%2 == 0 && err == nil:
			won++
		case i%2 == 0 && !errors.Is(err, eventstore.ErrWrongVersion):
			t.Fatalf("losing NoStream append: got %v, want ErrWrongVersion", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d NoStream appends to one stream succeeded, want 1", won)
	}
	all := MustReadAll(t, s)
	checkLog(t, all)
	if got, want := largestGroup(all, "case-any"), 4; got < want {
		t.Fatalf("at most %d events of case-any were committed in one group, want at least %d: the test did not group appends", got, want)
	}
}

func TestGroupCommitFailedAppendsDoNotFailTheirGroup(t *testing.T) {
	ctx := context.Background()
	clock := newGateClock()
	s, err := embedded.Open("/db", embedded.Options{FS: vfs.NewMem(), Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recorded := newEvent("Filed", 0)
	MustAppend(t, s, "case-old", eventstore.NoStream, recorded)
	reused := newEvent("Filed", 1)
	reused.ID = recorded.ID
	cancelled, cancel := context.WithCancel(ctx)
	tests := []struct {
		name   string
		append func() error
		want   error
	}{
		{"good", func() error { return appendErr(ctx, s, "case-a", eventstore.NoStream) }, nil},
		{"wrong version", func() error { return appendErr(ctx, s, "case-old", eventstore.Exact(7)) }, eventstore.ErrWrongVersion},
		{"good after a failure", func() error { return appendErr(ctx, s, "case-old", eventstore.Exact(0)) }, nil},
		{"reused ID", func() error {
			_, err := s.Append(ctx, "case-b", eventstore.NoStream, reused)
			return err
		}, eventstore.ErrDuplicateEventID},
		{"cancelled before it is queued", func() error {
			// The writer is held, so this append still waits to
			// be handed over when its context ends.
			go func() { time.Sleep(10 * time.Millisecond); cancel() }()
			return appendErr(cancelled, s, "case-c", eventstore.NoStream)
		}, context.Canceled},
		{"good at the end", func() error { return appendErr(ctx, s, "case-d", eventstore.NoStream) }, nil},
	}
	appends := make([]func() error, len(tests))
	for i := range tests {
		appends[i] = tests[i].append
	}
	errs := inOneGroup(t, s, clock, appends)
	for i, tc := range tests {
		if got := errs[i]; !errors.Is(got, tc.want) || (tc.want == nil && got != nil) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	all := MustReadAll(t, s)
	checkLog(t, all)
	// The good appends were committed together, around the failures.
	at := map[string]time.Time{}
	for _, e := range all {
		if e.Stream != "case-old" || e.Version == 1 {
			at[e.Stream] = e.RecordedAt
		}
	}
	if !at["case-a"].Equal(at["case-old"]) || !at["case-a"].Equal(at["case-d"]) {
		t.Fatalf("good appends recorded at %v: the test did not group them", at)
	}
	if _, err := s.ReadStream(ctx, "case-c", eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("the cancelled append left case-c: %v", err)
	}
}

func appendErr(ctx context.Context, s *embedded.Store, stream string, expected eventstore.ExpectedVersion) error {
	_, err := s.Append(ctx, stream, expected, newEvent("Noted", 0))
	return err
}

// largestGroup returns how many events of stream share one recorded-at
// time, at most: with gateClock, how many were committed in one group.
func largestGroup(events []eventstore.RecordedEvent, stream string) int {
	count := map[time.Time]int{}
	most := 0
	for _, e := range events {
		if e.Stream == stream {
			count[e.RecordedAt]++
			most = max(most, count[e.RecordedAt])
		}
	}
	return most
}

// TestAppendCancelledInTheWriterRecordsNothing cancels an append after the
// writer took it but before it was prepared: the writer drops it.
func TestAppendCancelledInTheWriterRecordsNothing(t *testing.T) {
	ctx := context.Background()
	clock := newGateClock()
	s, err := embedded.Open("/db", embedded.Options{FS: vfs.NewMem(), Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entered, release := clock.holdNext()
	cancelled, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- appendErr(cancelled, s, "case-1", eventstore.NoStream) }()
	<-entered // the writer holds the append in the group it prepares
	cancel()
	release()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if _, err := s.ReadStream(ctx, "case-1", eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("read after the cancelled append: got %v, want ErrStreamNotFound", err)
	}
	// The store goes on: the next append takes position 1.
	if res := MustAppend(t, s, "case-1", eventstore.NoStream, newEvent("Filed", 1)); res.FirstPosition != 1 {
		t.Fatalf("next append at position %d, want 1", res.FirstPosition)
	}
}
