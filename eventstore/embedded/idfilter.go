package embedded

import (
	"hash/maphash"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/google/uuid"
)

// idFilter is an in-memory Bloom filter over every recorded event ID, so
// that the ID check of rule 7 can skip the ID index for the new IDs that
// almost every append carries: "no" is certain, "maybe" (a recorded ID, or
// about one new ID in a hundred) sends the caller to the index. Open fills
// it from the ID index; the writer adds each ID it prepares, before its
// batch is applied (invariant 9).
//
// It is blocked: the bits of an ID lie in one 512-bit block, one cache
// line, so a check costs one memory access. When the IDs outgrow it, a
// part twice the size is added; a check looks in every part.
type idFilter struct {
	seed  maphash.Seed
	parts atomic.Pointer[[]*bloomPart]
}

const (
	bloomBitsPerID = 10
	bloomProbes    = 7 // bits set per ID, each chosen by 9 bits of the hash
	bloomMinIDs    = 1 << 20
)

type bloomPart struct {
	words  []atomic.Uint64 // blocks of 8 words
	blocks uint64
	max    int // IDs it is sized for
	n      int // IDs added; the writer's (or Open's) only
}

func newBloomPart(ids int) *bloomPart {
	blocks := uint64(ids*bloomBitsPerID/512 + 1)
	return &bloomPart{words: make([]atomic.Uint64, blocks*8), blocks: blocks, max: ids}
}

func newIDFilter(ids int) *idFilter {
	f := &idFilter{seed: maphash.MakeSeed()}
	parts := []*bloomPart{newBloomPart(max(2*ids, bloomMinIDs))}
	f.parts.Store(&parts)
	return f
}

// loadIDFilter fills a filter with every ID in the ID index; head, the
// number of recorded events, sizes it.
func loadIDFilter(db *pebble.DB, head uint64) (*idFilter, error) {
	f := newIDFilter(int(head))
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixID}, UpperBound: []byte{prefixID + 1}})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var id uuid.UUID
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != 17 {
			return nil, errCorrupt
		}
		copy(id[:], k[1:])
		f.add(id)
	}
	return f, it.Error()
}

func (f *idFilter) hash(id uuid.UUID) (block, probes uint64) {
	h := maphash.Bytes(f.seed, id[:])
	return h, h*0x9e3779b97f4a7c15 ^ h>>29
}

// add records id. Only one goroutine adds at a time: Open, then the writer.
func (f *idFilter) add(id uuid.UUID) {
	parts := *f.parts.Load()
	p := parts[len(parts)-1]
	if p.n >= p.max {
		p = newBloomPart(2 * p.max)
		grown := append(parts[:len(parts):len(parts)], p)
		f.parts.Store(&grown)
	}
	b, probes := f.hash(id)
	base := (b % p.blocks) * 8
	for i := range bloomProbes {
		bit := probes >> (9 * i) & 511
		p.words[base+bit/64].Or(1 << (bit % 64))
	}
	p.n++
}

// mayContain reports whether id may have been added; false is certain.
// It is safe to call from any goroutine.
func (f *idFilter) mayContain(id uuid.UUID) bool {
	b, probes := f.hash(id)
	for _, p := range *f.parts.Load() {
		base := (b % p.blocks) * 8
		hit := true
		for i := range bloomProbes {
			bit := probes >> (9 * i) & 511
			if p.words[base+bit/64].Load()&(1<<(bit%64)) == 0 {
				hit = false
				break
			}
		}
		if hit {
			return true
		}
	}
	return false
}
