package projections

// objectCacheSize bounds the committed decoded objects a folder keeps across
// batches. Cases are interleaved in the log, so a batch of 1,000 events
// touches about as many cases and a case comes back many batches later. A
// decoded case document takes a few KB and every read model has its own
// cache, so this stays at the low end: replaying 20,000 dispute cases ran as
// fast with 16k objects as with 32k. Replaying the 1M-event fixture (22,671
// cases) into the four read models, no object left the cache and came back
// (no Tx.Get found its key), and 4k objects took no more CPU than 16k with a
// peak RSS of 446-458 MB against 698-710; it stays at 16k for the live
// folding of 100,000 cases, where a miss costs a read and a decoding, until
// that is measured.
const objectCacheSize = 16 << 10

// maxSpareEntries bounds the evicted entries kept for reuse.
const maxSpareEntries = 4 << 10

// objectCache holds committed decoded objects across batches, least
// recently used first out, so that the next Apply touching a key neither
// reads nor decodes it again. Every entry equals what is stored under its
// key as of the last flush: entries enter only when flushed (encoded into the
// batch), leave when Tx.Object hands them to Apply (they are pending again,
// so whatever Apply does to them is encoded at commit) and when Set or Delete
// overwrites their key. A dropped batch drops the cache (invariant 6): its
// entries may hold the uncommitted state.
//
// An entry moves between the cache and the Tx's pending objects as it is,
// and the LRU list runs through the entries: an object going round costs no
// allocation, where a list element, a cache record, a pending record and a
// key string were allocated for every object of every batch. The Tx keeps
// its pending objects in a map of their own, small and hot: one map holding
// both (a dirty mark per entry) made every Object a lookup among tens of
// thousands of keys, and Tx.Object went from 0.5 to 0.8 s per 1M events.
type objectCache struct {
	max   int
	items map[string]*entry
	lru   entry // sentinel: lru.next is the most recently used
	spare []*entry
}

// entry is one key's decoded object, pending in a Tx or cached.
type entry struct {
	key    string
	v      any
	encode Encoder
	// written says that Tx.writes holds this entry's bytes, put there by an
	// early flush (Tx.Get, Tx.Scan) in this batch; the entry's object
	// replaces them once it is pending again (a key is pending as an object
	// or as a write, never both).
	written    bool
	prev, next *entry // in the LRU list, while cached
}

func newObjectCache(max int) *objectCache {
	c := &objectCache{max: max, items: map[string]*entry{}}
	c.lru.prev, c.lru.next = &c.lru, &c.lru
	return c
}

// newEntry returns an entry for key, reusing an evicted one if it can.
func (c *objectCache) newEntry(key []byte, v any, encode Encoder) *entry {
	var e *entry
	if n := len(c.spare); n > 0 {
		e, c.spare = c.spare[n-1], c.spare[:n-1]
	} else {
		e = &entry{}
	}
	e.key, e.v, e.encode = string(key), v, encode
	return e
}

// take removes key's entry and returns it, or nil. Keys come in as bytes: a
// map indexed with string(key) allocates no string.
func (c *objectCache) take(key []byte) *entry {
	e, ok := c.items[string(key)]
	if !ok {
		return nil
	}
	c.unlink(e)
	delete(c.items, e.key)
	return e
}

// put makes e, just flushed, the most recently used entry of its key. It
// evicts nothing: trim does, at commit, so that no entry the batch may still
// refer to is reused meanwhile.
func (c *objectCache) put(e *entry) {
	if old, ok := c.items[e.key]; ok {
		c.unlink(old) // set with SetObject while cached; left to the collector
	}
	c.items[e.key] = e
	e.prev, e.next = &c.lru, c.lru.next
	e.prev.next, e.next.prev = e, e
}

func (c *objectCache) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

// remove drops key's entry, if any.
func (c *objectCache) remove(key []byte) {
	if e := c.take(key); e != nil {
		e.v, e.encode = nil, nil
	}
}

// trim evicts the least recently used entries beyond max.
func (c *objectCache) trim() {
	for len(c.items) > c.max {
		e := c.lru.prev
		c.unlink(e)
		delete(c.items, e.key)
		*e = entry{}
		if len(c.spare) < maxSpareEntries {
			c.spare = append(c.spare, e)
		}
	}
}

func (c *objectCache) clear() {
	clear(c.items)
	c.lru.prev, c.lru.next = &c.lru, &c.lru
}
