package embedded

import (
	"bytes"
	"slices"

	"github.com/cockroachdb/pebble/v2"
)

// indexEntries gathers a group's index entries so that they go into its
// batch in key order. pebble inserts a batch into its memtable one key after
// another, starting each search from where the last one ended; in key order
// most of each search is skipped, which measured about a third off the
// index's share of the commit path with 128 appenders.
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

func (e *indexEntries) key(ent indexEntry) []byte { return e.arena[ent.k : ent.k+ent.kn] }

// batch returns a new batch of db holding the entries in key order.
func (e *indexEntries) batch(db *pebble.DB) (*pebble.Batch, error) {
	slices.SortFunc(e.ents, func(a, b indexEntry) int { return bytes.Compare(e.key(a), e.key(b)) })
	b := db.NewBatch()
	for _, ent := range e.ents {
		if err := b.Set(e.key(ent), e.arena[ent.v:ent.v+ent.vn], nil); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}
