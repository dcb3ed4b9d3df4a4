package eventstore_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

func TestValidateStreamName(t *testing.T) {
	tests := []struct {
		stream string
		valid  bool
	}{
		{"case-0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"a-1", true},
		{"bundle_2-x", true},
		{"case-a-b", true}, // the id may contain '-'
		{"case-~!#", true},
		{"case-" + strings.Repeat("x", eventstore.MaxStreamNameLen-5), true},
		{"case-" + strings.Repeat("x", eventstore.MaxStreamNameLen-4), false},
		{"", false},
		{"case", false},
		{"-1", false},
		{"case-", false},
		{"Case-1", false},
		{"1case-1", false},
		{"_case-1", false},
		{"ca.se-1", false},
		{"case-a b", false},
		{"case-a\tb", false},
		{"case-\x7f", false},
		{"case-é", false},
	}
	for _, tt := range tests {
		t.Run(tt.stream, func(t *testing.T) {
			err := eventstore.ValidateStreamName(tt.stream)
			if got := err == nil; got != tt.valid {
				t.Fatalf("ValidateStreamName(%q) = %v, want valid %v", tt.stream, err, tt.valid)
			}
			if err != nil && !errors.Is(err, eventstore.ErrInvalidEvent) {
				t.Errorf("ValidateStreamName(%q) = %v, want ErrInvalidEvent", tt.stream, err)
			}
		})
	}
}

func TestValidateAppend(t *testing.T) {
	ok := func() eventstore.EventData {
		return eventstore.EventData{ID: uuid.New(), Type: "T", Data: json.RawMessage(`{"a":1}`)}
	}
	with := func(change func(*eventstore.EventData)) eventstore.EventData {
		e := ok()
		change(&e)
		return e
	}
	dupID := uuid.New()
	tests := []struct {
		name   string
		stream string
		events []eventstore.EventData
		valid  bool
	}{
		{"one valid event", "case-1", []eventstore.EventData{ok()}, true},
		{"several valid events", "case-1", []eventstore.EventData{ok(), ok(), ok()}, true},
		{"data may be any JSON value", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.Data = json.RawMessage(`"s"`) }),
			with(func(e *eventstore.EventData) { e.Data = json.RawMessage(` [1, 2] `) }),
		}, true},
		{"metadata may be an object with leading space", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.Metadata = json.RawMessage(" \n{\"actor\":\"x\"}") }),
		}, true},
		{"invalid stream", "Case-1", []eventstore.EventData{ok()}, false},
		{"no events", "case-1", nil, false},
		{"nil ID", "case-1", []eventstore.EventData{with(func(e *eventstore.EventData) { e.ID = uuid.Nil })}, false},
		{"same ID twice", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.ID = dupID }),
			with(func(e *eventstore.EventData) { e.ID = dupID }),
		}, false},
		{"empty type", "case-1", []eventstore.EventData{with(func(e *eventstore.EventData) { e.Type = "" })}, false},
		{"type too long", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.Type = strings.Repeat("t", 256) }),
		}, false},
		{"empty data", "case-1", []eventstore.EventData{with(func(e *eventstore.EventData) { e.Data = nil })}, false},
		{"data not JSON", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.Data = json.RawMessage(`{"a":`) }),
		}, false},
		{"metadata an array", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.Metadata = json.RawMessage(`[]`) }),
		}, false},
		{"metadata a number", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.Metadata = json.RawMessage(`1`) }),
		}, false},
		{"metadata only space", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.Metadata = json.RawMessage(`  `) }),
		}, false},
		{"metadata not JSON", "case-1", []eventstore.EventData{
			with(func(e *eventstore.EventData) { e.Metadata = json.RawMessage(`{"a"}`) }),
		}, false},
		{"one bad event among good ones", "case-1", []eventstore.EventData{
			ok(), with(func(e *eventstore.EventData) { e.Data = json.RawMessage(`nope`) }), ok(),
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := eventstore.ValidateAppend(tt.stream, tt.events)
			if got := err == nil; got != tt.valid {
				t.Fatalf("ValidateAppend = %v, want valid %v", err, tt.valid)
			}
			if err != nil && !errors.Is(err, eventstore.ErrInvalidEvent) {
				t.Errorf("ValidateAppend = %v, want ErrInvalidEvent", err)
			}
		})
	}
}

func TestCategory(t *testing.T) {
	tests := []struct{ stream, want string }{
		{"case-1", "case"},
		{"case-a-b", "case"},
		{"bundle_2-x", "bundle_2"},
		{"nodash", "nodash"},
	}
	for _, tt := range tests {
		if got := eventstore.Category(tt.stream); got != tt.want {
			t.Errorf("Category(%q) = %q, want %q", tt.stream, got, tt.want)
		}
	}
}

func TestFilterMatches(t *testing.T) {
	e := &eventstore.RecordedEvent{Stream: "case-1", Type: "CaseOpened"}
	tests := []struct {
		name   string
		filter eventstore.Filter
		want   bool
	}{
		{"zero filter keeps everything", eventstore.Filter{}, true},
		{"category listed", eventstore.Filter{Categories: []string{"bundle", "case"}}, true},
		{"category not listed", eventstore.Filter{Categories: []string{"bundle"}}, false},
		{"category is not a prefix match", eventstore.Filter{Categories: []string{"cas"}}, false},
		{"type listed", eventstore.Filter{Types: []string{"CaseOpened"}}, true},
		{"type not listed", eventstore.Filter{Types: []string{"CaseClosed"}}, false},
		{"both listed", eventstore.Filter{Categories: []string{"case"}, Types: []string{"CaseOpened"}}, true},
		{"category listed, type not", eventstore.Filter{Categories: []string{"case"}, Types: []string{"X"}}, false},
		{"type listed, category not", eventstore.Filter{Categories: []string{"x"}, Types: []string{"CaseOpened"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.Matches(e); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSameContent(t *testing.T) {
	id := uuid.New()
	r := &eventstore.RecordedEvent{ID: id, Stream: "case-1", Type: "T", Data: []byte(`{"a":1}`), Metadata: []byte(`{}`)}
	tests := []struct {
		name   string
		stream string
		d      eventstore.EventData
		want   bool
	}{
		{"identical", "case-1", eventstore.EventData{ID: id, Type: "T", Data: []byte(`{"a":1}`), Metadata: []byte(`{}`)}, true},
		{"other ID", "case-1", eventstore.EventData{ID: uuid.New(), Type: "T", Data: []byte(`{"a":1}`), Metadata: []byte(`{}`)}, false},
		{"other stream", "case-2", eventstore.EventData{ID: id, Type: "T", Data: []byte(`{"a":1}`), Metadata: []byte(`{}`)}, false},
		{"other type", "case-1", eventstore.EventData{ID: id, Type: "U", Data: []byte(`{"a":1}`), Metadata: []byte(`{}`)}, false},
		{"equivalent JSON, other bytes", "case-1", eventstore.EventData{ID: id, Type: "T", Data: []byte(`{"a": 1}`), Metadata: []byte(`{}`)}, false},
		{"other metadata", "case-1", eventstore.EventData{ID: id, Type: "T", Data: []byte(`{"a":1}`)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eventstore.SameContent(r, tt.stream, &tt.d); got != tt.want {
				t.Errorf("SameContent = %v, want %v", got, tt.want)
			}
		})
	}
}
