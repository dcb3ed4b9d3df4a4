package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// recordVersion is the first byte of every log value (invariant 4).
const recordVersion = 1

// errCorrupt marks a value that does not decode; it means the directory was
// damaged or written by something else.
var errCorrupt = errors.New("embedded: corrupt record")

// record is a decoded log value. Its byte slices alias the value they were
// decoded from; materialize copies them out.
type record struct {
	stream     []byte
	typ        []byte
	version    uint64
	id         uuid.UUID
	recordedAt int64
	hash       [32]byte
	index      uint64 // the event's index within its append
	count      uint64 // how many events its append had
	metadata   []byte
	data       []byte
}

// appendRecord encodes e as a log value (the layout is in the package
// comment, "Log values").
func appendRecord(dst []byte, e *eventstore.RecordedEvent, index, count int) []byte {
	dst = append(dst, recordVersion)
	dst = binary.AppendUvarint(dst, uint64(len(e.Stream)))
	dst = append(dst, e.Stream...)
	dst = binary.AppendUvarint(dst, uint64(len(e.Type)))
	dst = append(dst, e.Type...)
	dst = binary.BigEndian.AppendUint64(dst, e.Version)
	dst = append(dst, e.ID[:]...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.RecordedAt.UnixNano()))
	dst = append(dst, e.Hash[:]...)
	dst = binary.AppendUvarint(dst, uint64(index))
	dst = binary.AppendUvarint(dst, uint64(count))
	dst = binary.AppendUvarint(dst, uint64(len(e.Metadata)))
	dst = append(dst, e.Metadata...)
	return append(dst, e.Data...)
}

// peekStreamType returns the stream and type of a log value without decoding
// the rest, so that filtered scans skip events cheaply.
func peekStreamType(v []byte) (stream, typ []byte, err error) {
	if len(v) == 0 || v[0] != recordVersion {
		return nil, nil, errCorrupt
	}
	rest := v[1:]
	if stream, rest, err = lenPrefixed(rest); err != nil {
		return nil, nil, err
	}
	typ, _, err = lenPrefixed(rest)
	return stream, typ, err
}

func decodeRecord(v []byte, r *record) error {
	if len(v) == 0 || v[0] != recordVersion {
		return errCorrupt
	}
	rest := v[1:]
	var err error
	if r.stream, rest, err = lenPrefixed(rest); err != nil {
		return err
	}
	if r.typ, rest, err = lenPrefixed(rest); err != nil {
		return err
	}
	if len(rest) < 8+16+8+32 {
		return errCorrupt
	}
	r.version = binary.BigEndian.Uint64(rest)
	copy(r.id[:], rest[8:24])
	r.recordedAt = int64(binary.BigEndian.Uint64(rest[24:32]))
	copy(r.hash[:], rest[32:64])
	rest = rest[64:]
	var n int
	if r.index, n = binary.Uvarint(rest); n <= 0 {
		return errCorrupt
	}
	rest = rest[n:]
	if r.count, n = binary.Uvarint(rest); n <= 0 {
		return errCorrupt
	}
	rest = rest[n:]
	if r.metadata, rest, err = lenPrefixed(rest); err != nil {
		return err
	}
	r.data = rest
	return nil
}

func lenPrefixed(b []byte) (field, rest []byte, err error) {
	l, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < l {
		return nil, nil, errCorrupt
	}
	return b[n : n+int(l)], b[n+int(l):], nil
}

// names reuses the strings of the last stream name and event type that
// materialize made: a read returns many events of one stream or of few
// types, and each reuse saves an allocation. Event types also come from
// eventTypes, so a scan of the log, where types alternate, allocates none.
type names struct {
	stream, typ string
}

func (n *names) intern(last *string, b []byte) string {
	if *last != string(b) {
		*last = string(b)
	}
	return *last
}

func (n *names) internType(b []byte) string {
	if n.typ != string(b) {
		n.typ = eventTypes.get(b)
	}
	return n.typ
}

// eventTypes is the process's table of event type names: a ledger has a
// few dozen, and a replay of the read models allocated one for nearly
// every other event (0.44M of 16.8M allocations per million events). Reads
// look the table up without a lock; a new name replaces it with a copy
// holding one more, up to maxEventTypes, past which names are allocated
// as before.
var eventTypes typeTable

const maxEventTypes = 1024

type typeTable struct {
	mu sync.Mutex
	m  atomic.Pointer[map[string]string]
}

func (t *typeTable) get(b []byte) string {
	if m := t.m.Load(); m != nil {
		if s, ok := (*m)[string(b)]; ok {
			return s
		}
	}
	s := string(b)
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.m.Load()
	if old != nil {
		if s, ok := (*old)[s]; ok {
			return s
		}
		if len(*old) >= maxEventTypes {
			return s
		}
	}
	m := map[string]string{}
	if old != nil {
		m = maps.Clone(*old)
	}
	m[s] = s
	t.m.Store(&m)
	return s
}

// materialize copies r into e. Data and metadata share one piece of the
// arena.
func (r *record) materialize(pos uint64, e *eventstore.RecordedEvent, n *names, a *byteArena) {
	buf := a.alloc(len(r.data)+len(r.metadata), pos)
	copy(buf, r.data)
	copy(buf[len(r.data):], r.metadata)
	*e = eventstore.RecordedEvent{
		ID:         r.id,
		Stream:     n.intern(&n.stream, r.stream),
		Version:    r.version,
		Position:   pos,
		Type:       n.internType(r.typ),
		Data:       buf[:len(r.data):len(r.data)],
		RecordedAt: time.Unix(0, r.recordedAt).UTC(),
		Hash:       r.hash,
	}
	if len(r.metadata) > 0 {
		e.Metadata = buf[len(r.data):len(buf):len(buf)]
	}
}

func corruptAt(pos uint64, err error) error {
	return fmt.Errorf("embedded: position %d: %w", pos, err)
}
