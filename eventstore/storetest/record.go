package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
)

// testRecord pins down what is recorded (rules 2, 3, 8 and 11) and that
// every way of reading returns the same record.
func (su *suite) testRecord(t *testing.T) {
	t.Run("data and metadata are stored byte-exact", su.testByteExact)
	t.Run("fields are recorded as appended with a UTC time", su.testRecordedFields)
	t.Run("hashes chain per stream", su.testHashChain)
	t.Run("every read returns the same recorded events", su.testReadsAgree)
}

func (su *suite) testByteExact(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		metadata string
	}{
		{"keys out of order", `{"b":1,"a":2}`, ``},
		{"insignificant whitespace", " {\n\t\"a\" : [ 1 , 2 ] }\n", ``},
		{"escapes and raw UTF-8", `{"s":"\u00e9\u4e24 两 \"q\" \/"}`, ``},
		{"numbers a decoder would change", `[1.0, 1e2, 0.10, 123456789012345678901234567890]`, ``},
		{"a bare string", `"两件事"`, ``},
		{"null", `null`, ``},
		{"duplicate keys", `{"a":1,"a":2}`, ``},
		{"empty object metadata", `{}`, `{}`},
		{"metadata with whitespace and order", `{}`, ` { "z":1, "actor" : "officer-7" } `},
	}
	h := su.open(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.sub(t)
			name := stream("case")
			e := h.event("Noted")
			e.Data = json.RawMessage(tt.data)
			if tt.metadata != "" {
				e.Metadata = json.RawMessage(tt.metadata)
			}
			h.mustAppend(name, eventstore.NoStream, e)
			fromStream := h.readStream(name)
			fromAll := h.mustReadAll(eventstore.ReadAllOptions{Direction: eventstore.Backwards, From: eventstore.End, Limit: 1})
			for _, r := range []struct {
				how    string
				events []eventstore.RecordedEvent
			}{{"ReadStream", fromStream}, {"ReadAll", fromAll}} {
				if len(r.events) != 1 || r.events[0].ID != e.ID {
					t.Fatalf("%s returned %d events, want the one appended", r.how, len(r.events))
				}
				got := r.events[0]
				if string(got.Data) != tt.data {
					t.Errorf("%s data = %q, want %q", r.how, got.Data, tt.data)
				}
				if string(got.Metadata) != tt.metadata {
					t.Errorf("%s metadata = %q, want %q", r.how, got.Metadata, tt.metadata)
				}
			}
		})
	}
}

func (su *suite) testRecordedFields(t *testing.T) {
	h := su.open(t)
	h.mustAppend(stream("bundle"), eventstore.NoStream, h.event("Opened"))
	name := stream("case")
	events := h.events(3, "Noted")
	events[0].Type = "Opened"
	events[2].Metadata = json.RawMessage(`{"actor":"a"}`)
	res := h.mustAppend(name, eventstore.NoStream, events...)
	got := h.readStream(name)
	if len(got) != len(events) {
		t.Fatalf("ReadStream returned %d events, want %d", len(got), len(events))
	}
	if got[0].Position != res.FirstPosition || got[len(got)-1].Position != res.LastPosition {
		t.Errorf("positions %v, want %d to %d as the AppendResult says", positions(got), res.FirstPosition, res.LastPosition)
	}
	for i, r := range got {
		d := events[i]
		if r.ID != d.ID || r.Stream != name || r.Version != uint64(i) || r.Type != d.Type ||
			string(r.Data) != string(d.Data) || string(r.Metadata) != string(d.Metadata) {
			t.Errorf("event %d = {%s %s v%d %s %s %s}, want {%s %s v%d %s %s %s}", i,
				r.ID, r.Stream, r.Version, r.Type, r.Data, r.Metadata, d.ID, name, i, d.Type, d.Data, d.Metadata)
		}
		if r.RecordedAt.IsZero() || r.RecordedAt.Location() != time.UTC {
			t.Errorf("event %d recorded at %v (location %v), want a non-zero UTC time", i, r.RecordedAt, r.RecordedAt.Location())
		}
	}
}

func (su *suite) testHashChain(t *testing.T) {
	h := su.open(t)
	streams := []string{stream("case"), stream("case"), stream("bundle")}
	for i := range 12 {
		name := streams[i%len(streams)]
		h.mustAppend(name, eventstore.Any, h.events(1+i%2, "Noted")...)
	}
	prev := map[string][32]byte{}
	for _, e := range h.readAll() {
		if want := eventstore.ChainHash(prev[e.Stream], &e); e.Hash != want {
			t.Fatalf("event %s v%d: hash %x, want ChainHash of the previous hash of its stream %x", e.Stream, e.Version, e.Hash, want)
		}
		prev[e.Stream] = e.Hash
	}
	if len(prev) != len(streams) {
		t.Errorf("log holds %d streams, want %d", len(prev), len(streams))
	}
}

func (su *suite) testReadsAgree(t *testing.T) {
	h := su.open(t)
	streams := []string{stream("case"), stream("bundle"), stream("case")}
	for i := range 10 {
		events := h.events(1+i%3, fmt.Sprintf("Type%d", i%2))
		events[0].Metadata = json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))
		h.mustAppend(streams[i%len(streams)], eventstore.Any, events...)
	}
	all := h.readAll()
	h.checkPositions(all)

	backwards := h.mustReadAll(eventstore.ReadAllOptions{Direction: eventstore.Backwards, From: eventstore.End})
	slices.Reverse(backwards)
	checkEvents(t, "ReadAll backwards, reversed", backwards, all)

	var paged []eventstore.RecordedEvent
	for from := uint64(0); ; {
		page := h.mustReadAll(eventstore.ReadAllOptions{From: from, Limit: 3})
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		from = lastPosition(page) + 1
	}
	checkEvents(t, "ReadAll in pages of 3", paged, all)

	for _, name := range streams {
		var want []eventstore.RecordedEvent
		for _, e := range all {
			if e.Stream == name {
				want = append(want, e)
			}
		}
		checkEvents(t, "ReadStream("+name+")", h.readStream(name), want)
	}

	sub := h.subscribe(eventstore.SubscribeOptions{})
	got, _ := sub.catchUp()
	checkEvents(t, "subscription from the start", got, all)
}
