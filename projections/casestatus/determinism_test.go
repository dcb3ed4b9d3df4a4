package casestatus_test

import (
	"context"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
)

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

// TestRebuildEqualsIncrementalWithRandomRestarts feeds a generated domain
// history to a runner that is restarted at random points, then checks that
// a replay from scratch stores exactly the same bytes: documents and index
// entries alike.
func TestRebuildEqualsIncrementalWithRandomRestarts(t *testing.T) {
	cfg := casegen.DefaultConfig()
	cfg.Cases = 100
	if testing.Short() {
		cfg.Cases = 40
	}
	g, err := casegen.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	batchSizes := []int{1, 10, 1000}

	var r *projections.Runner
	var head uint64
	for a := range g.All() {
		if r == nil {
			if r, err = projections.Open(store, dir, projections.Options{BatchSize: batchSizes[rng.IntN(len(batchSizes))]}, casestatus.Projection{}); err != nil {
				t.Fatal(err)
			}
		}
		res, err := store.Append(context.Background(), a.Stream, a.Expected, a.Events...)
		if err != nil {
			t.Fatal(err)
		}
		head = res.LastPosition
		if rng.IntN(150) == 0 {
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			r = nil
		}
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	if r == nil {
		if r, err = projections.Open(store, dir, projections.Options{}, casestatus.Projection{}); err != nil {
			t.Fatal(err)
		}
	}
	defer r.Close()
	incremental := dump(t, func(fn func(*projections.View) error) error {
		return r.Read(context.Background(), casestatus.Name, head, fn)
	})

	c, err := projections.Replay(context.Background(), store, casestatus.Projection{}, filepath.Join(t.TempDir(), "replay"), projections.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rebuilt := dump(t, c.Read)
	docs := 0
	for k := range rebuilt {
		if strings.HasPrefix(k, "case/") {
			docs++
		}
	}
	if docs != cfg.Cases {
		t.Errorf("replayed %d case documents, want %d", docs, cfg.Cases)
	}
	if !maps.Equal(rebuilt, incremental) {
		for k, v := range rebuilt {
			if incremental[k] != v {
				t.Fatalf("%s: rebuilt %s\nincremental %s", k, v, incremental[k])
			}
		}
		t.Fatalf("rebuilt state has %d keys, incremental %d", len(rebuilt), len(incremental))
	}
}
