package projections

import (
	"bytes"
	"fmt"
	"slices"
	"unsafe"

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
	objs map[string]*entry
	// writes are the batch's other changes: by key, the index of the last
	// one in changes. Their keys are strings over keys and their values lie
	// in vals, each back to back for the batch: a write allocates nothing
	// once the buffers have grown, and a key written again is updated in
	// changes (assigning to the map would allocate the key as a string).
	writes  map[string]int
	changes []write
	keys    []byte
	vals    []byte
	// written lists the entries flushed early in this batch, whose written
	// marks commit clears.
	written []*entry
	// cache keeps flushed objects for later batches.
	cache *objectCache
	// stored holds every key the Tx has written, when the copy was empty
	// before it; nil otherwise.
	stored *keyFilter
	// enc is where objects are encoded: the batch copies their bytes, so
	// one buffer serves every object of every batch.
	enc []byte
	buf []byte
	// objFirst has a bit set for the first byte of every key ever pending
	// as an object: every key in objs or the cache has its bit, so Set and
	// Delete of a key without one (the read models' index entries) skip
	// looking for an object to forget, two lookups in large maps.
	objFirst [4]uint64
	// sortedObjs and sortedWrites are writeTo's, kept for their room.
	sortedObjs   []*entry
	sortedWrites []keyedWrite
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

// Object returns the value last given to SetObject for key, in this batch
// or, if it is still cached, in an earlier committed one. A read model keeps
// its decoded state this way instead of reading and decoding it for every
// event. The value is pending again once returned: it is encoded and written
// at commit, so changing it in place is safe.
func (t *Tx) Object(key []byte) (any, bool) {
	if e, ok := t.objs[string(key)]; ok {
		return e.v, true
	}
	e := t.cache.take(key)
	if e == nil {
		return nil, false
	}
	if e.written {
		delete(t.writes, e.key)
		e.written = false
	}
	t.pend(e)
	return e.v, true
}

// SetObject makes v the value of key; encode turns it into the stored bytes
// when the batch commits, or earlier when Get or Scan needs them. Changes to
// v after that are not stored unless SetObject is called again, so call it
// after every change, and do not keep v beyond the Apply that got it: a
// later batch may be handed the same v by Object, which must equal what
// decoding the stored bytes would give.
func (t *Tx) SetObject(key []byte, v any, encode Encoder) {
	// Most calls set again the object Object just returned.
	if e, ok := t.objs[string(key)]; ok {
		e.v, e.encode = v, encode
		return
	}
	if len(t.writes) > 0 {
		delete(t.writes, string(key))
	}
	t.pend(t.cache.newEntry(key, v, encode))
}

func (t *Tx) pend(e *entry) {
	if t.objs == nil {
		t.objs = map[string]*entry{}
	}
	t.objs[e.key] = e
	if len(e.key) > 0 {
		t.objFirst[e.key[0]>>6] |= 1 << (e.key[0] & 63)
	}
}

// flushKey turns key's pending object, if any, into a pending write.
func (t *Tx) flushKey(key []byte) error {
	e, ok := t.objs[string(key)]
	if !ok {
		return nil
	}
	if err := t.flush(e); err != nil {
		return err
	}
	delete(t.objs, e.key)
	return nil
}

// flushObjects turns every pending object into a pending write.
func (t *Tx) flushObjects() error {
	for _, e := range t.objs {
		if err := t.flush(e); err != nil {
			return err
		}
	}
	clear(t.objs)
	return nil
}

// flush encodes the pending entry e into writes and caches it; the caller
// removes it from objs.
func (t *Tx) flush(e *entry) error {
	b, err := t.encode(e)
	if err != nil {
		return fmt.Errorf("projections: encode %q: %w", e.key, err)
	}
	// e.key is a string already, and no write of it is pending.
	if t.writes == nil {
		t.writes = map[string]int{}
	}
	t.writes[e.key] = len(t.changes)
	t.changes = append(t.changes, write{off: len(t.vals), n: len(b)})
	t.vals = append(t.vals, b...)
	e.written = true
	t.written = append(t.written, e)
	t.cache.put(e)
	return nil
}

// encode encodes e's object into t.enc, valid until the next encode.
func (t *Tx) encode(e *entry) ([]byte, error) {
	b, err := e.encode(t.enc[:0], e.v)
	if cap(b) > cap(t.enc) {
		t.enc = b[:0]
	}
	return b, err
}

// put makes value (or a deletion) the pending write of key.
func (t *Tx) put(key, value []byte, del bool) {
	if t.writes == nil {
		t.writes = map[string]int{}
	}
	w := write{off: len(t.vals), n: len(value), del: del}
	t.vals = append(t.vals, value...)
	if i, ok := t.writes[string(key)]; ok {
		t.changes[i] = w
		return
	}
	t.writes[t.keyOf(key)] = len(t.changes)
	t.changes = append(t.changes, w)
}

// keyOf returns key as a string over t.keys instead of a string of its
// own, which was the most frequent allocation of the Tx. The string points
// into the buffer: its bytes are never written again until reset clears
// the map holding it, and a buffer outgrown by append stays as it was for
// the strings over it.
func (t *Tx) keyOf(key []byte) string {
	if len(key) == 0 {
		return ""
	}
	off := len(t.keys)
	t.keys = append(t.keys, key...)
	return unsafe.String(&t.keys[off], len(key))
}

// forget drops key's decoded object, pending or cached: its stored bytes are
// being replaced by other means.
func (t *Tx) forget(key []byte) {
	if len(key) > 0 && t.objFirst[key[0]>>6]&(1<<(key[0]&63)) == 0 {
		return // no object ever had a key starting so: an index key
	}
	if len(t.objs) > 0 {
		delete(t.objs, string(key))
	}
	if len(t.cache.items) > 0 {
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
	if i, ok := t.writes[string(key)]; ok {
		w := t.changes[i]
		if w.del {
			return nil, false, nil
		}
		return bytes.Clone(t.vals[w.off : w.off+w.n : w.off+w.n]), true, nil
	}
	if t.stored != nil && !t.stored.mayHold(key) {
		return nil, false, nil
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
		if w := t.changes[t.writes[k]]; !w.del {
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
