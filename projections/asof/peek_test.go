package asof_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections/asof"
)

// decoy rewrites an event's data so that "occurred_at" keys and look-alike
// text far in the future come before the real key (map keys marshal
// sorted), then indents it: valid JSON the domain decodes to the same event.
func decoy(tb testing.TB, data json.RawMessage) json.RawMessage {
	tb.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		tb.Fatal(err)
	}
	const future = `"occurred_at":"2999-01-01T00:00:00Z"`
	var actor map[string]json.RawMessage
	if err := json.Unmarshal(fields["actor"], &actor); err != nil {
		tb.Fatal(err)
	}
	actor["occurred_at"] = json.RawMessage(`"2999-01-01T00:00:00Z"`)
	var err error
	if fields["actor"], err = json.Marshal(actor); err != nil {
		tb.Fatal(err)
	}
	if fields["aa_note"], err = json.Marshal(future + ` }]} \" {`); err != nil {
		tb.Fatal(err)
	}
	fields["ab_list"] = json.RawMessage(`[{` + future + `}, "]}", [[]], {"x": {"occurred_at": 1}}, -1.5e3, true, null]`)
	compact, err := json.Marshal(fields)
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, " ", "\t"); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

func TestOccurredBoundReadsTheTopLevelTimeWhateverTheLayout(t *testing.T) {
	h := MustHistory(t, 6, true)
	odd, _ := MustStore(t, true)
	ctx := context.Background()
	for _, id := range h.cases {
		stream := "case-" + id
		events, err := h.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			data := eventstore.EventData{ID: e.ID, Type: e.Type, Data: decoy(t, e.Data), Metadata: e.Metadata}
			if _, err := odd.Append(ctx, stream, eventstore.Any, data); err != nil {
				t.Fatal(err)
			}
		}
		for _, at := range instants(h.events[id], func(r recorded) time.Time { return r.occurred }) {
			want, wantErr := asof.Case(ctx, h.store, id, asof.OccurredBy(at))
			got, err := asof.Case(ctx, odd, id, asof.OccurredBy(at))
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("case %s occurred by %s: error %v, want %v", id, at, err, wantErr)
			}
			if !reflect.DeepEqual(got.State, want.State) || got.Version != want.Version {
				t.Fatalf("case %s occurred by %s: version %d with %d events, want %d with %d",
					id, at, got.Version, got.Events, want.Version, want.Events)
			}
		}
	}
}
