package asof

import (
	"bytes"
	"time"
)

// occurredAt reads the top-level "occurred_at" of an event's JSON data
// without decoding the rest (rule 6). It reports false when it cannot: the
// caller then decodes the event. The store holds only valid JSON (eventstore
// rule 8), so skipping values needs no validation; domain.EventMeta comes
// first in every event, so the key is found before the bulky facts (a
// bundle snapshot) and the scan stops there.
func occurredAt(data []byte) (time.Time, bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return time.Time{}, false
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return time.Time{}, false
		}
		keyStart := i + 1
		i = skipString(data, i)
		key := data[keyStart : i-1]
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ':' {
			return time.Time{}, false
		}
		i = skipSpace(data, i+1)
		if string(key) == "occurred_at" {
			end := skipString(data, i)
			if i >= len(data) || data[i] != '"' || end > len(data) {
				return time.Time{}, false
			}
			raw := data[i+1 : end-1]
			if bytes.IndexByte(raw, '\\') >= 0 {
				return time.Time{}, false
			}
			t, err := time.Parse(time.RFC3339Nano, string(raw))
			return t, err == nil
		}
		i = skipValue(data, i)
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ',' {
			return time.Time{}, false
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i] ('"').
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b) + 1
}

// skipValue returns the index after the value that starts at b[i]. Objects
// and arrays are skipped by depth, minding strings, whose brackets do not
// count.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i = skipString(b, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of the enclosing object: a scalar ended
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}
