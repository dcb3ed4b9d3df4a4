package eventstore_test

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// The expected hashes were computed outside Go, by a Python script that
// encodes rule 11 of the package comment field by field, so this test pins
// ChainHash to the documented format rather than to itself.
func TestChainHashMatchesTheDocumentedEncoding(t *testing.T) {
	first := eventstore.RecordedEvent{
		ID:         uuid.MustParse("0f8fad5b-d9cb-469f-a165-70867728950e"),
		Stream:     "case-1",
		Version:    0,
		Position:   7, // not hashed
		Type:       "CaseOpened",
		Data:       []byte(`{"a":1}`),
		RecordedAt: time.Date(2026, 11, 25, 8, 0, 0, 123456789, time.UTC),
	}
	second := eventstore.RecordedEvent{
		ID:       uuid.MustParse("7c9e6679-7425-40de-944b-e07fc1f90ae7"),
		Stream:   "case-1",
		Version:  1,
		Position: 9,
		Type:     "CaseAccepted",
		Data:     []byte(`[1, "两"]`),
		Metadata: []byte(`{"actor":"x"}`),
		// Before the epoch, so the two's-complement encoding is pinned too.
		RecordedAt: time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC),
	}
	firstHash := mustHex(t, "12d08a3b48694af8244e2e1ca2c06268de56c7f500367e2b45788f732a5de05d")
	tests := []struct {
		name string
		prev [32]byte
		e    eventstore.RecordedEvent
		want [32]byte
	}{
		{"version 0 chains from zero", [32]byte{}, first, firstHash},
		{"version 1 chains from version 0", firstHash, second,
			mustHex(t, "be9e683b47b95aa9a9db58a9af45ebba367c449e8fdb53e8fb73f5e825104152")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eventstore.ChainHash(tt.prev, &tt.e); got != tt.want {
				t.Errorf("ChainHash = %x, want %x", got, tt.want)
			}
		})
	}
}

func TestChainHashIgnoresPositionAndStoredHash(t *testing.T) {
	e := eventstore.RecordedEvent{ID: uuid.New(), Stream: "case-1", Type: "T", Data: []byte(`{}`),
		RecordedAt: time.Unix(1, 0).UTC(), Position: 1}
	want := eventstore.ChainHash([32]byte{}, &e)
	e.Position = 1000
	e.Hash = want
	if got := eventstore.ChainHash([32]byte{}, &e); got != want {
		t.Errorf("ChainHash after changing Position and Hash = %x, want %x", got, want)
	}
}

func TestChainHashChangesWithEveryHashedField(t *testing.T) {
	base := eventstore.RecordedEvent{
		ID: uuid.MustParse("0f8fad5b-d9cb-469f-a165-70867728950e"), Stream: "case-1", Version: 3,
		Type: "T", Data: []byte(`{"a":1}`), Metadata: []byte(`{"m":1}`),
		RecordedAt: time.Unix(100, 5).UTC(),
	}
	prev := [32]byte{1}
	baseHash := eventstore.ChainHash(prev, &base)
	tests := []struct {
		name   string
		prev   [32]byte
		change func(e *eventstore.RecordedEvent)
	}{
		{"previous hash", [32]byte{2}, func(*eventstore.RecordedEvent) {}},
		{"id", prev, func(e *eventstore.RecordedEvent) { e.ID[15]++ }},
		{"stream", prev, func(e *eventstore.RecordedEvent) { e.Stream = "case-2" }},
		{"version", prev, func(e *eventstore.RecordedEvent) { e.Version++ }},
		{"type", prev, func(e *eventstore.RecordedEvent) { e.Type = "U" }},
		{"recorded at", prev, func(e *eventstore.RecordedEvent) { e.RecordedAt = e.RecordedAt.Add(1) }},
		{"data", prev, func(e *eventstore.RecordedEvent) { e.Data = []byte(`{"a":2}`) }},
		{"metadata", prev, func(e *eventstore.RecordedEvent) { e.Metadata = nil }},
		// Length prefixes keep a byte moving between fields from colliding.
		{"byte moved from type to data", prev, func(e *eventstore.RecordedEvent) {
			e.Type, e.Data = "", []byte(`T{"a":1}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.change(&e)
			if got := eventstore.ChainHash(tt.prev, &e); got == baseHash {
				t.Errorf("ChainHash = %x after changing %s, want a different hash", got, tt.name)
			}
		})
	}
}

func mustHex(tb testing.TB, s string) [32]byte {
	tb.Helper()
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		tb.Fatalf("bad test hash %q: %v", s, err)
	}
	copy(h[:], b)
	return h
}
