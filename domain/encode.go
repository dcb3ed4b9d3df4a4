package domain

import (
	"encoding"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/google/uuid"
)

// Event data is encoded by plans compiled once per event type from the
// same struct tags encoding/json reads, because encoding/json's general
// machinery was the largest cost of writing an event. The bytes must be
// exactly encoding/json's: the store keeps them, and compares a retried
// append's data with them (eventstore rule 7), across processes and
// releases. So a plan covers only what it can encode
// exactly, and an event type with anything else (floats, maps,
// interfaces, arrays, byte slices, tag options other than omitempty and
// omitzero, conflicting embedded names, other Marshalers) gets no plan and
// goes through json.Marshal. Tests compare both encoders on every event
// type, filled at random.

// encodeFunc appends the JSON of v; ok is false when v is a value the plan
// cannot encode as encoding/json would (a time it refuses), and the caller
// falls back to json.Marshal.
type encodeFunc func(b []byte, v reflect.Value) (out []byte, ok bool)

var (
	timeType      = reflect.TypeFor[time.Time]()
	uuidType      = reflect.TypeFor[uuid.UUID]()
	dateType      = reflect.TypeFor[workday.Date]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// compilePlan returns the plan of struct type t, or nil when some part of
// it needs encoding/json.
func compilePlan(t reflect.Type) encodeFunc {
	enc, ok := compile(t, map[reflect.Type]bool{})
	if !ok {
		return nil
	}
	return enc
}

func compile(t reflect.Type, open map[reflect.Type]bool) (encodeFunc, bool) {
	switch t {
	case timeType:
		return encodeTime, true
	case uuidType:
		return func(b []byte, v reflect.Value) ([]byte, bool) { return appendUUID(b, addr[uuid.UUID](v)), true }, true
	case dateType:
		return func(b []byte, v reflect.Value) ([]byte, bool) { return appendDate(b, addr[workday.Date](v)), true }, true
	}
	if t.Implements(marshalerType) || t.Implements(textType) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textType) {
		return nil, false
	}
	switch t.Kind() {
	case reflect.String:
		return func(b []byte, v reflect.Value) ([]byte, bool) { return appendString(b, v.String()), true }, true
	case reflect.Bool:
		return func(b []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendBool(b, v.Bool()), true }, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(b []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendInt(b, v.Int(), 10), true }, true
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(b []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendUint(b, v.Uint(), 10), true }, true
	case reflect.Pointer:
		elem, ok := compile(t.Elem(), open)
		if !ok {
			return nil, false
		}
		return func(b []byte, v reflect.Value) ([]byte, bool) {
			if v.IsNil() {
				return append(b, "null"...), true
			}
			return elem(b, v.Elem())
		}, true
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil, false // base64
		}
		elem, ok := compile(t.Elem(), open)
		if !ok {
			return nil, false
		}
		return func(b []byte, v reflect.Value) ([]byte, bool) {
			if v.IsNil() {
				return append(b, "null"...), true
			}
			b = append(b, '[')
			for i := range v.Len() {
				if i > 0 {
					b = append(b, ',')
				}
				var ok bool
				if b, ok = elem(b, v.Index(i)); !ok {
					return b, false
				}
			}
			return append(b, ']'), true
		}, true
	case reflect.Struct:
		if open[t] {
			return nil, false // a recursive type
		}
		open[t] = true
		defer delete(open, t)
		return compileStruct(t, open)
	}
	return nil, false
}

// planField is one JSON member of a struct: where it is (through inlined
// embedded structs), its quoted name and how to encode and omit it.
type planField struct {
	index    []int
	name     string // `"name":`
	enc      encodeFunc
	omit     func(reflect.Value) bool
	embedded bool
}

func compileStruct(t reflect.Type, open map[reflect.Type]bool) (encodeFunc, bool) {
	fields, ok := structFields(t, nil, open)
	if !ok {
		return nil, false
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if seen[f.name] {
			return nil, false // encoding/json's dominance rules decide; leave it to it
		}
		seen[f.name] = true
	}
	return func(b []byte, v reflect.Value) ([]byte, bool) {
		b = append(b, '{')
		first := true
		for i := range fields {
			f := &fields[i]
			fv := v.FieldByIndex(f.index)
			if f.omit != nil && f.omit(fv) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, f.name...)
			var ok bool
			if b, ok = f.enc(b, fv); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}, true
}

