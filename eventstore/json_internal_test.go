package eventstore

import (
	"encoding/json"
	"testing"
)

// jsonSamples are inputs on which JSON validators commonly disagree.
var jsonSamples = []string{
	``, ` `, `{}`, " {} \n", `{}{}`, `{} x`, `01`, `1.`, `-`, `-0`, `1e`, `1e+`, `1E5`, `.5`, `+1`,
	`00`, `-01`, `1.5e-3`, `"\u00zz"`, "\"a\x01\"", "\"\xff\"", "\"\t\"", `"\ud800"`, `"\/"`, `"\x"`,
	`"abc`, `[1,]`, `[1 2]`, `{"a":1,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{1:2}`, `{"a":1}}`, `{"a":-}`,
	`nul`, `null`, `tru`, `true `, `falsey`, `[true,false,null]`, `[`, `]`, "\x00", `1 2`,
	`[[[[[[[[[[]]]]]]]]]]`, `{"a":[1,2,{"b":null}]}`, `{"a":"b"}garbage`, `"公安局"`, "\ufeff{}",
}

// TestValidJSONAgreesWithEncodingJSON holds the fast validator to the
// standard library's verdict: an event the store accepts must be one
// encoding/json accepts, and the other way round.
func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range jsonSamples {
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("validJSON(%q) = %v, encoding/json says %v", s, got, want)
		}
	}
}

func FuzzValidJSONAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range jsonSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("validJSON(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}
