package envelope_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/caseledger/caseledger/eventstore/esdb/envelope"
)

func TestEncodeDecodeGivesBackEveryField(t *testing.T) {
	var hash [32]byte
	for i := range hash {
		hash[i] = byte(i * 7)
	}
	tests := []struct {
		name     string
		metadata []byte
	}{
		{"no metadata", nil},
		{"empty object", []byte(`{}`)},
		{"object with unusual spacing and escapes", []byte(`{"actor" :"officer-7","note":"\u4e8b\u4ef6 \"q\""}`)},
		{"leading and trailing white space", []byte(" \t{\"a\":1}\n")},
		{"nested objects and arrays", []byte(`{"a":{"b":[1,2,{"c":null}]},"$caseledger":"inner"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := envelope.Fields{RecordedAt: 1732567890123456789, Hash: hash, Metadata: tt.metadata, AppendIndex: 2, AppendSize: 3}
			raw := envelope.Encode(in)
			if !json.Valid(raw) {
				t.Fatalf("Encode gave invalid JSON: %s", raw)
			}
			got, err := envelope.Decode(raw)
			if err != nil {
				t.Fatalf("Decode(%s): %v", raw, err)
			}
			if got.RecordedAt != in.RecordedAt || got.Hash != in.Hash || got.AppendIndex != 2 || got.AppendSize != 3 {
				t.Errorf("Decode = %+v, want %+v", got, in)
			}
			if !bytes.Equal(got.Metadata, tt.metadata) {
				t.Errorf("metadata = %q, want %q byte for byte", got.Metadata, tt.metadata)
			}
		})
	}
}

func TestDecodeTellsForeignMetadataFromBrokenEnvelopes(t *testing.T) {
	tests := []struct {
		name    string
		custom  string
		foreign bool
	}{
		{"empty", ``, true},
		{"another client's object", `{"$correlationId":"x"}`, true},
		{"not JSON", `binary\x00`, true},
		{"unknown version", `{"$caseledger":{"v":9,"recorded_at":"1","hash":"00"}}`, false},
		{"short hash", `{"$caseledger":{"v":1,"recorded_at":"1","hash":"abcd"}}`, false},
		{"time not a number", `{"$caseledger":{"v":1,"recorded_at":"soon","hash":"` + zeros + `"}}`, false},
		{"append index out of range", `{"$caseledger":{"v":1,"recorded_at":"1","hash":"` + zeros + `","append":[3,3]}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := envelope.Decode([]byte(tt.custom))
			if got := errors.Is(err, envelope.ErrNotEnvelope); got != tt.foreign || err == nil {
				t.Errorf("Decode(%s) = %v; want foreign=%v and an error", tt.custom, err, tt.foreign)
			}
		})
	}
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

func TestUnwrapReturnsForeignMetadataAsIs(t *testing.T) {
	foreign := []byte(`{"$correlationId":"x"}`)
	got, err := envelope.Unwrap(foreign)
	if err != nil || !bytes.Equal(got, foreign) {
		t.Errorf("Unwrap(%s) = %s, %v; want it unchanged", foreign, got, err)
	}
	wrapped := envelope.Encode(envelope.Fields{RecordedAt: 5, Metadata: []byte(`{"actor":"a"}`)})
	got, err = envelope.Unwrap(wrapped)
	if err != nil || string(got) != `{"actor":"a"}` {
		t.Errorf("Unwrap(%s) = %s, %v; want the inner metadata", wrapped, got, err)
	}
}
