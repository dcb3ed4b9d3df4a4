package projections_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
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
	n, ok := tx.Object(key)
	if !ok {
		b, found, err := tx.Get(key)
		if err != nil {
			return err
		}
		var v uint64
		if found {
			v = binary.BigEndian.Uint64(b)
		}
		n = &v
	}
	*n.(*uint64) += data.Amount
	tx.SetObject(key, n, func(dst []byte, v any) ([]byte, error) { return binary.BigEndian.AppendUint64(dst, *v.(*uint64)), nil })
	return nil
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
			c, err := projections.Replay(context.Background(), store, tally{}, filepath.Join(t.TempDir(), "copy"),
				projections.ReplayOptions{BatchSize: tt.batchSize})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got := dump(t, c.Read)
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
