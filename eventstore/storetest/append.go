package storetest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// testAppend pins down rules 1, 4 and 8: what an append accepts and how it
// checks the expected version.
func (su *suite) testAppend(t *testing.T) {
	t.Run("invalid input is refused with ErrInvalidEvent and records nothing", su.testInvalidAppends)
	t.Run("every valid stream name form is accepted", su.testValidStreamNames)
	t.Run("expected version", su.testExpectedVersions)
}

func (su *suite) testInvalidAppends(t *testing.T) {
	h := su.open(t)
	// One recorded event, so that "records nothing" is checked against a
	// log that is not empty.
	h.mustAppend(stream("case"), eventstore.NoStream, h.event("Opened"))
	before := h.readAll()
	with := func(change func(*eventstore.EventData)) []eventstore.EventData {
		e := h.event("Noted")
		change(&e)
		return []eventstore.EventData{e}
	}
	dup := uuid.New()
	tests := []struct {
		name   string
		stream string
		events []eventstore.EventData
	}{
		{"empty stream name", "", h.events(1, "Noted")},
		{"stream name without category", "case", h.events(1, "Noted")},
		{"stream name with empty category", "-1", h.events(1, "Noted")},
		{"stream name with empty id", "case-", h.events(1, "Noted")},
		{"stream category with upper case", "Case-1", h.events(1, "Noted")},
		{"stream category starting with a digit", "1case-1", h.events(1, "Noted")},
		{"stream id with a space", "case-a b", h.events(1, "Noted")},
		{"stream id with non-ASCII", "case-é", h.events(1, "Noted")},
		{"stream name of 256 bytes", "case-" + strings.Repeat("x", eventstore.MaxStreamNameLen-4), h.events(1, "Noted")},
		{"no events", stream("case"), nil},
		{"nil event ID", stream("case"), with(func(e *eventstore.EventData) { e.ID = uuid.Nil })},
		{"same ID twice in one append", stream("case"), []eventstore.EventData{
			{ID: dup, Type: "Noted", Data: json.RawMessage(`{}`)},
			{ID: dup, Type: "Noted", Data: json.RawMessage(`{}`)},
		}},
		{"empty type", stream("case"), with(func(e *eventstore.EventData) { e.Type = "" })},
		{"empty data", stream("case"), with(func(e *eventstore.EventData) { e.Data = nil })},
		{"data that is not JSON", stream("case"), with(func(e *eventstore.EventData) { e.Data = json.RawMessage(`{"a":`) })},
		{"metadata that is an array", stream("case"), with(func(e *eventstore.EventData) { e.Metadata = json.RawMessage(`[]`) })},
		{"metadata that is a string", stream("case"), with(func(e *eventstore.EventData) { e.Metadata = json.RawMessage(`"x"`) })},
		{"metadata that is not JSON", stream("case"), with(func(e *eventstore.EventData) { e.Metadata = json.RawMessage(`{"a"}`) })},
		{"one invalid event after valid ones", stream("case"), append(h.events(2, "Noted"),
			with(func(e *eventstore.EventData) { e.Data = json.RawMessage(`nope`) })...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.sub(t)
			_, err := h.s.Append(h.ctx, tt.stream, eventstore.Any, tt.events...)
			if !errors.Is(err, eventstore.ErrInvalidEvent) {
				t.Fatalf("Append = %v, want ErrInvalidEvent", err)
			}
			h.checkUnchanged(before)
		})
	}
}

func (su *suite) testValidStreamNames(t *testing.T) {
	h := su.open(t)
	for _, name := range []string{
		"a-1",
		"bundle_2-x",
		"case-a-b",
		"case-~!#$%&'()*+,./:;<=>?@[]^_`{|}",
		"case-" + strings.Repeat("x", eventstore.MaxStreamNameLen-5),
	} {
		h.mustAppend(name, eventstore.NoStream, h.event("Opened"))
		got := h.readStream(name)
		if len(got) != 1 || got[0].Stream != name {
			t.Errorf("ReadStream(%q) = %d events, want 1 recorded under that exact name", name, len(got))
		}
	}
}

func (su *suite) testExpectedVersions(t *testing.T) {
	// existing is the number of events in the stream before the append; a
	// stream with 0 events does not exist.
	tests := []struct {
		name     string
		existing int
		expected eventstore.ExpectedVersion
		ok       bool
	}{
		{"any on a missing stream succeeds", 0, eventstore.Any, true},
		{"any on an existing stream succeeds", 3, eventstore.Any, true},
		{"no stream on a missing stream succeeds", 0, eventstore.NoStream, true},
		{"no stream on an existing stream reports the actual version", 3, eventstore.NoStream, false},
		{"stream exists on an existing stream succeeds", 3, eventstore.StreamExists, true},
		{"stream exists on a missing stream reports no stream", 0, eventstore.StreamExists, false},
		{"exact version matching succeeds", 3, eventstore.Exact(2), true},
		{"exact version 0 matching a one-event stream succeeds", 1, eventstore.Exact(0), true},
		{"exact version behind reports expected and actual", 3, eventstore.Exact(1), false},
		{"exact version ahead reports expected and actual", 3, eventstore.Exact(3), false},
		{"exact version on a missing stream reports no stream", 0, eventstore.Exact(0), false},
	}
	h := su.open(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.sub(t)
			name := stream("case")
			if tt.existing > 0 {
				h.mustAppend(name, eventstore.NoStream, h.events(tt.existing, "Noted")...)
			}
			before := h.readAll()
			res, err := h.s.Append(h.ctx, name, tt.expected, h.events(2, "Noted")...)
			if tt.ok {
				if err != nil {
					t.Fatalf("Append: %v", err)
				}
				first := uint64(tt.existing)
				if got, want := [2]uint64{res.FirstVersion, res.LastVersion}, [2]uint64{first, first + 1}; got != want {
					t.Errorf("AppendResult versions = %v, want %v", got, want)
				}
				if got, want := len(h.readStream(name)), tt.existing+2; got != want {
					t.Errorf("stream has %d events, want %d", got, want)
				}
				return
			}
			if !errors.Is(err, eventstore.ErrWrongVersion) {
				t.Fatalf("Append = %v, want ErrWrongVersion", err)
			}
			var wv *eventstore.WrongVersionError
			if !errors.As(err, &wv) {
				t.Fatalf("errors.As(%v, *WrongVersionError) = false, want true", err)
			}
			want := eventstore.WrongVersionError{Stream: name, Expected: tt.expected, Exists: tt.existing > 0}
			if want.Exists {
				want.Actual = uint64(tt.existing - 1)
			} else {
				wv.Actual = 0 // meaningless when the stream does not exist
			}
			if got := *wv; got != want {
				t.Errorf("WrongVersionError = %+v, want %+v", got, want)
			}
			h.checkUnchanged(before)
		})
	}
}
