package esdb

import (
	"context"

	"github.com/caseledger/caseledger/eventstore"
)

// Rec is a recorded event and its place in its append, for tests of the
// retry rules that a real EventStoreDB relies on.
type Rec struct {
	Event       eventstore.RecordedEvent
	Index, Size int
}

// Verdicts of Resent.
const (
	Fresh     = int(fresh)
	Original  = int(original)
	AskServer = int(askServer)
)

// Resent runs the retry check on a tail (newest first) that covers every
// version the check would otherwise read.
func Resent(stream string, expected eventstore.ExpectedVersion, tail []Rec, events []eventstore.EventData) (eventstore.AppendResult, int, error) {
	recs := make([]rec, len(tail))
	for i, r := range tail {
		recs[i] = rec{RecordedEvent: r.Event, index: r.Index, size: r.Size}
	}
	res, v, err := (&Store{}).resent(context.Background(), stream, expected, recs, events)
	return res, int(v), err
}
