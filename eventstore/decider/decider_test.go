package decider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/decider"
)

// counter is a tiny domain: a stream of "added" events whose state is the
// running total. Decisions refuse to go above a limit, so a decision depends
// on the state and a stale state would be visible.
type added struct {
	N int `json:"n"`
}

type total struct {
	Sum, Count int
}

var errOverLimit = errors.New("over limit")

func counterLoop(store eventstore.Store, attempts int) *decider.Loop[total, added] {
	return &decider.Loop[total, added]{
		Store:  store,
		Evolve: func(s total, e added) total { return total{Sum: s.Sum + e.N, Count: s.Count + 1} },
		Decode: func(r *eventstore.RecordedEvent) (e added, err error) { return e, json.Unmarshal(r.Data, &e) },
		Encode: func(e added) (eventstore.EventData, error) {
			b, err := json.Marshal(e)
			return eventstore.EventData{Type: "added", Data: b}, err
		},
		MaxAttempts: attempts,
	}
}

func add(stream string, id uuid.UUID, n, limit int) decider.Command[total, added] {
	return decider.Command[total, added]{
		Stream:  stream,
		EventID: decider.IDsFrom(id),
		Decide: func(s total, _ decider.Head) ([]added, error) {
			if s.Sum+n > limit {
				return nil, errOverLimit
			}
			return []added{{N: n}}, nil
		},
	}
}

func TestRunDecidesOnTheFoldedStateAndAppendsAtTheExactVersion(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	loop := counterLoop(store, 0)
	tests := []struct {
		name      string
		n         int
		wantErr   error
		wantSum   int
		wantHead  decider.Head
		wantCount int
	}{
		{name: "first command creates the stream", n: 3, wantSum: 3, wantHead: decider.Head{Version: 0, Position: 1, Exists: true}},
		{name: "second command sees the first", n: 4, wantSum: 7, wantHead: decider.Head{Version: 1, Position: 2, Exists: true}},
		{name: "refusal records nothing", n: 4, wantErr: errOverLimit},
		{name: "later command continues", n: 1, wantSum: 8, wantHead: decider.Head{Version: 2, Position: 3, Exists: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := loop.Run(ctx, add("counter-1", uuid.New(), tt.n, 10))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if got, want := res.State.Sum, tt.wantSum; got != want {
				t.Errorf("state sum = %d, want %d", got, want)
			}
			if got, want := res.Head, tt.wantHead; got != want {
				t.Errorf("head = %+v, want %+v", got, want)
			}
			if got, want := len(res.Events), 1; got != want {
				t.Fatalf("events = %d, want %d", got, want)
			}
			if got, want := res.Events[0].Version, tt.wantHead.Version; got != want {
				t.Errorf("event version = %d, want %d", got, want)
			}
		})
	}
}

func TestRunWithTheSameCommandIDReturnsTheFirstOutcome(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	loop := counterLoop(store, 0)
	id := uuid.New()
	first, err := loop.Run(ctx, add("counter-1", id, 2, 10))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loop.Run(ctx, add("counter-1", uuid.New(), 5, 10)); err != nil {
		t.Fatal(err)
	}
	// The retry would now be refused (2+5+2 is fine, so use a tight limit to
	// prove the decision is not taken again).
	again, err := loop.Run(ctx, add("counter-1", id, 2, 1))
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if !again.Replayed {
		t.Errorf("retry Replayed = false, want true")
	}
	if got, want := again.Head, first.Head; got != want {
		t.Errorf("retry head = %+v, want the first %+v", got, want)
	}
	if got, want := again.State.Sum, 2; got != want {
		t.Errorf("retry state sum = %d, want the state right after the first (%d)", got, want)
	}
	if got, want := again.Events[0].ID, decider.IDsFrom(id)(0); got != want {
		t.Errorf("retry event ID = %s, want %s", got, want)
	}
	all := mustRead(t, store, "counter-1")
	if got, want := len(all), 2; got != want {
		t.Errorf("stream length = %d, want %d (the retry recorded nothing)", got, want)
	}
}

