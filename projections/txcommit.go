package projections

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// writeTo puts every pending object and write into b, leaving the Tx
// empty and the objects cached. It puts them in key order: pebble's
// memtable starts each insertion from where the last one went in, so
// ascending keys skip most of the skiplist search that keys in a map's
// random order pay for.
func (t *Tx) writeTo(b *pebble.Batch) error {
	objs := t.sortedObjs[:0]
	for _, e := range t.objs {
		objs = append(objs, e)
	}
	slices.SortFunc(objs, func(a, b *entry) int { return strings.Compare(a.key, b.key) })
	for _, e := range objs {
		v, err := t.encode(e)
		if err != nil {
			return fmt.Errorf("projections: encode %q: %w", e.key, err)
		}
		// Deferred, the key and value are copied into the batch once, not
		// assembled in t.buf first.
		op := b.SetDeferred(1+len(e.key), len(v))
		op.Key[0] = userPrefix
		copy(op.Key[1:], e.key)
		copy(op.Value, v)
		if err := op.Finish(); err != nil {
			return err
		}
		if t.stored != nil {
			t.stored.add(e.key)
		}
		t.cache.put(e)
	}
	writes := t.sortedWrites[:0]
	for k, i := range t.writes {
		writes = append(writes, keyedWrite{k, i})
	}
	slices.SortFunc(writes, func(a, b keyedWrite) int { return strings.Compare(a.key, b.key) })
	for _, kw := range writes {
		k, w := kw.key, t.changes[kw.i]
		var err error
		if w.del {
			err = b.Delete(t.keyString(k), nil)
		} else {
			if t.stored != nil {
				t.stored.add(k)
			}
			err = b.Set(t.keyString(k), t.vals[w.off:w.off+w.n], nil)
		}
		if err != nil {
			return err
		}
	}
	// The slices keep their room for the next batch, not their pointers.
	clear(objs)
	clear(writes)
	t.sortedObjs, t.sortedWrites = objs[:0], writes[:0]
	t.reset()
	t.cache.trim()
	return nil
}

// keyedWrite is one of Tx.writes, for putting them in key order.
type keyedWrite struct {
	key string
	i   int
}

// reset drops whatever the batch had pending.
func (t *Tx) reset() {
	clear(t.objs)
	clear(t.writes)
	t.changes = t.changes[:0]
	t.keys = t.keys[:0]
	t.vals = t.vals[:0]
	for _, e := range t.written {
		e.written = false
	}
	clear(t.written)
	t.written = t.written[:0]
}
