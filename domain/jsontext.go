package domain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/google/uuid"
)

// JSON text as encoding/json writes it, for the plans of encode.go and for
// the events' metadata.

// scratch holds encoding buffers, so an event's data is built in one
// that has grown to fit the largest events and copied out at its size.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

// encodeData returns ev's JSON: by plan, or by json.Marshal when there is
// none or the plan meets a value it cannot encode exactly.
func encodeData(plan encodeFunc, ev Event) (json.RawMessage, error) {
	v := reflect.ValueOf(ev)
	if plan == nil || v.Kind() != reflect.Pointer || v.IsNil() {
		return json.Marshal(ev)
	}
	buf := scratch.Get().(*[]byte)
	b, ok := plan((*buf)[:0], v.Elem())
	var data json.RawMessage
	if ok {
		data = bytes.Clone(b)
	}
	*buf = b[:0]
	scratch.Put(buf)
	if !ok {
		return json.Marshal(ev)
	}
	return data, nil
}

// encodeMetadata returns what json.Marshal returns for m, byte for byte,
// without reflection: every event written pays for it.
func encodeMetadata(m eventstore.Metadata) json.RawMessage {
	b := make([]byte, 0, 64+len(m.Actor)+len(m.CorrelationID)+len(m.CausationID))
	b = append(b, '{')
	for _, f := range []struct{ name, value string }{
		{`"actor":`, m.Actor}, {`"correlation_id":`, m.CorrelationID}, {`"causation_id":`, m.CausationID},
	} {
		if f.value == "" {
			continue // omitempty
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, f.name...)
		b = appendString(b, f.value)
	}
	if m.Schema != 0 {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, `"schema":`...)
		b = strconv.AppendInt(b, int64(m.Schema), 10)
	}
	return append(b, '}')
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

// htmlSafe marks the ASCII bytes encoding/json writes as they are.
var htmlSafe = func() (safe [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		safe[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return safe
}()

// appendString appends s quoted as encoding/json quotes it, HTML escaping
// included.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
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
