package storetest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
)

// testSubscribeRecycle reads a long history through a subscription that
// recycles (eventstore.Recycler) all but the last recycleWindow events it
// delivered, and checks that the events it still holds never change: a
// backend that wrote a later page over memory not yet recycled would
// change one of them. Everything delivered must also equal the log.
func (su *suite) testSubscribeRecycle(t *testing.T) {
	const recycleWindow = 100
	h := su.open(t)
	total := scale(2000, 400)
	name := stream("case")
	for i := 0; i < total; i += 50 {
		events := make([]eventstore.EventData, 50)
		for k := range events {
			events[k] = h.event("Noted")
			// About 2 KB, different for every event, so that many events
			// span many chunks of memory and an overwrite shows.
			n := i + k
			events[k].Data = fmt.Appendf(nil, `{"n":%d,"text":%q}`, n, strings.Repeat(string(rune('a'+n%26)), 2000+n%7))
			events[k].Metadata = fmt.Appendf(nil, `{"actor":"officer-%d"}`, n)
		}
		h.mustAppend(name, eventstore.Any, events...)
	}
	r := h.subscribe(eventstore.SubscribeOptions{})
	recycler, ok := r.sub.(eventstore.Recycler)
	if !ok {
		t.Skip("the backend's subscriptions do not recycle")
	}
	type held struct {
		e              eventstore.RecordedEvent // as delivered, sharing its memory
		data, metadata []byte                   // copies made on delivery
	}
	var window []held
	var copies []eventstore.RecordedEvent
	for range total {
		m := r.next()
		if m.Kind != eventstore.MessageEvent {
			t.Fatalf("message kind %d after %d of %d events, want an event", m.Kind, len(copies), total)
		}
		e := m.Event
		c := e
		c.Data, c.Metadata = bytes.Clone(e.Data), bytes.Clone(e.Metadata)
		copies = append(copies, c)
		window = append(window, held{e: e, data: c.Data, metadata: c.Metadata})
		for _, w := range window {
			if !bytes.Equal(w.e.Data, w.data) || !bytes.Equal(w.e.Metadata, w.metadata) {
				t.Fatalf("event at position %d changed while held, after the event at %d was delivered: recycled too early", w.e.Position, e.Position)
			}
		}
		if len(window) > recycleWindow {
			recycler.Recycle(window[0].e.Position)
			window = window[1:]
		}
	}
	checkEvents(t, "events delivered while recycling", copies, h.readAll())
}
