package domain_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"pgregory.net/rapid"
)

// TestEncodeWritesDataAsJSONDoes fills every registered event type at
// random, field by field through reflection (so a field added later is
// covered too), and checks that Encode's data is encoding/json's, byte for
// byte, or that both refuse the event: stored bytes must not depend on
// which encoder wrote them.
func TestEncodeWritesDataAsJSONDoes(t *testing.T) {
	for _, typ := range domain.EventTypes() {
		t.Run(typ, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				meta := json.RawMessage(`{"schema":` + strconv.Itoa(domain.SchemaVersion(typ)) + `}`)
				ev, err := domain.Decode(typ, json.RawMessage(`{}`), meta)
				if err != nil {
					t.Fatal(err)
				}
				fill(t, reflect.ValueOf(ev).Elem(), "event")
				want, wantErr := json.Marshal(ev)
				_, got, _, err := domain.Encode(ev)
				if (err != nil) != (wantErr != nil) {
					t.Fatalf("Encode error %v, encoding/json error %v", err, wantErr)
				}
				if string(got) != string(want) {
					t.Fatalf("Encode wrote\n%s\nencoding/json writes\n%s", got, want)
				}
			})
		})
	}
}

// awkward are strings encoding/json escapes or replaces.
var awkward = []string{"", "plain", "<b>&amp;</b>", `quote " and \ backslash`, "line\nbreak\ttab\r\b\f\x00\x1f\x7f",
	"张三 非常满意", "bad \xff utf-8 \xc3", "separators \u2028 \u2029", "emoji 🙂"}

// fill sets v, and everything under it, to random values of its kind.
func fill(t *rapid.T, v reflect.Value, label string) {
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		year := rapid.SampledFrom([]int{1, 1970, 2025, 2026, 9999, 10000, -1}).Draw(t, label+".year")
		offset := rapid.SampledFrom([]int{0, 8 * 3600, -5*3600 - 30*60, 23*3600 + 59*60, 24 * 3600, 8*3600 + 7}).Draw(t, label+".zone")
		at := time.Date(year, time.Month(rapid.IntRange(1, 12).Draw(t, label+".month")), rapid.IntRange(1, 28).Draw(t, label+".day"),
			rapid.IntRange(0, 23).Draw(t, label+".hour"), 0, rapid.IntRange(0, 59).Draw(t, label+".second"),
			rapid.SampledFrom([]int{0, 1, 500_000_000, 123_456_789}).Draw(t, label+".nanos"), time.FixedZone("", offset))
		if rapid.IntRange(0, 5).Draw(t, label+".zero") == 0 {
			at = time.Time{}
		}
		v.Set(reflect.ValueOf(at))
		return
	}
	switch v.Kind() {
	case reflect.String:
		s := rapid.SampledFrom(awkward).Draw(t, label)
		if rapid.Bool().Draw(t, label+".random") {
			s = rapid.String().Draw(t, label)
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, label))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(rapid.IntRange(-3, 10_000).Draw(t, label)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(rapid.IntRange(0, 255).Draw(t, label)))
	case reflect.Pointer:
		if rapid.Bool().Draw(t, label+".nil") {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem(), label+"*")
		v.Set(p)
	case reflect.Slice:
		switch n := rapid.IntRange(-1, 3).Draw(t, label+".len"); n {
		case -1: // nil
		default:
			s := reflect.MakeSlice(v.Type(), n, n)
			for i := range n {
				fill(t, s.Index(i), label+"[]")
			}
			v.Set(s)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(t, v.Index(i), label+"[]")
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), label+"."+v.Type().Field(i).Name)
			}
		}
	default:
		t.Fatalf("%s: fill does not know %s", label, v.Type())
	}
}
