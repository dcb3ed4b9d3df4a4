package esdb_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdb"
	"github.com/google/uuid"
)

// Against a real EventStoreDB the backend recognises retries itself, from
// the place in its append that every event's envelope records; through the
// endpoint that place is unknown and the embedded store decides. These
// cases pin down the first path, which the conformance run through the
// endpoint cannot reach.
func TestRetriesAreToldFromEventsOfOtherAppendsByTheirPlaceInTheAppend(t *testing.T) {
	const stream = "case-retry"
	data := func(i int) eventstore.EventData {
		return eventstore.EventData{ID: uuid.New(), Type: "Noted", Data: json.RawMessage(`{"i":` + string(rune('0'+i)) + `}`)}
	}
	a := []eventstore.EventData{data(0), data(1)} // versions 0 and 1, one append
	b := []eventstore.EventData{data(2), data(3)} // versions 2 and 3, another
	recOf := func(e eventstore.EventData, version uint64, index, size int) esdb.Rec {
		return esdb.Rec{Event: eventstore.RecordedEvent{
			ID: e.ID, Stream: stream, Version: version, Position: 100 + version, Type: e.Type, Data: e.Data,
		}, Index: index, Size: size}
	}
	tail := []esdb.Rec{recOf(b[1], 3, 1, 2), recOf(b[0], 2, 0, 2), recOf(a[1], 1, 1, 2), recOf(a[0], 0, 0, 2)}
	unknown := []esdb.Rec{recOf(b[1], 3, 0, 0), recOf(b[0], 2, 0, 0)}
	changed := b[1]
	changed.Data = json.RawMessage(`{"changed":true}`)
	tests := []struct {
		name    string
		tail    []esdb.Rec
		events  []eventstore.EventData
		verdict int
		want    eventstore.AppendResult
		wantErr error
	}{
		{"no recorded ID is a fresh append", tail, []eventstore.EventData{data(4)}, esdb.Fresh, eventstore.AppendResult{}, nil},
		{"a whole append re-sent gives its result", tail, a, esdb.Original, eventstore.AppendResult{FirstVersion: 0, LastVersion: 1, FirstPosition: 100, LastPosition: 101}, nil},
		{"the later append re-sent", tail, b, esdb.Original, eventstore.AppendResult{FirstVersion: 2, LastVersion: 3, FirstPosition: 102, LastPosition: 103}, nil},
		{"adjacent events of two appends are not a retry", tail, []eventstore.EventData{a[1], b[0]}, esdb.Original, eventstore.AppendResult{}, eventstore.ErrDuplicateEventID},
		{"part of an append is not a retry", tail, a[:1], esdb.Original, eventstore.AppendResult{}, eventstore.ErrDuplicateEventID},
		{"recorded and new IDs mixed", tail, []eventstore.EventData{a[0], a[1], data(5)}, esdb.Original, eventstore.AppendResult{}, eventstore.ErrDuplicateEventID},
		{"a recorded ID with other content", tail, []eventstore.EventData{b[0], changed}, esdb.Original, eventstore.AppendResult{}, eventstore.ErrDuplicateEventID},
		{"events in another order", tail, []eventstore.EventData{b[1], b[0]}, esdb.Original, eventstore.AppendResult{}, eventstore.ErrDuplicateEventID},
		{"events without their place defer to the server", unknown, b, esdb.AskServer, eventstore.AppendResult{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, verdict, err := esdb.Resent(stream, eventstore.Any, tt.tail, tt.events)
			if verdict != tt.verdict {
				t.Fatalf("verdict %d, want %d", verdict, tt.verdict)
			}
			if (tt.wantErr == nil) != (err == nil) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("result %+v, want %+v", got, tt.want)
			}
		})
	}
}
