package embedded

import "sync"

// byteArena hands out the data and metadata of the events of one read from
// a few shared chunks instead of one allocation per event: a replay reads
// millions of events, and their allocations were most of the garbage it
// made. A caller that keeps one event keeps its chunk alive; chunks are
// small (arenaChunk), and a stream read sizes its one chunk exactly.
//
// A subscription's arena borrows its chunks from an arenaPool and lasts as
// long as the subscription, so that chunks its caller has recycled are
// written again (eventstore.Recycler).
type byteArena struct {
	buf  []byte
	size int // the size of the next chunk
	// With chunks set: chunk is the whole chunk buf is the rest of, and
	// last the position of the last event given bytes of it.
	chunks *arenaPool
	chunk  []byte
	last   uint64
}

const arenaChunk = 64 << 10

// alloc returns n bytes for the event at position pos that no other event
// shares; appending to them reallocates rather than writes into a neighbour
// (full slice expression).
func (a *byteArena) alloc(n int, pos uint64) []byte {
	if len(a.buf) < n {
		switch {
		case a.chunks != nil && n <= arenaChunk:
			if a.chunk != nil {
				a.chunks.retire(a.chunk, a.last)
			}
			a.chunk = a.chunks.get()
			a.buf = a.chunk
		default:
			// An event larger than a chunk gets memory of its own,
			// which is never recycled.
			a.buf = make([]byte, max(n, a.size, 1))
			a.size = arenaChunk
		}
	}
	b := a.buf[:n:n]
	a.buf = a.buf[n:]
	a.last = pos
	return b
}

// Bounds of an arenaPool. A caller that recycles late leaves the chunks
// beyond maxUsedChunks to the garbage collector; at most maxFreeChunks wait
// to be written again.
const (
	// 32 MiB of delivered events: what the projections runner holds at
	// most before it recycles (9 chunks of 1,024 events, some 7 MB with
	// the reference fixture's 720-byte events), with room to spare.
	maxUsedChunks = 512
	maxFreeChunks = 64
)

// arenaPool holds the arena chunks of one subscription: those written, in
// order, with the last position each holds data of, and those the caller has
// recycled. It keeps written chunks only once the caller has recycled
// something: a caller that never does (a live stream to a browser) leaves
// them all to the garbage collector, as if there were no pool. The
// subscription's Next retires and gets chunks while the caller's goroutine
// recycles them, hence the mutex.
type arenaPool struct {
	mu        sync.Mutex
	recycling bool // the caller has called recycle
	used      []usedChunk
	free      [][]byte
}

type usedChunk struct {
	buf  []byte
	last uint64
}

// get returns a chunk to write, a recycled one if there is one. Its bytes
// are not cleared: the arena hands out only what it has written.
func (p *arenaPool) get() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		return c
	}
	return make([]byte, arenaChunk)
}

// retire records that chunk is full and holds data of events up to last.
func (p *arenaPool) retire(chunk []byte, last uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.recycling {
		return
	}
	if len(p.used) == maxUsedChunks {
		p.used[0] = usedChunk{}
		p.used = p.used[1:]
	}
	p.used = append(p.used, usedChunk{buf: chunk, last: last})
}

// recycle frees the retired chunks holding only events at or before
// through. The chunk being written is never among them.
func (p *arenaPool) recycle(through uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recycling = true
	for len(p.used) > 0 && p.used[0].last <= through {
		if len(p.free) < maxFreeChunks {
			p.free = append(p.free, p.used[0].buf)
		}
		p.used[0] = usedChunk{}
		p.used = p.used[1:]
	}
}
