package domain_test

import (
	"encoding/json"
	"reflect"
	"testing"

	gojson "github.com/goccy/go-json"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
)

// MustStoredEvents returns the events of a generated history of about n
// events as the store would hold them: type, JSON data and metadata.
func MustStoredEvents(tb testing.TB, n int) []eventstore.EventData {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = n/40 + 1
	cfg.MaxEvents = n
	g, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var out []eventstore.EventData
	for a := range g.All() {
		out = append(out, a.Events...)
	}
	if err := g.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkDecode decodes a realistic mix of stored events, what every
// read model and every command handler pays per event read, with
// domain.Decode and, for comparison, with each JSON library alone
// unmarshalling the same data and metadata into the same types.
func BenchmarkDecode(b *testing.B) {
	evs := MustStoredEvents(b, 20_000)
	var size int64
	for _, e := range evs {
		size += int64(len(e.Data) + len(e.Metadata))
	}
	b.Run("domain", func(b *testing.B) {
		b.SetBytes(size / int64(len(evs)))
		for i := 0; b.Loop(); i++ {
			e := &evs[i%len(evs)]
			if _, err := domain.Decode(e.Type, e.Data, e.Metadata); err != nil {
				b.Fatal(err)
			}
		}
	})
	types := make([]reflect.Type, len(evs))
	for i, e := range evs {
		ev, err := domain.Decode(e.Type, e.Data, e.Metadata)
		if err != nil {
			b.Fatal(err)
		}
		types[i] = reflect.TypeOf(ev).Elem()
	}
	for _, lib := range []struct {
		name      string
		unmarshal func([]byte, any) error
	}{
		{"encoding_json", json.Unmarshal},
		{"goccy_go_json", gojson.Unmarshal},
	} {
		b.Run("lib="+lib.name, func(b *testing.B) {
			b.SetBytes(size / int64(len(evs)))
			for i := 0; b.Loop(); i++ {
				k := i % len(evs)
				var m eventstore.Metadata
				if err := lib.unmarshal(evs[k].Metadata, &m); err != nil {
					b.Fatal(err)
				}
				if err := lib.unmarshal(evs[k].Data, reflect.New(types[k]).Interface()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
