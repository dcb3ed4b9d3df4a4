package projections_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
)

// summary is a projection that exercises every Tx operation: per-stream
// records that are updated, deleted and re-created, per-type counters, and
// scans that must see the batch's own uncommitted writes.
type summary struct{ version int }

func (summary) Name() string              { return "summary" }
func (s summary) Version() int            { return s.version }
func (summary) Filter() eventstore.Filter { return eventstore.Filter{Categories: []string{"case"}} }
func (summary) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	var data struct{ Amount int }
	if err := json.Unmarshal(e.Data, &data); err != nil {
		return err
	}
	// Per-type counters stay decoded in the batch (Tx.SetObject).
	if err := addObject(tx, []byte("type/"+e.Type), 1); err != nil {
		return err
	}
	key := []byte("stream/" + e.Stream)
	switch e.Type {
	case "Opened":
		// A scan must see the counters still pending in the batch.
		var sum uint64
		if err := tx.Scan([]byte("type/"), func(_, v []byte) error { sum += binary.BigEndian.Uint64(v); return nil }); err != nil {
			return err
		}
		if err := tx.Set([]byte("types-at/"+e.Stream), fmt.Appendf(nil, "%d", sum)); err != nil {
			return err
		}
	case "Closed":
		if err := tx.Delete(key); err != nil {
			return err
		}
		return tx.Set([]byte("closed/"+e.Stream), binary.BigEndian.AppendUint64(nil, e.Position))
	case "Noted":
		open := 0
		if err := tx.Scan([]byte("stream/"), func(_, _ []byte) error { open++; return nil }); err != nil {
			return err
		}
		if err := tx.Set([]byte("open-at/"+e.Stream), fmt.Appendf(nil, "%d", open)); err != nil {
			return err
		}
	}
	return add(tx, key, uint64(data.Amount))
}

// dump returns every key and value of a view.
func dump(tb testing.TB, read func(func(*projections.View) error) error) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := read(func(v *projections.View) error {
		return v.Scan(nil, func(k, val []byte) error {
			out[string(k)] = string(val)
			return nil
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestRebuildEqualsIncrementalWithRandomRestarts(t *testing.T) {
	events := 3000
	if testing.Short() {
		events = 1000
	}
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			store := MustStore(t, embedded.Options{})
			dir := t.TempDir()
			h := newHistory(store, seed)
			rng := rand.New(rand.NewPCG(seed, 7))
			batchSizes := []int{1, 3, 50, 1000}

			var r *projections.Runner
			var head uint64
			for appended := 0; appended < events; {
				if r == nil {
					var err error
					opts := projections.Options{BatchSize: batchSizes[rng.IntN(len(batchSizes))]}
					if r, err = projections.Open(store, dir, opts, summary{version: 1}); err != nil {
						t.Fatal(err)
					}
				}
				n := min(1+rng.IntN(400), events-appended)
				head = h.append(t, n)
				appended += n
				// Restart at a random point: sometimes right after the
				// append, with the runner part-way through it.
				switch rng.IntN(3) {
				case 0:
					MustWait(t, r, "summary", head)
					fallthrough
				case 1:
					if err := r.Close(); err != nil {
						t.Fatal(err)
					}
					r = nil
				}
			}
			if r == nil {
				r = MustOpen(t, store, dir, projections.Options{}, summary{version: 1})
			}
			defer r.Close()
			MustWait(t, r, "summary", head)
			incremental := dump(t, func(fn func(*projections.View) error) error {
				return r.Read(context.Background(), "summary", head, fn)
			})

			rebuilt := mustReplayState(t, store, summary{version: 1}, projections.ReplayOptions{})
			if len(rebuilt) < 100 {
				t.Fatalf("replayed state has %d keys, want a substantial state", len(rebuilt))
			}
			if !maps.Equal(rebuilt, incremental) {
				t.Errorf("rebuilt state (%d keys) differs from the incremental one (%d keys)", len(rebuilt), len(incremental))
				for k, v := range rebuilt {
					if incremental[k] != v {
						t.Errorf("key %q: rebuilt %q, incremental %q", k, v, incremental[k])
						break
					}
				}
			}

			if err := r.Rebuild(context.Background(), "summary", nil); err != nil {
				t.Fatal(err)
			}
			swapped := dump(t, func(fn func(*projections.View) error) error {
				return r.Read(context.Background(), "summary", head, fn)
			})
			if !maps.Equal(swapped, incremental) {
				t.Errorf("state after Rebuild (%d keys) differs from the incremental one (%d keys)", len(swapped), len(incremental))
			}
		})
	}
}
