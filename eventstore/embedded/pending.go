package embedded

import (
	"cmp"
	"slices"
	"sync"

	"github.com/google/uuid"
)

// groupIndex is what one group adds to the index.
type groupIndex struct {
	streams []streamEntry
	ids     []idEntry
	frame   frameEntry
	tip     tip
}

type streamEntry struct {
	stream  string
	version uint64
	l       loc
}

type idEntry struct {
	id uuid.UUID
	l  loc
}

type frameEntry struct {
	first uint64
	sp    span
}

// pendingIndex holds index entries of durable groups that are not in pebble
// yet (see "Index" in the package comment). Once sealed it is never changed.
type pendingIndex struct {
	streams map[string][]streamEntry // each stream's entries, in version order
	ids     map[uuid.UUID]loc
	frames  []frameEntry // in position order
	tip     tip
	bytes   int // the keys' and values' bytes, to seal at a size
}

// newPendingIndex sizes its maps for the one it follows, if any: growing
// them from empty to a sealed index's size rehashes them a dozen times.
func newPendingIndex(after *pendingIndex) *pendingIndex {
	var streams, ids int
	if after != nil {
		streams, ids = len(after.streams), len(after.ids)
	}
	return &pendingIndex{streams: make(map[string][]streamEntry, streams), ids: make(map[uuid.UUID]loc, ids)}
}

// add adds gi's stream and frame entries and its tip.
func (p *pendingIndex) add(gi *groupIndex) {
	for _, e := range gi.streams {
		p.streams[e.stream] = append(p.streams[e.stream], e)
		p.bytes += 1 + len(e.stream) + 1 + 8 + locSize
	}
	p.frames = append(p.frames, gi.frame)
	p.tip = gi.tip
	p.bytes += 9 + 12
}

// addIDs adds gi's ID entries, after add (see indexLoop).
func (p *pendingIndex) addIDs(gi *groupIndex) {
	for _, e := range gi.ids {
		p.ids[e.id] = e.l
		p.bytes += 1 + 16 + locSize
	}
}

// maxSealed bounds the sealed pending indexes waiting for the flusher. A
// pebble write stall (compactions behind, on a machine whose cores are
// busy) blocks the flusher; the commit path keeps going until this many
// are waiting, some hundreds of megabytes of maps with the default
// memtable, and only then waits.
const maxSealed = 8

// pending is the index's part in memory: the active pendingIndex the
// indexer adds to, and the sealed ones, oldest first, the flusher writes to
// pebble in order. Readers look here first and in pebble second: a sealed
// index is dropped only once it is in pebble, so a reader that no longer
// finds it here finds its entries in pebble (invariant 11).
type pending struct {
	mu      sync.RWMutex
	active  *pendingIndex
	sealed  []*pendingIndex
	flushed *sync.Cond // signalled, under mu, when a sealed index is written
}

func newPending() *pending {
	p := &pending{active: newPendingIndex(nil)}
	p.flushed = sync.NewCond(&p.mu)
	return p
}

// stream returns the stream's pending entries, in version order.
func (p *pending) stream(stream string) []streamEntry {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []streamEntry
	for _, pi := range p.sealed {
		out = append(out, pi.streams[stream]...)
	}
	return append(out, p.active.streams[stream]...)
}

// last returns the stream's last pending entry, if it has one.
func (p *pending) last(stream string) (streamEntry, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if ents := p.active.streams[stream]; len(ents) > 0 {
		return ents[len(ents)-1], true
	}
	for i := len(p.sealed) - 1; i >= 0; i-- {
		if ents := p.sealed[i].streams[stream]; len(ents) > 0 {
			return ents[len(ents)-1], true
		}
	}
	return streamEntry{}, false
}

func (p *pending) id(id uuid.UUID) (loc, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if l, ok := p.active.ids[id]; ok {
		return l, true
	}
	for _, pi := range p.sealed {
		if l, ok := pi.ids[id]; ok {
			return l, true
		}
	}
	return loc{}, false
}

// frame returns the pending frame holding pos, if pos is in one.
func (p *pending) frame(pos uint64) (frameEntry, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	// Newest first: the first index whose frames start at or before pos
	// holds it.
	for i := len(p.sealed); i >= 0; i-- {
		pi := p.active
		if i < len(p.sealed) {
			pi = p.sealed[i]
		}
		if len(pi.frames) == 0 || pi.frames[0].first > pos {
			continue
		}
		i, found := slices.BinarySearchFunc(pi.frames, pos, func(f frameEntry, pos uint64) int {
			return cmp.Compare(f.first, pos)
		})
		if !found {
			i--
		}
		return pi.frames[i], true
	}
	return frameEntry{}, false
}
