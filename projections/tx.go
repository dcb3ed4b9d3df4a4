package projections

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"
)

// Tx is the write transaction Apply works in: reads see the writes of earlier
// events of the same batch. It is valid only during Apply.
//
// The batch's writes wait in the Tx, the last one per key, and reach a
// Pebble batch only at commit: an indexed Pebble batch kept every write in a
// skiplist to serve those reads, was allocated anew for every commit (a
// seventh of a replay's allocations), and carried to the memtable the index
// entries that a later event of the same batch replaced.
type Tx struct {
	db *pebble.DB // the committed state, under the batch's writes
	// objs are decoded values set with SetObject, encoded once at commit so
	// that a key updated by many events of a batch is encoded once. A key
	// is in objs or in writes, never both.
	objs map[string]*object
	// writes are the batch's other changes by key; vals holds their values,
	// back to back, for the batch.
	writes map[string]write
	vals   []byte
	// cache keeps flushed objects for later batches; nil keeps none.
	cache *objectCache
	// enc is where objects are encoded: the batch copies their bytes, so
	// one buffer serves every object of every batch.
	enc []byte
	buf []byte
}

// write is a pending Set (vals[off:off+n]) or Delete of one key.
type write struct {
	off, n int
	del    bool
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
	t.setObject(key, o)
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
	t.setObject(key, object{v: v, encode: encode})
}

func (t *Tx) setObject(key []byte, o object) {
	if t.objs == nil {
		t.objs = map[string]*object{}
	}
	delete(t.writes, string(key))
	t.objs[string(key)] = &o
}

// flushKey turns key's pending object, if any, into a pending write.
func (t *Tx) flushKey(key []byte) error {
	o, ok := t.objs[string(key)]
	if !ok {
		return nil
	}
	b, err := t.encode(o)
	if err != nil {
		return fmt.Errorf("projections: encode %q: %w", string(key), err)
	}
	delete(t.objs, string(key))
	t.put(key, b, false)
	if t.cache != nil {
		t.cache.put(string(key), *o)
	}
	return nil
}

// flushObjects turns every pending object into a pending write.
func (t *Tx) flushObjects() error {
	for k, o := range t.objs {
		b, err := t.encode(o)
		if err != nil {
			return fmt.Errorf("projections: encode %q: %w", k, err)
		}
		t.putString(k, b)
		if t.cache != nil {
			t.cache.put(k, *o)
		}
	}
	clear(t.objs)
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

// put makes value (or a deletion) the pending write of key.
func (t *Tx) put(key, value []byte, del bool) {
	if t.writes == nil {
		t.writes = map[string]write{}
	}
	w := write{off: len(t.vals), n: len(value), del: del}
	t.vals = append(t.vals, value...)
	if _, ok := t.writes[string(key)]; ok {
		t.writes[string(key)] = w // no new key string
		return
	}
	t.writes[string(key)] = w
}

// putString is put of a Set whose key is a string already.
func (t *Tx) putString(key string, value []byte) {
	if t.writes == nil {
		t.writes = map[string]write{}
	}
	t.writes[key] = write{off: len(t.vals), n: len(value)}
	t.vals = append(t.vals, value...)
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

func (t *Tx) keyString(k string) []byte {
	t.buf = append(append(t.buf[:0], userPrefix), k...)
	return t.buf
}

// Get returns a copy of the value stored under key, and whether there is one.
func (t *Tx) Get(key []byte) ([]byte, bool, error) {
	if err := t.flushKey(key); err != nil {
		return nil, false, err
	}
	if w, ok := t.writes[string(key)]; ok {
		if w.del {
			return nil, false, nil
		}
		return bytes.Clone(t.vals[w.off : w.off+w.n : w.off+w.n]), true, nil
	}
	return get(t.db, t.key(key))
}

// Set stores value under key.
func (t *Tx) Set(key, value []byte) error {
	t.forget(key)
	t.put(key, value, false)
	return nil
}

// Delete removes key.
func (t *Tx) Delete(key []byte) error {
	t.forget(key)
	t.put(key, nil, true)
	return nil
}

// Scan calls fn for every key starting with prefix, in key order. The slices
// are valid only during the call.
func (t *Tx) Scan(prefix []byte, fn func(key, value []byte) error) error {
	if err := t.flushObjects(); err != nil {
		return err
	}
	var pending []string
	for k := range t.writes {
		if len(k) >= len(prefix) && k[:len(prefix)] == string(prefix) {
			pending = append(pending, k)
		}
	}
	slices.Sort(pending)
	// Merge the committed keys with the pending writes, which win.
	emit := func(k string) error {
		if w := t.writes[k]; !w.del {
			return fn([]byte(k), t.vals[w.off:w.off+w.n:w.off+w.n])
		}
		return nil
	}
	err := scan(t.db, prefix, func(key, value []byte) error {
		for len(pending) > 0 && pending[0] <= string(key) {
			k := pending[0]
			pending = pending[1:]
			if k == string(key) {
				return emit(k)
			}
			if err := emit(k); err != nil {
				return err
			}
		}
		return fn(key, value)
	})
	if err != nil {
		return err
	}
	for _, k := range pending {
		if err := emit(k); err != nil {
			return err
		}
	}
	return nil
}

// writeTo puts every pending object and write into b, leaving the Tx
// empty.
func (t *Tx) writeTo(b *pebble.Batch) error {
	for k, o := range t.objs {
		v, err := t.encode(o)
		if err != nil {
			return fmt.Errorf("projections: encode %q: %w", k, err)
		}
		if err := b.Set(t.keyString(k), v, nil); err != nil {
			return err
		}
		if t.cache != nil {
			t.cache.put(k, *o)
		}
	}
	for k, w := range t.writes {
		var err error
		if w.del {
			err = b.Delete(t.keyString(k), nil)
		} else {
			err = b.Set(t.keyString(k), t.vals[w.off:w.off+w.n], nil)
		}
		if err != nil {
			return err
		}
	}
	t.reset()
	return nil
}

// reset drops whatever the batch had pending.
func (t *Tx) reset() {
	clear(t.objs)
	clear(t.writes)
	t.vals = t.vals[:0]
}
