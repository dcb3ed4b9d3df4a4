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
	// fault that needs a code fix.
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

// Tx is the write transaction Apply works in: reads see the writes of earlier
// events of the same batch. It is valid only during Apply.
type Tx struct {
	b   *pebble.Batch
	buf []byte
	// objs are decoded values set with SetObject, encoded once at commit so
	// that a key updated by many events of a batch is encoded once.
	objs map[string]*object
	// cache keeps flushed objects for later batches; nil keeps none.
	cache *objectCache
	// enc is where objects are encoded: the batch copies their bytes, so
	// one buffer serves every object of every batch.
	enc []byte
}

// Encoder appends the stored bytes of v to dst and returns the result,
// which may be a new slice. dst is scratch space the Tx reuses once it has
// copied the bytes into its batch; an encoder must not keep it.
type Encoder func(dst []byte, v any) ([]byte, error)

type object struct {
	v      any
	encode Encoder
}

// Object returns the value last given to SetObject for key, in this batch
// or, if it is still cached, in an earlier committed one. A read model keeps
// its decoded state this way instead of reading and decoding it for every
// event. The value is pending again once returned: it is encoded and written
// at commit, so changing it in place is safe.
func (t *Tx) Object(key []byte) (any, bool) {
	if o, ok := t.objs[string(key)]; ok {
		return o.v, true
	}
	if t.cache == nil {
		return nil, false
	}
	o, ok := t.cache.take(key)
	if !ok {
		return nil, false
	}
	t.setObject(string(key), o)
	return o.v, true
}

// SetObject makes v the value of key; encode turns it into the stored bytes
// when the batch commits, or earlier when Get or Scan needs them. Changes to
// v after that are not stored unless SetObject is called again, so call it
// after every change, and do not keep v beyond the Apply that got it: a
// later batch may be handed the same v by Object, which must equal what
// decoding the stored bytes would give.
func (t *Tx) SetObject(key []byte, v any, encode Encoder) {
	// Most calls set again the object Object just returned: updating it
	// in place spares a key string per event.
	if o, ok := t.objs[string(key)]; ok {
		o.v, o.encode = v, encode
		return
	}
	t.setObject(string(key), object{v: v, encode: encode})
}

func (t *Tx) setObject(key string, o object) {
	if t.objs == nil {
		t.objs = map[string]*object{}
	}
	t.objs[key] = &o
}

// flush writes every pending object into the batch.
func (t *Tx) flush() error {
	for k, o := range t.objs {
		b, err := t.encode(o)
		if err != nil {
			return fmt.Errorf("projections: encode %q: %w", k, err)
		}
		if err := t.b.Set(t.key([]byte(k)), b, nil); err != nil {
			return err
		}
		if t.cache != nil {
			t.cache.put(k, *o)
		}
	}
	clear(t.objs)
	return nil
}

// flushKey writes key's pending object, if any, into the batch.
func (t *Tx) flushKey(key []byte) error {
	o, ok := t.objs[string(key)]
	if !ok {
		return nil
	}
	delete(t.objs, string(key))
	b, err := t.encode(o)
	if err != nil {
		return fmt.Errorf("projections: encode %q: %w", string(key), err)
	}
	if err := t.b.Set(t.key(key), b, nil); err != nil {
		return err
	}
	if t.cache != nil {
		t.cache.put(string(key), *o)
	}
	return nil
}

// encode encodes o into t.enc, valid until the next encode.
func (t *Tx) encode(o *object) ([]byte, error) {
	b, err := o.encode(t.enc[:0], o.v)
	if cap(b) > cap(t.enc) {
		t.enc = b[:0]
	}
	return b, err
}

// forget drops key's decoded object, pending or cached: its stored bytes are
// being replaced by other means.
func (t *Tx) forget(key []byte) {
	delete(t.objs, string(key))
	if t.cache != nil {
		t.cache.remove(key)
	}
}

func (t *Tx) key(k []byte) []byte {
	t.buf = append(append(t.buf[:0], userPrefix), k...)
	return t.buf
}

// Get returns a copy of the value stored under key, and whether there is one.
func (t *Tx) Get(key []byte) ([]byte, bool, error) {
	if err := t.flushKey(key); err != nil {
		return nil, false, err
	}
	return get(t.b, t.key(key))
}

// Set stores value under key.
func (t *Tx) Set(key, value []byte) error {
	t.forget(key)
	return t.b.Set(t.key(key), value, nil)
}

// Delete removes key.
func (t *Tx) Delete(key []byte) error {
	t.forget(key)
	return t.b.Delete(t.key(key), nil)
}

// Scan calls fn for every key starting with prefix, in key order. The slices
// are valid only during the call.
func (t *Tx) Scan(prefix []byte, fn func(key, value []byte) error) error {
	if err := t.flush(); err != nil {
		return err
	}
	return scan(t.b, prefix, fn)
}

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
