package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/google/uuid"
)

// recorder is a DomainProjection that counts case events and remembers the
// decoded event it was handed at each position.
type recorder struct {
	name string
	mu   sync.Mutex
	seen map[uint64]domain.Event
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, seen: map[uint64]domain.Event{}}
}

func (r *recorder) Name() string            { return r.name }
func (*recorder) Version() int              { return 1 }
func (*recorder) Filter() eventstore.Filter { return eventstore.Filter{Categories: []string{"case"}} }
func (r *recorder) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	ev, err := domain.DecodeRecorded(*e)
	if err != nil {
		return err
	}
	return r.ApplyEvent(tx, e, ev)
}

func (r *recorder) ApplyEvent(tx *projections.Tx, e *eventstore.RecordedEvent, ev domain.Event) error {
	r.mu.Lock()
	r.seen[e.Position] = ev
	r.mu.Unlock()
	return add(tx, []byte("total"), 1)
}

func (r *recorder) at(pos uint64) domain.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[pos]
}

func mustCaseHistory(tb testing.TB, store eventstore.Store, cases int) uint64 {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	return projectiontest.MustAppend(tb, store, projectiontest.MustGenerate(tb, cfg))
}

// unreadySubs hides what a store's subscriptions implement beyond
// eventstore.Subscription (Readier, Recycler), so that the runner takes the
// way it takes for any backend.
type unreadySubs struct{ eventstore.Store }

func (s unreadySubs) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	sub, err := s.Store.Subscribe(ctx, opts)
	if err != nil {
		return nil, err
	}
	return struct{ eventstore.Subscription }{sub}, nil
}

func TestDomainProjectionsShareOneDecodingOfEachEvent(t *testing.T) {
	for _, tt := range []struct {
		name  string
		store func(eventstore.Store) eventstore.Store
	}{
		{"a subscription that says when it is ready", func(s eventstore.Store) eventstore.Store { return s }},
		{"a plain subscription", func(s eventstore.Store) eventstore.Store { return unreadySubs{s} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := MustStore(t, embedded.Options{})
			mustCaseHistory(t, store, 20)
			a, b := newRecorder("a"), newRecorder("b")
			r := MustOpen(t, tt.store(store), t.TempDir(), projections.Options{}, a, b, &counter{name: "plain", version: 1})
			defer r.Close()
			// Live events after the history: the feed waits for them.
			head := mustCaseHistory(t, store, 5)
			for _, name := range []string{"a", "b", "plain"} {
				MustWait(t, r, name, head)
			}
			evs, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				got, want := a.at(e.Position), b.at(e.Position)
				if got == nil || got != want {
					t.Fatalf("position %d: a got %p, b got %p; want the same decoded event", e.Position, got, want)
				}
				if got, want := got.Type(), e.Type; got != want {
					t.Fatalf("position %d: decoded a %s, want %s", e.Position, got, want)
				}
			}
			if got, _ := MustTotal(t, r, "plain", head); got != head {
				t.Errorf("the plain projection folded %d events, want %d", got, head)
			}
		})
	}
}

func TestUndecodableEventStopsOnlyTheDomainProjections(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	mustCaseHistory(t, store, 3)
	// Valid JSON that is no CaseSubmitted: history is fact, so the decoder
	// fails and the projections that decode it must stop there.
	bad, err := store.Append(context.Background(), "case-"+uuid.NewString(), eventstore.NoStream, eventstore.EventData{
		ID: uuid.New(), Type: (*domain.CaseSubmitted)(nil).Type(), Data: json.RawMessage(`{"bundle":5}`)})
	if err != nil {
		t.Fatal(err)
	}
	head := mustCaseHistory(t, store, 2)

	for _, tt := range []struct {
		name string
		open func(dir string) (func() error, func(name string) error)
	}{
		{"runner", func(dir string) (func() error, func(string) error) {
			r := MustOpen(t, store, dir, projections.Options{}, newRecorder("decoded"), &counter{name: "plain", version: 1})
			return r.Close, func(name string) error {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				return r.WaitFor(ctx, name, head)
			}
		}},
		{"replay", func(dir string) (func() error, func(string) error) {
			return func() error { return nil }, func(name string) error {
				var p projections.Projection = newRecorder(name)
				if name == "plain" {
					p = &counter{name: name, version: 1}
				}
				c, err := projections.Replay(context.Background(), store, p, dir+"/"+name, projections.ReplayOptions{})
				if err == nil {
					c.Close()
				}
				return err
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			closeFn, wait := tt.open(t.TempDir())
			defer closeFn()
			if err := wait("plain"); err != nil {
				t.Errorf("the plain projection: %v, want it at the head", err)
			}
			err := wait("decoded")
			var ae *projections.ApplyError
			if !errors.As(err, &ae) {
				t.Fatalf("the decoding projection: %v, want an ApplyError", err)
			}
			if got, want := ae.Position, bad.LastPosition; got != want {
				t.Errorf("it failed at position %d, want %d", got, want)
			}
		})
	}
}

func TestCatchingUpCommitsFullBatches(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	const events, batch = 2000, 50
	pos := MustAppend(t, store, 7, events, "Noted")
	r := MustOpen(t, store, t.TempDir(), projections.Options{BatchSize: batch}, &counter{name: "counter", version: 1})
	defer r.Close()
	MustWait(t, r, "counter", pos)

	// The rebuilt copy reads a log it is far behind, so its feed is often
	// momentarily behind it too; that must not end its batches early.
	var commits int
	if err := r.Rebuild(context.Background(), "counter", func(projections.Progress) { commits++ }); err != nil {
		t.Fatal(err)
	}
	// One commit per full batch, and one for the caught-up message.
	if got, want := commits, events/batch+1; got > want {
		t.Errorf("the rebuild committed %d times, want at most %d", got, want)
	}
	if got, _ := MustTotal(t, r, "counter", pos); got != events {
		t.Errorf("the rebuilt copy counted %d events, want %d", got, events)
	}
}
