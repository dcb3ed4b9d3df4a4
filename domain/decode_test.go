package domain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// decodeWithEncodingJSON is the oracle: the event encoding/json decodes
// from data of the current schema version into the type Decode returns.
func decodeWithEncodingJSON(t *testing.T, typ reflect.Type, data []byte) any {
	t.Helper()
	v := reflect.New(typ).Interface()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return v
}

// TestDecodeAgreesWithEncodingJSON checks the decoder Decode uses against
// encoding/json, which encodes the stored events: on every event of a
// generated history, and on every event type's data rewritten in ways
// encoding/json accepts but never writes.
func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 4_000
	}
	evs := MustStoredEvents(t, n)
	first := map[string]eventstore.EventData{}
	t.Run("generated history", func(t *testing.T) {
		for _, e := range evs {
			got, err := domain.Decode(e.Type, e.Data, e.Metadata)
			if err != nil {
				t.Fatalf("%s: %v", e.Type, err)
			}
			if want := decodeWithEncodingJSON(t, reflect.TypeOf(got).Elem(), e.Data); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s: decoded\n%+v\nwant\n%+v", e.Type, e.Data, got, want)
			}
			if _, ok := first[e.Type]; !ok {
				first[e.Type] = e
			}
		}
	})
	if len(first) < 20 {
		t.Fatalf("the history has %d event types, too few to be a fair sample", len(first))
	}
	for _, tc := range []struct {
		name    string
		rewrite func(t *testing.T, data []byte) []byte
	}{
		{"unknown fields", func(_ *testing.T, data []byte) []byte {
			return append([]byte(`{"zz_unknown":{"a":[1,"b",null,true,1.5e3]},`), data[1:]...)
		}},
		{"indented", func(t *testing.T, data []byte) []byte {
			var b bytes.Buffer
			if err := json.Indent(&b, data, "", "\t "); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}},
		{"upper-case keys", func(t *testing.T, data []byte) []byte {
			return mapTopLevel(t, data, func(k string, v json.RawMessage) (string, json.RawMessage) {
				return strings.ToUpper(k), v
			})
		}},
		{"null values", func(t *testing.T, data []byte) []byte {
			return mapTopLevel(t, data, func(k string, _ json.RawMessage) (string, json.RawMessage) {
				return k, json.RawMessage("null")
			})
		}},
		{"non-ASCII escaped", func(_ *testing.T, data []byte) []byte {
			var b strings.Builder
			for _, r := range string(data) {
				if r < 0x80 {
					b.WriteRune(r)
					continue
				}
				for _, u := range utf16.Encode([]rune{r}) {
					fmt.Fprintf(&b, `\u%04x`, u)
				}
			}
			return []byte(b.String())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for typ, e := range first {
				data := tc.rewrite(t, e.Data)
				got, err := domain.Decode(typ, data, e.Metadata)
				if err != nil {
					t.Fatalf("%s %s: %v", typ, data, err)
				}
				if want := decodeWithEncodingJSON(t, reflect.TypeOf(got).Elem(), data); !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s: decoded\n%+v\nwant\n%+v", typ, data, got, want)
				}
			}
		})
	}
}

// mapTopLevel rewrites the members of a JSON object.
func mapTopLevel(t *testing.T, data []byte, f func(string, json.RawMessage) (string, json.RawMessage)) []byte {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	out := map[string]json.RawMessage{}
	for k, v := range fields {
		k, v = f(k, v)
		out[k] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
