// Package envelope is the layout of an EventStoreDB event's custom metadata
// when the event belongs to caseledger. Both sides of the protocol use it: the
// esdb backend writes and reads it against any EventStoreDB-compatible server,
// and the esdbserver endpoint serves it from the embedded store, so that a
// caseledger reading through the protocol sees the chain hash and the
// nanosecond timestamp that rule 11 hashes.
//
// The custom metadata of a caseledger event is one JSON object:
//
//		{"$caseledger":{"v":1,"recorded_at":"<ns>","hash":"<hex>"},"metadata":<original>}
//
//	 1. "$caseledger" holds what EventStoreDB has no field for: the format
//	    version (1), the recording time in nanoseconds since the Unix epoch as a
//	    decimal string (EventStoreDB's own "created" has 100 ns ticks, too coarse
//	    for the chain hash), and the chain hash as 64 lowercase hex digits.
//	 2. "metadata" is the contract's metadata, embedded byte for byte. It is
//	    absent when the metadata is empty. When the original bytes have leading
//	    or trailing white space, which a JSON decoder would not give back,
//	    "metadata_base64" holds them in standard base64 instead, so that the
//	    bytes always come back exactly (rule 8).
//	 3. "append":[i,n] says the event is the i-th (from 0) of an append of n
//	    events. The esdb backend writes it so that it can tell a re-sent append
//	    from events of several appends (rule 7); it is absent when unknown.
//	 4. Custom metadata without a "$caseledger" member is not an envelope: it is
//	    the metadata itself (an event written by another EventStoreDB client).
package envelope

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Version is the envelope format written by Encode.
const Version = 1

// Fields are caseledger's own fields of an event.
type Fields struct {
	RecordedAt int64    // nanoseconds since the Unix epoch
	Hash       [32]byte // chain hash (rule 11)
	Metadata   []byte   // the contract's metadata, exactly as appended
	// AppendIndex and AppendSize place the event in its append; AppendSize
	// is 0 when unknown.
	AppendIndex, AppendSize int
}

// Encode returns the custom metadata that carries f.
func Encode(f Fields) []byte {
	var b bytes.Buffer
	b.Grow(len(f.Metadata) + 160)
	b.WriteString(`{"$caseledger":{"v":`)
	b.WriteString(strconv.Itoa(Version))
	b.WriteString(`,"recorded_at":"`)
	b.WriteString(strconv.FormatInt(f.RecordedAt, 10))
	b.WriteString(`","hash":"`)
	b.WriteString(hex.EncodeToString(f.Hash[:]))
	b.WriteString(`"`)
	if f.AppendSize > 0 {
		b.WriteString(`,"append":[`)
		b.WriteString(strconv.Itoa(f.AppendIndex))
		b.WriteString(`,`)
		b.WriteString(strconv.Itoa(f.AppendSize))
		b.WriteString(`]`)
	}
	b.WriteString(`}`)
	switch {
	case len(f.Metadata) == 0:
	case len(bytes.TrimSpace(f.Metadata)) == len(f.Metadata):
		b.WriteString(`,"metadata":`)
		b.Write(f.Metadata)
	default:
		b.WriteString(`,"metadata_base64":"`)
		b.WriteString(base64.StdEncoding.EncodeToString(f.Metadata))
		b.WriteString(`"`)
	}
	b.WriteString(`}`)
	return b.Bytes()
}

type wire struct {
	CL *struct {
		V          int    `json:"v"`
		RecordedAt string `json:"recorded_at"`
		Hash       string `json:"hash"`
		Append     []int  `json:"append"`
	} `json:"$caseledger"`
	Metadata       json.RawMessage `json:"metadata"`
	MetadataBase64 *string         `json:"metadata_base64"`
}

// ErrNotEnvelope: the custom metadata carries no caseledger fields.
var ErrNotEnvelope = errors.New("envelope: custom metadata is not a caseledger envelope")

// Decode reads an envelope. It fails with ErrNotEnvelope when custom has no
// "$caseledger" member (rule 3), and with another error when it has one that
// is malformed.
func Decode(custom []byte) (Fields, error) {
	var f Fields
	if len(bytes.TrimSpace(custom)) == 0 || !bytes.Contains(custom, []byte(`"$caseledger"`)) {
		return f, ErrNotEnvelope
	}
	var w wire
	if err := json.Unmarshal(custom, &w); err != nil {
		return f, ErrNotEnvelope
	}
	if w.CL == nil {
		return f, ErrNotEnvelope
	}
	if w.CL.V != Version {
		return f, fmt.Errorf("envelope: unknown version %d", w.CL.V)
	}
	at, err := strconv.ParseInt(w.CL.RecordedAt, 10, 64)
	if err != nil {
		return f, fmt.Errorf("envelope: recorded_at: %w", err)
	}
	f.RecordedAt = at
	h, err := hex.DecodeString(w.CL.Hash)
	if err != nil || len(h) != len(f.Hash) {
		return f, fmt.Errorf("envelope: hash %q is not 32 hex bytes", w.CL.Hash)
	}
	copy(f.Hash[:], h)
	if a := w.CL.Append; a != nil {
		if len(a) != 2 || a[1] <= 0 || a[0] < 0 || a[0] >= a[1] {
			return f, fmt.Errorf("envelope: append %v is not [index, size]", a)
		}
		f.AppendIndex, f.AppendSize = a[0], a[1]
	}
	switch {
	case w.MetadataBase64 != nil:
		if f.Metadata, err = base64.StdEncoding.DecodeString(*w.MetadataBase64); err != nil {
			return f, fmt.Errorf("envelope: metadata_base64: %w", err)
		}
	case len(w.Metadata) > 0:
		f.Metadata = append([]byte(nil), w.Metadata...)
	}
	return f, nil
}

// Unwrap returns the contract's metadata inside custom: the envelope's
// metadata, or custom itself when it is not an envelope.
func Unwrap(custom []byte) ([]byte, error) {
	f, err := Decode(custom)
	if errors.Is(err, ErrNotEnvelope) {
		return custom, nil
	}
	return f.Metadata, err
}
