package projections

import "container/list"

// objectCacheSize bounds the decoded objects a folder keeps across batches.
// Cases are interleaved in the log, so a batch of 1,000 events touches about
// as many cases and a case comes back many batches later. A decoded case
// document takes a few KB and every read model has its own cache, so this
// stays at the low end: replaying 20,000 dispute cases ran as fast with
// 16k objects as with 32k.
const objectCacheSize = 16 << 10

// objectCache holds committed decoded objects across batches, least
// recently used first out, so that the next Apply touching a key neither
// reads nor decodes it again. Every entry equals what is stored under its
// key as of the last flush: objects enter only when flushed (encoded into the
// batch), leave when Tx.Object hands them to Apply (they are pending again,
// so whatever Apply does to them is encoded at commit) and when Set or Delete
// overwrites their key. A dropped batch drops the cache (invariant 6): its
// entries may hold the uncommitted state.
type objectCache struct {
	max   int
	ll    *list.List // front is most recently used; values are *cacheEntry
	items map[string]*list.Element
}

type cacheEntry struct {
	key string
	o   object
}

func newObjectCache(max int) *objectCache {
	return &objectCache{max: max, ll: list.New(), items: map[string]*list.Element{}}
}

// take removes key's object and returns it. Keys come in as bytes: a map
// indexed with string(key) allocates no string.
func (c *objectCache) take(key []byte) (object, bool) {
	el, ok := c.items[string(key)]
	if !ok {
		return object{}, false
	}
	c.ll.Remove(el)
	delete(c.items, string(key))
	return el.Value.(*cacheEntry).o, true
}

// put makes o the cached object of key, evicting the least recently used
// object when full.
func (c *objectCache) put(key string, o object) {
	if el, ok := c.items[key]; ok {
		el.Value.(*cacheEntry).o = o
		c.ll.MoveToFront(el)
		return
	}
	if c.ll.Len() >= c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*cacheEntry).key)
	}
	c.items[key] = c.ll.PushFront(&cacheEntry{key: key, o: o})
}

func (c *objectCache) remove(key []byte) {
	if el, ok := c.items[string(key)]; ok {
		c.ll.Remove(el)
		delete(c.items, string(key))
	}
}

func (c *objectCache) clear() {
	c.ll.Init()
	clear(c.items)
}