func TestRunRetriesWhenAnotherWriterGetsInFirst(t *testing.T) {
	tests := []struct {
		name         string
		interleaved  int // appends slipped in by a rival writer
		attempts     int
		wantErr      error
		wantAttempts int
	}{
		{name: "one conflict is retried", interleaved: 1, attempts: 3, wantAttempts: 2},
		{name: "conflicts up to the bound are retried", interleaved: 2, attempts: 3, wantAttempts: 3},
		{name: "conflicts beyond the bound fail", interleaved: 3, attempts: 3, wantErr: decider.ErrTooManyConflicts, wantAttempts: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store := newStore(t)
			loop := counterLoop(store, tt.attempts)
			rival := counterLoop(store, 1)
			slipped := 0
			cmd := add("counter-1", uuid.New(), 1, 100)
			decide := cmd.Decide
			cmd.Decide = func(s total, h decider.Head) ([]added, error) {
				if slipped < tt.interleaved {
					slipped++
					if _, err := rival.Run(ctx, add("counter-1", uuid.New(), 10, 100)); err != nil {
						t.Fatalf("rival: %v", err)
					}
				}
				return decide(s, h)
			}
			res, err := loop.Run(ctx, cmd)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, eventstore.ErrWrongVersion) {
					t.Errorf("error %v does not wrap ErrWrongVersion", err)
				}
				if got, want := len(mustRead(t, store, "counter-1")), tt.interleaved; got != want {
					t.Errorf("stream length = %d, want %d (only the rival's)", got, want)
				}
				return
			}
			if got, want := res.Attempts, tt.wantAttempts; got != want {
				t.Errorf("attempts = %d, want %d", got, want)
			}
			if got, want := res.State.Sum, 10*tt.interleaved+1; got != want {
				t.Errorf("state sum = %d, want %d (decided on the latest state)", got, want)
			}
		})
	}
}

func TestConcurrentCommandsOnOneStreamAllSucceedOrFailAfterTheBound(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	const writers, perWriter, attempts = 8, 5, 64
	loop := counterLoop(store, attempts)
	var wg sync.WaitGroup
	var mu sync.Mutex
	succeeded, exhausted := 0, 0
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				_, err := loop.Run(ctx, add("counter-hot", uuid.New(), 1, 1<<30))
				mu.Lock()
				switch {
				case err == nil:
					succeeded++
				case errors.Is(err, decider.ErrTooManyConflicts):
					exhausted++
				default:
					t.Errorf("Run: %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if got, want := succeeded+exhausted, writers*perWriter; got != want {
		t.Fatalf("outcomes = %d, want %d", got, want)
	}
	events := mustRead(t, store, "counter-hot")
	if got, want := len(events), succeeded; got != want {
		t.Errorf("recorded events = %d, want one per successful command (%d)", got, want)
	}
	for i := range events {
		if got, want := events[i].Version, uint64(i); got != want {
			t.Fatalf("event %d has version %d, want %d (no gaps)", i, got, want)
		}
	}
}

func TestRunWithNoDecidedEventsRecordsNothing(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	loop := counterLoop(store, 0)
	res, err := loop.Run(ctx, decider.Command[total, added]{
		Stream: "counter-1",
		Decide: func(total, decider.Head) ([]added, error) { return nil, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Head, (decider.Head{}); got != want {
		t.Errorf("head = %+v, want %+v", got, want)
	}
	if _, err := store.ReadStream(ctx, "counter-1", eventstore.ReadStreamOptions{}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Errorf("ReadStream error = %v, want ErrStreamNotFound", err)
	}
}

func TestIDsFromIsStablePerCommandAndIndex(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	tests := []struct {
		name string
		x, y uuid.UUID
		same bool
	}{
		{"same command and index", decider.IDsFrom(a)(0), decider.IDsFrom(a)(0), true},
		{"other index", decider.IDsFrom(a)(0), decider.IDsFrom(a)(1), false},
		{"other command", decider.IDsFrom(a)(0), decider.IDsFrom(b)(0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.x == tt.y, tt.same; got != want {
				t.Errorf("%s == %s is %v, want %v", tt.x, tt.y, got, want)
			}
		})
	}
}

func mustRead(tb testing.TB, store eventstore.Store, stream string) []eventstore.RecordedEvent {
	tb.Helper()
	events, err := store.ReadStream(context.Background(), stream, eventstore.ReadStreamOptions{})
	if err != nil {
		tb.Fatal(fmt.Errorf("read %s: %w", stream, err))
	}
	return events
}

func TestTwinCommandsRacingRecordOnce(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	loop := counterLoop(store, 0)
	id := uuid.New()
	const twins = 4
	results := make([]decider.Result[total, added], twins)
	errs := make([]error, twins)
	var wg sync.WaitGroup
	for i := range twins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = loop.Run(ctx, add("counter-1", id, 1, 100))
		}()
	}
	wg.Wait()
	for i := range twins {
		if errs[i] != nil {
			t.Fatalf("twin %d: %v", i, errs[i])
		}
		if got, want := results[i].Head, results[0].Head; got != want {
			t.Errorf("twin %d head = %+v, want %+v (every twin answers the one outcome)", i, got, want)
		}
	}
	if got, want := len(mustRead(t, store, "counter-1")), 1; got != want {
		t.Errorf("stream length = %d, want %d", got, want)
	}
}
