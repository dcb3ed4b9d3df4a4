package storetest

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
)

// testSubscriptionLifetime pins down how a subscription ends (rule 10 and
// Subscription's documentation).
func (su *suite) testSubscriptionLifetime(t *testing.T) {
	t.Run("cancelling the context ends a blocked Next with the context error", su.testCancelBlockedNext)
	t.Run("cancelling the context ends Next even with events pending", su.testCancelPendingNext)
	t.Run("Close ends a blocked Next with ErrClosed and may be repeated", su.testCloseBlockedNext)
	t.Run("closing the store ends Next with ErrClosed", su.testStoreCloseEndsNext)
	t.Run("ended subscriptions leave no goroutines behind", su.testNoGoroutineLeak)
}

// blockedNext starts a subscription on a store with history, reads it up to
// CaughtUp and starts a Next that has nothing to deliver.
func blockedNext(h *harness) (*subReader, <-chan error) {
	h.t.Helper()
	h.mustAppend(stream("case"), eventstore.NoStream, h.events(3, "Noted")...)
	r := h.subscribe(eventstore.SubscribeOptions{})
	r.catchUp()
	done := r.nextAsync()
	// Give Next a moment to block; the test holds whether or not it has.
	time.Sleep(10 * time.Millisecond)
	return r, done
}

func (su *suite) testCancelBlockedNext(t *testing.T) {
	h := su.open(t)
	r, done := blockedNext(h)
	r.cancel()
	if err := await(t, done, "cancelling the context"); !errors.Is(err, context.Canceled) {
		t.Fatalf("blocked Next = %v, want context.Canceled", err)
	}
	if _, err := r.sub.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancellation = %v, want context.Canceled", err)
	}
}

func (su *suite) testCancelPendingNext(t *testing.T) {
	h := su.open(t)
	h.mustAppend(stream("case"), eventstore.NoStream, h.events(5, "Noted")...)
	r := h.subscribe(eventstore.SubscribeOptions{})
	r.events(1)
	r.cancel()
	if _, err := r.sub.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancellation with 4 events pending = %v, want context.Canceled", err)
	}
}

func (su *suite) testCloseBlockedNext(t *testing.T) {
	h := su.open(t)
	r, done := blockedNext(h)
	if err := r.sub.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := await(t, done, "Close"); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("blocked Next = %v, want ErrClosed", err)
	}
	if _, err := r.sub.Next(); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("Next after Close = %v, want ErrClosed", err)
	}
	if err := r.sub.Close(); err != nil && !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("second Close = %v, want nil or ErrClosed", err)
	}
}

func (su *suite) testStoreCloseEndsNext(t *testing.T) {
	h := su.open(t)
	r, done := blockedNext(h)
	h.closeStore()
	if err := await(t, done, "closing the store"); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("blocked Next = %v, want ErrClosed", err)
	}
	if _, err := r.sub.Next(); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("Next after the store closed = %v, want ErrClosed", err)
	}
}

// testNoGoroutineLeak ends subscriptions every way they can end, idle and
// blocked in Next, and then waits, boundedly, for the goroutine count to
// return to what it was.
func (su *suite) testNoGoroutineLeak(t *testing.T) {
	h := su.open(t)
	h.mustAppend(stream("case"), eventstore.NoStream, h.events(3, "Noted")...)
	// A first subscription lets the store start whatever it shares between
	// subscriptions, which is not a leak.
	warm := h.subscribe(eventstore.SubscribeOptions{})
	warm.catchUp()
	warm.sub.Close()
	warm.cancel()
	before := runtime.NumGoroutine()

	ends := []struct {
		name    string
		blocked bool
		end     func(*subReader)
	}{
		{"idle, cancelled", false, func(r *subReader) { r.cancel() }},
		{"idle, closed", false, func(r *subReader) { r.sub.Close() }},
		{"blocked, cancelled", true, func(r *subReader) { r.cancel() }},
		{"blocked, closed", true, func(r *subReader) { r.sub.Close() }},
	}
	for range 5 {
		for _, e := range ends {
			r := h.subscribe(eventstore.SubscribeOptions{})
			r.catchUp()
			var done <-chan error
			if e.blocked {
				done = r.nextAsync()
			}
			e.end(r)
			if done != nil {
				if err := await(t, done, e.name); err == nil {
					t.Fatalf("%s: Next returned no error", e.name)
				}
			}
		}
	}

	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > before {
		var dump bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&dump, 1)
		t.Errorf("%d goroutines after ending 20 subscriptions, want at most the %d before:\n%s", got, before, dump.String())
	}
}
