package projections

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/cockroachdb/pebble/v2"
	// The domain decodes events with it too: it reads and writes the same
	// JSON as encoding/json (map keys sorted, omitzero kept) in less time,
	// and encoding the objects a batch touched was a fifth of a replay's.
	json "github.com/goccy/go-json"
)

// Projection is a read model's code. Apply must be deterministic: given the
// same events in the same order it must write the same state, so that a
// rebuild equals the copy that was fed incrementally.
type Projection interface {
	// Name identifies the read model; it matches [a-z][a-z0-9_]*.
	Name() string
	// Version changes whenever Apply or the state layout changes; a new
	// version is rebuilt from position zero (blue/green, invariant 7).
	Version() int
	// Filter selects the events Apply sees; the zero Filter passes all.
	Filter() eventstore.Filter
	// Apply folds one event into the state behind tx. An error stops the
	// projection (invariant 6); history is fact, so return one only for a
	// fault that needs a code fix. e and its Data and Metadata are valid
	// only during the call: the runner's subscription writes later events
	// into their memory (eventstore.Recycler).
	Apply(tx *Tx, e *eventstore.RecordedEvent) error
}

// Key prefixes inside a copy (invariant 2).
const (
	metaPrefix = 0x00
	userPrefix = 0x01
)

var (
	keyCheckpoint = []byte{metaPrefix, 'c', 'h', 'e', 'c', 'k', 'p', 'o', 'i', 'n', 't'}
	keyLive       = []byte{metaPrefix, 'l', 'i', 'v', 'e'}
)

// View is a consistent, read-only look at one copy of a projection, as of
// one checkpoint (invariant 8). It is valid only during the Read callback.
type View struct {
	r        reader
	version  int
	position uint64
}

// Version is the projection version of the copy being read; during a
// blue/green switch it may be older than the registered one.
func (v *View) Version() int { return v.version }

// Position is the last log position the state reflects.
func (v *View) Position() uint64 { return v.position }

// Get returns a copy of the value stored under key, and whether there is one.
func (v *View) Get(key []byte) ([]byte, bool, error) {
	return get(v.r, append([]byte{userPrefix}, key...))
}

// Scan calls fn for every key starting with prefix, in key order. The slices
// are valid only during the call.
func (v *View) Scan(prefix []byte, fn func(key, value []byte) error) error {
	return scan(v.r, prefix, fn)
}

// reader is what a Pebble batch, snapshot and DB have in common.
type reader interface {
	Get(key []byte) ([]byte, io.Closer, error)
	NewIter(o *pebble.IterOptions) (*pebble.Iterator, error)
}

func get(r reader, key []byte) ([]byte, bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("projections: get: %w", err)
	}
	out := bytes.Clone(v)
	if out == nil {
		out = []byte{}
	}
	return out, true, closer.Close()
}

func scan(r reader, prefix []byte, fn func(key, value []byte) error) error {
	lower := append([]byte{userPrefix}, prefix...)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return fmt.Errorf("projections: scan: %w", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		if err := fn(it.Key()[1:], it.Value()); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("projections: scan: %w", err)
	}
	return nil
}

// prefixEnd returns the smallest key greater than every key with prefix p.
// p always starts with userPrefix, so it is never all 0xff.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// LoadJSON returns the JSON object under key for changing in this batch: the
// one an earlier event (or the object cache) left in tx, else the stored
// value decoded into a new T, else a new zero T. Read models whose state is
// JSON share it; the caller puts the object back with SetObject(key, v,
// EncodeJSON).
func LoadJSON[T any](tx *Tx, key []byte) (*T, error) {
	if v, ok := tx.Object(key); ok {
		return v.(*T), nil
	}
	d := new(T)
	b, ok, err := tx.Get(key)
	if err != nil || !ok {
		return d, err
	}
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("projections: stored %s: %w", key, err)
	}
	return d, nil
}

// EncodeJSON is the encoder SetObject takes for objects LoadJSON loads.
func EncodeJSON(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if len(dst) == 0 {
		return b, err
	}
	return append(dst, b...), err
}
