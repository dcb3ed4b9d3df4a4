package projections

import (
	"errors"
	"hash/maphash"

	"github.com/cockroachdb/pebble/v2"
)

// keyFilter is a Bloom filter of the keys a folder has stored in a copy it
// found empty: a key it does not hold was never stored, so Tx.Get answers
// "not found" without asking Pebble. A copy built from zero looks up every
// case's keys before their first event, and all of those lookups miss:
// 100,474 of 100,474 Gets replaying the 1M-event fixture into the four read
// models, each a search of the memtable and of every table that might hold
// the key.
//
// The filter only grows. A false positive costs the Pebble lookup that every
// Get made before; a key is added before the batch storing it is committed,
// so a failed commit leaves keys it holds that Pebble does not, which is a
// false positive too. Copies the folder did not start empty get no filter:
// what they hold is not known.
type keyFilter struct {
	bits []uint64
	seed maphash.Seed
}

const (
	// keyFilterBits is the filter's size: 1 MiB per folder. A read model
	// with a million keys finds about 2 % of its absent keys falsely
	// present; one with 100,000 keys, one in 170,000.
	keyFilterBits   = 1 << 23
	keyFilterHashes = 4
)

func newKeyFilter() *keyFilter {
	return &keyFilter{bits: make([]uint64, keyFilterBits/64), seed: maphash.MakeSeed()}
}

// emptyCopy reports whether db holds no projection key.
func emptyCopy(db *pebble.DB) (bool, error) {
	empty := true
	err := scan(db, nil, func(key, value []byte) error {
		empty = false
		return errFound
	})
	if errors.Is(err, errFound) {
		err = nil
	}
	return empty, err
}

// errFound ends emptyCopy's scan at the first key.
var errFound = errors.New("projections: a key is stored")

// add records key. maphash gives a string the hash of its bytes, so keys
// added as strings are found as bytes.
func (f *keyFilter) add(key string) {
	h := maphash.String(f.seed, key)
	// Double hashing: the probes are h1, h1+h2, h1+2*h2, ...
	h1, h2 := h, h>>32|1
	for i := range uint64(keyFilterHashes) {
		b := (h1 + i*h2) & (keyFilterBits - 1)
		f.bits[b/64] |= 1 << (b % 64)
	}
}

// mayHold reports whether key may have been added; false is certain.
func (f *keyFilter) mayHold(key []byte) bool {
	h := maphash.Bytes(f.seed, key)
	h1, h2 := h, h>>32|1
	for i := range uint64(keyFilterHashes) {
		b := (h1 + i*h2) & (keyFilterBits - 1)
		if f.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}
