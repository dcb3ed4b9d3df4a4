package projections_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/google/uuid"
)

// scanner sets and deletes keys of its stream, counts its events in an
// object, and after every event records what Tx.Scan and Tx.Get show of the
// stream: the batch's own writes, objects and deletions merged with what
// earlier batches committed.
type scanner struct{}

type scanOp struct {
	Del bool
	K   string
	V   string
}

func (scanner) Name() string              { return "scanner" }
func (scanner) Version() int              { return 1 }
func (scanner) Filter() eventstore.Filter { return eventstore.Filter{} }
func (scanner) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	var op scanOp
	if err := json.Unmarshal(e.Data, &op); err != nil {
		return err
	}
	prefix := "kv/" + e.Stream + "/"
	key := []byte(prefix + op.K)
	if op.Del {
		if err := tx.Delete(key); err != nil {
			return err
		}
	} else if err := tx.Set(key, []byte(op.V)); err != nil {
		return err
	}
	countKey := []byte(prefix + "m0")
	n, ok := tx.Object(countKey)
	if !ok {
		b, found, err := tx.Get(countKey)
		if err != nil {
			return err
		}
		v := 0
		if found {
			v, _ = strconv.Atoi(string(b))
		}
		n = &v
	}
	*n.(*int)++
	tx.SetObject(countKey, n, func(dst []byte, v any) ([]byte, error) { return strconv.AppendInt(dst, int64(*v.(*int)), 10), nil })
	var seen []string
	err := tx.Scan([]byte(prefix), func(k, v []byte) error {
		seen = append(seen, string(k[len(prefix):])+"="+string(v))
		return nil
	})
	if err != nil {
		return err
	}
	got, found, err := tx.Get(key)
	if err != nil {
		return err
	}
	if !found {
		got = []byte("-")
	}
	return tx.Set([]byte("seen/"+e.Stream), []byte(strings.Join(seen, ",")+" get "+string(got)))
}

// mustScanHistory appends n scanOps over streams and returns the state a
// correct fold ends with.
func mustScanHistory(tb testing.TB, store eventstore.Store, streams, n int) map[string]string {
	tb.Helper()
	kv := map[string]map[string]string{}
	want := map[string]string{}
	counts := map[string]int{}
	for i := range n {
		stream := "case-" + strconv.Itoa(i%streams)
		// Single letters sort before and after the counter, "m0".
		op := scanOp{Del: i%5 == 3, K: string(rune('a' + i*7%26)), V: strconv.Itoa(i)}
		data, err := json.Marshal(op)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := store.Append(context.Background(), stream, eventstore.Any,
			eventstore.EventData{ID: uuid.New(), Type: "Op", Data: data}); err != nil {
			tb.Fatal(err)
		}
		if kv[stream] == nil {
			kv[stream] = map[string]string{}
		}
		if op.Del {
			delete(kv[stream], op.K)
		} else {
			kv[stream][op.K] = op.V
		}
		counts[stream]++
		kv[stream]["m0"] = strconv.Itoa(counts[stream])
		var seen []string
		for _, k := range slices.Sorted(maps.Keys(kv[stream])) {
			seen = append(seen, k+"="+kv[stream][k])
		}
		got, ok := kv[stream][op.K]
		if !ok {
			got = "-"
		}
		want["seen/"+stream] = strings.Join(seen, ",") + " get " + got
	}
	for stream, m := range kv {
		for k, v := range m {
			want[fmt.Sprintf("kv/%s/%s", stream, k)] = v
		}
	}
	return want
}

func TestTxReadsSeeTheBatchsOwnWrites(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	want := mustScanHistory(t, store, 3, 400)
	tests := []struct {
		name      string
		batchSize int
	}{
		{"one event per batch", 1},
		{"a stream's keys span batches", 7},
		{"one batch", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustReplayState(t, store, scanner{}, projections.ReplayOptions{BatchSize: tt.batchSize})
			for k := range maps.Keys(got) {
				if got[k] != want[k] {
					t.Errorf("%s = %q, want %q", k, got[k], want[k])
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d keys, want %d", len(got), len(want))
			}
		})
	}
}

// overwriter gets its stream's counter with Object, overwrites the key with
// Set, then sets the counter again with SetObject: the last write wins, so
// the count must survive the Set.
type overwriter struct{}

func (overwriter) Name() string              { return "overwriter" }
func (overwriter) Version() int              { return 1 }
func (overwriter) Filter() eventstore.Filter { return eventstore.Filter{} }
func (overwriter) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	key := []byte("n/" + e.Stream)
	n, ok := tx.Object(key)
	if !ok {
		b, found, err := tx.Get(key)
		if err != nil {
			return err
		}
		v := 0
		if found {
			if v, err = strconv.Atoi(string(b)); err != nil {
				return err
			}
		}
		n = &v
	}
	if err := tx.Set(key, []byte("overwritten")); err != nil {
		return err
	}
	*n.(*int)++
	tx.SetObject(key, n, func(dst []byte, v any) ([]byte, error) { return strconv.AppendInt(dst, int64(*v.(*int)), 10), nil })
	return nil
}

func TestTxSetObjectAfterSetOfTheSameKeyWins(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	MustAppend(t, store, 3, 60, "Noted")
	want := map[string]string{"n/case-0": "20", "n/case-1": "20", "n/case-2": "20"}
	for _, batchSize := range []int{1, 7, 1000} {
		t.Run(strconv.Itoa(batchSize), func(t *testing.T) {
			if got := mustReplayState(t, store, overwriter{}, projections.ReplayOptions{BatchSize: batchSize}); !maps.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
