package domain_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// A CaseRated event as version 1 wrote it: a GB/T 39046 score (1 =
// 非常满意) and one free-text reason, and no schema in the metadata's
// first releases (absent means 1).
func TestDecodeUpcastsCaseRatedV1(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		meta     string
		wantL    domain.RatingLabel
		wantTags []string
	}{
		{"bad score with reasons", `{"id":"6f1c0a52-8d0e-5a43-9a51-0b7f8e0c1d2e","case_id":"case-1","command_id":"c9","actor":{"role":"applicant","person_id":"subj-1"},"occurred_at":"2025-06-01T10:00:00+08:00","score":4,"reason":"态度差；超时, 多次跑腿","channel":"web"}`,
			`{"schema":1}`, domain.Dissatisfied, []string{"态度差", "超时", "多次跑腿"}},
		{"best score, no schema in metadata", `{"score":1,"channel":"mobile"}`, `{}`, domain.VerySatisfied, nil},
		{"no metadata at all", `{"score":5,"reason":"x"}`, ``, domain.VeryDissatisfied, []string{"x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := domain.Decode("CaseRated", json.RawMessage(tc.data), json.RawMessage(tc.meta))
			if err != nil {
				t.Fatal(err)
			}
			r, ok := ev.(*domain.CaseRated)
			if !ok {
				t.Fatalf("decoded %T, want *domain.CaseRated", ev)
			}
			if got, want := r.Label, tc.wantL; got != want {
				t.Errorf("label = %q, want %q", got, want)
			}
			if got, want := r.ReasonTags, tc.wantTags; !slices.Equal(got, want) {
				t.Errorf("reason tags = %q, want %q", got, want)
			}
			// Re-encoding writes the current version.
			_, data, meta, err := domain.Encode(r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "score") || !strings.Contains(string(meta), `"schema":2`) {
				t.Errorf("re-encoded as %s / %s, want version 2 without score", data, meta)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	tests := []struct {
		name, typ, data, meta string
	}{
		{"unknown type", "CaseExploded", `{}`, `{}`},
		{"a version from the future", "CaseRated", `{"label":"满意"}`, `{"schema":3}`},
		{"a v1 score out of range", "CaseRated", `{"score":9}`, `{"schema":1}`},
		{"malformed data", "CaseRefused", `{"reason":`, `{"schema":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := domain.Decode(tc.typ, json.RawMessage(tc.data), json.RawMessage(tc.meta)); err == nil {
				t.Error("Decode succeeded, want an error")
			}
		})
	}
}

func TestEventDataCarriesIDTypeAndMetadata(t *testing.T) {
	env := MustEnv(t)
	evs := MustRun(t, env, accepted()...)
	for _, ev := range evs {
		d, err := domain.EventData(ev)
		if err != nil {
			t.Fatal(err)
		}
		var m eventstore.Metadata
		if err := json.Unmarshal(d.Metadata, &m); err != nil {
			t.Fatal(err)
		}
		want := eventstore.Metadata{Actor: string(ev.Meta().Actor.Role) + ":" + ev.Meta().Actor.PersonID,
			CorrelationID: caseID, CausationID: ev.Meta().CommandID, Schema: domain.SchemaVersion(ev.Type())}
		if d.ID != ev.Meta().ID || d.Type != ev.Type() || m != want {
			t.Errorf("%s: EventData = %v %q %+v, want ID %v and metadata %+v", ev.Type(), d.ID, d.Type, m, ev.Meta().ID, want)
		}
		back, err := domain.DecodeRecorded(eventstore.RecordedEvent{ID: d.ID, Type: d.Type, Data: d.Data, Metadata: d.Metadata})
		if err != nil || back.Meta().ID != ev.Meta().ID {
			t.Errorf("%s: DecodeRecorded = %v, %v", ev.Type(), back, err)
		}
	}
}

func TestEveryEventTypeIsRegistered(t *testing.T) {
	types := domain.EventTypes()
	if got, want := len(types), 35; got != want {
		t.Errorf("%d registered event types, want %d: %v", got, want, types)
	}
	for _, typ := range types {
		if domain.SchemaVersion(typ) < 1 {
			t.Errorf("%s has no schema version", typ)
		}
	}
	if got, want := domain.SchemaVersion("CaseRated"), 2; got != want {
		t.Errorf("CaseRated schema = %d, want %d", got, want)
	}
}
