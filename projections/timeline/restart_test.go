package timeline_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/timeline"
)

// TestRestartedMidwayEqualsRebuiltFromScratch feeds half a history, closes
// the runner, appends the rest and reopens it: the copy it resumes must hold
// exactly what a replay of the whole log from scratch holds, dictionary and
// indexes included.
func TestRestartedMidwayEqualsRebuiltFromScratch(t *testing.T) {
	cases := 120
	if testing.Short() {
		cases = 40
	}
	appends := MustGenerate(t, cases)
	store := MustStore(t)
	dir := t.TempDir()
	_, half := MustAppend(t, store, appends[:len(appends)/2])
	r := MustRunner(t, store, dir)
	if err := r.WaitFor(testContext(t), timeline.Name, half); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	_, head := MustAppend(t, store, appends[len(appends)/2:])
	resumed := dump(t, MustRunner(t, store, dir), head)

	c, err := projections.Replay(context.Background(), store, timeline.Projection{}, filepath.Join(t.TempDir(), "replay"), projections.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var rebuilt []kv
	if err := c.Read(func(v *projections.View) error { rebuilt = scanAll(t, v); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(resumed) != len(rebuilt) {
		t.Fatalf("resumed copy has %d keys, rebuilt %d", len(resumed), len(rebuilt))
	}
	for i := range resumed {
		if !bytes.Equal(resumed[i].k, rebuilt[i].k) || !bytes.Equal(resumed[i].v, rebuilt[i].v) {
			t.Fatalf("key %d: resumed %q = %x, rebuilt %q = %x", i, resumed[i].k, resumed[i].v, rebuilt[i].k, rebuilt[i].v)
		}
	}
	if len(resumed) < cases {
		t.Errorf("only %d keys for %d cases", len(resumed), cases)
	}
}

type kv struct{ k, v []byte }

func dump(t *testing.T, r *projections.Runner, head uint64) []kv {
	t.Helper()
	var out []kv
	err := r.Read(testContext(t), timeline.Name, head, func(v *projections.View) error {
		out = scanAll(t, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func scanAll(t *testing.T, v *projections.View) []kv {
	t.Helper()
	var out []kv
	err := v.Scan(nil, func(key, val []byte) error {
		out = append(out, kv{bytes.Clone(key), bytes.Clone(val)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