// structFields lists t's JSON members in encoding/json's order, embedded
// structs without a tag inlined where they are declared.
func structFields(t reflect.Type, at []int, open map[reflect.Type]bool) ([]planField, bool) {
	var out []planField
	for i := range t.NumField() {
		sf := t.Field(i)
		index := append(append([]int(nil), at...), i)
		tag, hasTag := sf.Tag.Lookup("json")
		if sf.Anonymous {
			if hasTag || sf.Type.Kind() != reflect.Struct || !sf.IsExported() {
				return nil, false
			}
			inner, ok := structFields(sf.Type, index, open)
			if !ok {
				return nil, false
			}
			out = append(out, inner...)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		if !plainName(name) {
			return nil, false
		}
		enc, ok := compile(sf.Type, open)
		if !ok {
			return nil, false
		}
		f := planField{index: index, name: `"` + name + `":`, enc: enc}
		switch opts {
		case "":
		case "omitempty":
			if f.omit = omitEmpty(sf.Type); f.omit == nil {
				return nil, false
			}
		case "omitzero":
			if f.omit = omitZero(sf.Type); f.omit == nil {
				return nil, false
			}
		default:
			return nil, false
		}
		out = append(out, f)
	}
	return out, true
}

// plainName: letters, digits and underscores, which encoding/json takes
// as they are and which need no escaping.
func plainName(s string) bool {
	for _, c := range s {
		if c != '_' && (c > 0x7f || !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')) {
			return false
		}
	}
	return s != ""
}

func omitEmpty(t reflect.Type) func(reflect.Value) bool {
	switch t.Kind() {
	case reflect.String, reflect.Slice:
		return func(v reflect.Value) bool { return v.Len() == 0 }
	case reflect.Bool:
		return func(v reflect.Value) bool { return !v.Bool() }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) bool { return v.Int() == 0 }
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value) bool { return v.Uint() == 0 }
	case reflect.Pointer:
		return func(v reflect.Value) bool { return v.IsNil() }
	case reflect.Struct:
		return func(reflect.Value) bool { return false } // omitempty never omits a struct
	}
	return nil
}

// omitZero is encoding/json's omitzero: the type's IsZero method when it
// has one (of the types plans know, time.Time and workday.Date), else the
// zero value.
func omitZero(t reflect.Type) func(reflect.Value) bool {
	switch t {
	case timeType:
		return func(v reflect.Value) bool { return addr[time.Time](v).IsZero() }
	case dateType:
		return func(v reflect.Value) bool { return addr[workday.Date](v).IsZero() }
	}
	if _, ok := t.MethodByName("IsZero"); ok {
		return nil
	}
	if _, ok := reflect.PointerTo(t).MethodByName("IsZero"); ok {
		return nil
	}
	return reflect.Value.IsZero
}

// encodeTime is time.Time's MarshalJSON, refusing (ok false) what it
// refuses: years outside 0 to 9999 and zone offsets of a day or more.
func encodeTime(b []byte, v reflect.Value) ([]byte, bool) {
	t := addr[time.Time](v)
	b = append(b, '"')
	n0 := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	if b[n0+len("9999")] != '-' {
		return b, false
	}
	if b[len(b)-1] != 'Z' {
		c := b[len(b)-len("Z07:00")]
		hour := 10*(b[len(b)-5]-'0') + (b[len(b)-4] - '0')
		if ('0' <= c && c <= '9') || hour >= 24 {
			return b, false
		}
	}
	return append(b, '"'), true
}

// addr returns a pointer to v's value without boxing a copy (plans
// encode through a pointer, so values are addressable).
func addr[T any](v reflect.Value) *T {
	if v.CanAddr() {
		return v.Addr().Interface().(*T)
	}
	x := v.Interface().(T)
	return &x
}

// appendUUID appends u as its MarshalText writes it, quoted.
func appendUUID(b []byte, u *uuid.UUID) []byte {
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	hex.Encode(buf[9:13], u[4:6])
	hex.Encode(buf[14:18], u[6:8])
	hex.Encode(buf[19:23], u[8:10])
	hex.Encode(buf[24:], u[10:])
	buf[8], buf[13], buf[18], buf[23] = '-', '-', '-', '-'
	b = append(b, '"')
	b = append(b, buf[:]...)
	return append(b, '"')
}

// appendDate appends d as its MarshalText writes it (String), quoted;
// without fmt for the dates of this era.
func appendDate(b []byte, d *workday.Date) []byte {
	if d.IsZero() || d.Year < 0 || d.Year > 9999 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		return appendString(b, d.String())
	}
	b = append(b, '"')
	b = appendPadded(b, d.Year, 4)
	b = append(b, '-')
	b = appendPadded(b, int(d.Month), 2)
	b = append(b, '-')
	b = appendPadded(b, d.Day, 2)
	return append(b, '"')
}

// appendPadded appends n >= 0 in at least width digits, zeros first.
func appendPadded(b []byte, n, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], int64(n), 10)
	for range width - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s quoted as encoding/json quotes it, HTML escaping
// included.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
