package projections_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/google/uuid"
)

// tally keeps one decoded counter per stream with SetObject, changing it in
// place as read models do, while Reset and Removed replace the stored bytes
// with Set and Delete. An object kept from an earlier batch that survived a
// Set or Delete of its key would bring the old count back.
type tally struct{}

func (tally) Name() string              { return "tally" }
func (tally) Version() int              { return 1 }
func (tally) Filter() eventstore.Filter { return eventstore.Filter{} }
func (tally) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	key := []byte("tally/" + e.Stream)
	switch e.Type {
	case "Reset":
		return tx.Set(key, binary.BigEndian.AppendUint64(nil, 1000))
	case "Removed":
		return tx.Delete(key)
	}
	var data struct{ Amount uint64 }
	if err := json.Unmarshal(e.Data, &data); err != nil {
		return err
	}
	return addObject(tx, key, data.Amount)
}

// mustTallyHistory appends n events over streams and returns the counts a
// correct fold ends with, as the bytes tally stores.
func mustTallyHistory(tb testing.TB, store eventstore.Store, streams, n int) map[string]string {
	tb.Helper()
	want := map[string]uint64{}
	for i := range n {
		stream := "case-" + strconv.Itoa(i%streams)
		typ := "Added"
		switch i % 11 {
		case 5:
			typ = "Reset"
		case 9:
			typ = "Removed"
		}
		amount := uint64(i%7 + 1)
		_, err := store.Append(context.Background(), stream, eventstore.Any, eventstore.EventData{
			ID: uuid.New(), Type: typ, Data: json.RawMessage(fmt.Sprintf(`{"Amount":%d}`, amount)),
		})
		if err != nil {
			tb.Fatal(err)
		}
		switch typ {
		case "Reset":
			want[stream] = 1000
		case "Removed":
			delete(want, stream)
		default:
			want[stream] += amount
		}
	}
	out := map[string]string{}
	for stream, v := range want {
		out["tally/"+stream] = string(binary.BigEndian.AppendUint64(nil, v))
	}
	return out
}

func TestObjectsKeptAcrossBatchesStoreTheFold(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	// 13 streams against 11 event kinds: every stream sees every kind, and a
	// stream comes back a few events later, in a later batch when batches
	// are small.
	want := mustTallyHistory(t, store, 13, 600)
	tests := []struct {
		name      string
		batchSize int
	}{
		{"one event per batch", 1},
		{"a stream returns in a later batch", 7},
		{"a stream returns in the same batch", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustReplayState(t, store, tally{}, projections.ReplayOptions{BatchSize: tt.batchSize})
			if !maps.Equal(got, want) {
				t.Errorf("state differs from the fold:\ngot  %q\nwant %q", got, want)
			}
		})
	}
}

func TestRunnerKeepsObjectsAcrossLiveBatches(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	r := MustOpen(t, store, t.TempDir(), projections.Options{BatchSize: 3}, tally{})
	want := mustTallyHistory(t, store, 5, 200)
	pos, err := store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	MustWait(t, r, "tally", pos)
	got := dump(t, func(fn func(*projections.View) error) error { return r.Read(context.Background(), "tally", pos, fn) })
	if !maps.Equal(got, want) {
		t.Errorf("state differs from the fold:\ngot  %q\nwant %q", got, want)
	}
}

// spread keeps one decoded counter per key named by the event, so that a
// history in few streams touches more keys than a folder caches or a batch
// holds. Every 13th event overwrites its key with Set instead.
type spread struct{}

func (spread) Name() string              { return "spread" }
func (spread) Version() int              { return 1 }
func (spread) Filter() eventstore.Filter { return eventstore.Filter{} }
func (spread) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	var data struct{ K, Amount uint64 }
	if err := json.Unmarshal(e.Data, &data); err != nil {
		return err
	}
	key := []byte("spread/" + strconv.FormatUint(data.K, 10))
	if e.Position%13 == 0 {
		return tx.Set(key, binary.BigEndian.AppendUint64(nil, 1000))
	}
	return addObject(tx, key, data.Amount)
}

// mustSpreadHistory appends two rounds over keys, in a scrambled order, and
// returns the state a correct fold ends with.
func mustSpreadHistory(tb testing.TB, store eventstore.Store, keys int) map[string]string {
	tb.Helper()
	want := map[string]uint64{}
	batch := make([]eventstore.EventData, 0, 500)
	pos := uint64(0)
	for i := range 2 * keys {
		k := i * 7919 % keys
		amount := i%5 + 1
		batch = append(batch, eventstore.EventData{ID: uuid.New(), Type: "Added",
			Data: json.RawMessage(fmt.Sprintf(`{"K":%d,"Amount":%d}`, k, amount))})
		name := "spread/" + strconv.Itoa(k)
		if pos++; pos%13 == 0 {
			want[name] = 1000
		} else {
			want[name] += uint64(amount)
		}
		if len(batch) == cap(batch) || i == 2*keys-1 {
			if _, err := store.Append(context.Background(), "s-"+strconv.Itoa(i), eventstore.Any, batch...); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	out := map[string]string{}
	for k, v := range want {
		out[k] = string(binary.BigEndian.AppendUint64(nil, v))
	}
	return out
}

func TestMoreObjectsThanCachedOrBatchedStoreTheFold(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	// More keys than a folder caches (16k) or a batch holds, so objects are
	// evicted, their entries reused for other keys, and one batch of every
	// event is committed in parts.
	const keys = 20_000
	want := mustSpreadHistory(t, store, keys)
	tests := []struct {
		name      string
		batchSize int
		// minCommits is the least number of commits: a batch is cut short
		// once it holds a bounded number of objects.
		minCommits int
	}{
		{"objects come back after eviction", 1000, 2 * keys / 1000},
		{"one batch of every event", 1 << 20, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			commits := 0
			got := mustReplayState(t, store, spread{},
				projections.ReplayOptions{BatchSize: tt.batchSize, Progress: func(projections.Progress) { commits++ }})
			if !maps.Equal(got, want) {
				t.Errorf("state differs from the fold in %d of %d keys", diffCount(got, want), len(want))
			}
			if commits < tt.minCommits {
				t.Errorf("%d commits, want at least %d", commits, tt.minCommits)
			}
		})
	}
}

func diffCount(got, want map[string]string) int {
	n := 0
	for k, v := range want {
		if got[k] != v {
			n++
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			n++
		}
	}
	return n
}
