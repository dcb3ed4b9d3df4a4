package domain

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/caseledger/caseledger/eventstore"
)

// Upcaster turns the JSON data of one schema version of an event type into
// the next version's. Upcasters work on raw JSON so that old events stay
// readable forever without keeping old structs around.
type Upcaster func(data json.RawMessage) (json.RawMessage, error)

// Registry maps event type names to their current struct and schema
// version, and upcasts older versions on decoding. The schema version of an
// event travels in its metadata (eventstore.Metadata.Schema); an event
// without one is version 1.
type Registry struct {
	types map[string]registered
}

type registered struct {
	version int
	new     func() Event
	// up[v] upcasts version v to v+1.
	up map[int]Upcaster
}

// NewRegistry returns a registry of every event type of this package. To
// change an event's JSON shape, raise its version here and add the
// upcaster from the previous one; never edit an upcaster that shipped.
func NewRegistry() *Registry {
	r := &Registry{types: map[string]registered{}}
	for _, f := range []func() Event{
		func() Event { return new(CaseSubmitted) }, func() Event { return new(CasePrechecked) },
		func() Event { return new(CaseRefused) }, func() Event { return new(SupplementRequested) },
		func() Event { return new(SupplementReceived) }, func() Event { return new(CaseAccepted) },
		func() Event { return new(ToleranceMaterialsReceived) }, func() Event { return new(CaseWithdrawn) },
		func() Event { return new(ItemsWithdrawn) }, func() Event { return new(CaseTerminated) },
		func() Event { return new(BundleCompleted) }, func() Event { return new(ResultsDelivered) },
		func() Event { return new(ItemDispatched) }, func() Event { return new(ItemAccepted) },
		func() Event { return new(StepRecorded) }, func() Event { return new(ItemSuspended) },
		func() Event { return new(ItemResumed) }, func() Event { return new(SpecialProcedureStarted) },
		func() Event { return new(SpecialProcedureEnded) }, func() Event { return new(DeadlineExtended) },
		func() Event { return new(ItemDecided) }, func() Event { return new(CertificateIssued) },
		func() Event { return new(RatingCalledBack) }, func() Event { return new(RatingTriaged) },
		func() Event { return new(RectificationReported) }, func() Event { return new(RatingSignedOff) },
		func() Event { return new(RatingAppealed) }, func() Event { return new(AppealDecided) },
		func() Event { return new(ComplaintFiled) }, func() Event { return new(ComplaintAnswered) },
		func() Event { return new(WarningRaised) }, func() Event { return new(DubanIssued) },
		func() Event { return new(DubanClosed) }, func() Event { return new(EventCorrected) },
	} {
		r.types[f().Type()] = registered{version: 1, new: f}
	}
	r.types[(*CaseRated)(nil).Type()] = registered{version: 2, new: func() Event { return new(CaseRated) },
		up: map[int]Upcaster{1: upcastCaseRatedV1}}
	return r
}

var defaultRegistry = NewRegistry()

// Encode returns ev's type, JSON data and metadata with the current schema
// version, using the registry of this package's event types.
func Encode(ev Event) (typ string, data, meta json.RawMessage, err error) {
	return defaultRegistry.Encode(ev)
}

// Decode decodes a stored event, upcasting it to the current version.
func Decode(typ string, data, meta json.RawMessage) (Event, error) {
	return defaultRegistry.Decode(typ, data, meta)
}

// EventData encodes ev for eventstore.Store.Append, with its deterministic ID.
func EventData(ev Event) (eventstore.EventData, error) {
	typ, data, meta, err := defaultRegistry.Encode(ev)
	if err != nil {
		return eventstore.EventData{}, err
	}
	return eventstore.EventData{ID: ev.Meta().ID, Type: typ, Data: data, Metadata: meta}, nil
}

// DecodeRecorded decodes an event read from the store.
func DecodeRecorded(rec eventstore.RecordedEvent) (Event, error) {
	return defaultRegistry.Decode(rec.Type, rec.Data, rec.Metadata)
}

// EventTypes lists every registered event type name, sorted.
func EventTypes() []string { return defaultRegistry.Types() }

// SchemaVersion returns the current schema version of an event type, 0 if
// unknown.
func SchemaVersion(typ string) int { return defaultRegistry.types[typ].version }

// Types lists the registered event type names, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.types))
	for t := range r.types {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Encode returns ev's type, JSON data and metadata with the current schema
// version. The metadata also names the actor, the case (correlation) and
// the command (causation), for readers that do not decode data.
func (r *Registry) Encode(ev Event) (string, json.RawMessage, json.RawMessage, error) {
	reg, ok := r.types[ev.Type()]
	if !ok {
		return "", nil, nil, fmt.Errorf("domain: encode: unregistered event type %q", ev.Type())
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return "", nil, nil, fmt.Errorf("domain: encode %s: %w", ev.Type(), err)
	}
	m := ev.Meta()
	meta := encodeMetadata(eventstore.Metadata{
		Actor:         string(m.Actor.Role) + ":" + m.Actor.PersonID,
		CorrelationID: m.CaseID,
		CausationID:   m.CommandID,
		Schema:        reg.version,
	})
	return ev.Type(), data, meta, nil
}

// encodeMetadata returns what json.Marshal returns for m, byte for byte,
// without reflection: every event written pays for it.
func encodeMetadata(m eventstore.Metadata) json.RawMessage {
	b := make([]byte, 0, 64+len(m.Actor)+len(m.CorrelationID)+len(m.CausationID))
	b = append(b, '{')
	for _, f := range []struct{ name, value string }{
		{`"actor":`, m.Actor}, {`"correlation_id":`, m.CorrelationID}, {`"causation_id":`, m.CausationID},
	} {
		if f.value == "" {
			continue // omitempty
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, f.name...)
		b = appendJSONString(b, f.value)
	}
	if m.Schema != 0 {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, `"schema":`...)
		b = strconv.AppendInt(b, int64(m.Schema), 10)
	}
	return append(b, '}')
}

// appendJSONString appends s as encoding/json quotes it. Strings of plain
// printable ASCII (IDs, roles) are copied; anything json escapes (quotes,
// backslashes, controls, <, > and &, non-ASCII) goes through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// upcastCaseRatedV1 turns {"score":1..5,"reason":"a;b"} (1 = 非常满意, the
// GB/T 39046 order) into {"label":"非常满意","reason_tags":["a","b"]}.
func upcastCaseRatedV1(data json.RawMessage) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, err
	}
	var score int
	if err := json.Unmarshal(fields["score"], &score); err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	labels := []RatingLabel{VerySatisfied, Satisfied, FairlySatisfied, Dissatisfied, VeryDissatisfied}
	if score < 1 || score > len(labels) {
		return nil, fmt.Errorf("score %d is outside 1 to 5", score)
	}
	var reason string
	if raw, ok := fields["reason"]; ok {
		if err := json.Unmarshal(raw, &reason); err != nil {
			return nil, fmt.Errorf("reason: %w", err)
		}
	}
	var tags []string
	for _, t := range strings.FieldsFunc(reason, func(r rune) bool { return r == ';' || r == '；' || r == ',' || r == '，' }) {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	delete(fields, "score")
	delete(fields, "reason")
	var err error
	if fields["label"], err = json.Marshal(labels[score-1]); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if fields["reason_tags"], err = json.Marshal(tags); err != nil {
			return nil, err
		}
	}
	return json.Marshal(fields)
}
