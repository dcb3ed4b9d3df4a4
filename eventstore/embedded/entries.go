package embedded

import (
	"github.com/cockroachdb/pebble/v2"
)

// indexEntries gathers index entries while the writer prepares a group, so
// that the batch is made, and can fail, in one place once the group is
// known to record something.
type indexEntries struct {
	arena []byte
	ents  []indexEntry
}

// indexEntry locates a key and its value in the arena.
type indexEntry struct{ k, kn, v, vn int }

func (e *indexEntries) reset() {
	e.arena = e.arena[:0]
	e.ents = e.ents[:0]
}

func (e *indexEntries) addKey(k, v []byte) {
	ent := indexEntry{k: len(e.arena), kn: len(k)}
	e.arena = append(e.arena, k...)
	ent.v, ent.vn = len(e.arena), len(v)
	e.arena = append(e.arena, v...)
	e.ents = append(e.ents, ent)
}

// add appends a key made by key(n) and a value made by val.
func (e *indexEntries) add(key func([]byte, uint64) []byte, n uint64, val func([]byte) []byte) {
	ent := indexEntry{k: len(e.arena)}
	e.arena = key(e.arena, n)
	ent.kn = len(e.arena) - ent.k
	ent.v = len(e.arena)
	e.arena = val(e.arena)
	ent.vn = len(e.arena) - ent.v
	e.ents = append(e.ents, ent)
}

// batch returns a new batch of db holding the entries. (Sorting them first,
// so that pebble's memtable insertions start from a nearby node, measured
// no faster.)
func (e *indexEntries) batch(db *pebble.DB) (*pebble.Batch, error) {
	b := db.NewBatch()
	for _, ent := range e.ents {
		if err := b.Set(e.arena[ent.k:ent.k+ent.kn], e.arena[ent.v:ent.v+ent.vn], nil); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}
