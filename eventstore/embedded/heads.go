package embedded

import (
	"github.com/cockroachdb/pebble/v2"
)

// streamHead is the state of a stream the version check and the chain need.
type streamHead struct {
	version uint64
	hash    [32]byte
	exists  bool
}

// headCache keeps stream heads in memory so that version checks do not read
// the disk on the hot path. It belongs to the writer goroutine. Heads it
// drops are reloaded from disk, where every applied batch is visible,
// synced or not (invariant 7).
type headCache struct {
	s     *Store
	max   int
	heads map[string]streamHead
}

func newHeadCache(s *Store, max int) *headCache {
	return &headCache{s: s, max: max, heads: make(map[string]streamHead)}
}

func (c *headCache) full() bool { return len(c.heads) > c.max }

// trim drops arbitrary heads once the cache is over its bound. It runs
// between groups only, once every group is applied (invariant 7).
func (c *headCache) trim() {
	keep := c.max * 3 / 4
	for k := range c.heads {
		if len(c.heads) <= keep {
			break
		}
		delete(c.heads, k)
	}
}

func (c *headCache) put(stream string, h streamHead) { c.heads[stream] = h }

// get returns the head of stream, loading it from disk if needed. Missing
// streams are not cached: a new stream's first append puts its head.
func (c *headCache) get(stream string) (streamHead, error) {
	if h, ok := c.heads[stream]; ok {
		return h, nil
	}
	h, err := c.s.loadHead(stream)
	if err != nil || !h.exists {
		return h, err
	}
	c.heads[stream] = h
	return h, nil
}

// loadHead reads the last stream entry of stream, pending or in pebble
// (invariant 11), and its record, for the chain hash.
func (s *Store) loadHead(stream string) (streamHead, error) {
	if e, ok := s.pending.last(stream); ok {
		var rec record
		if _, err := s.readRecord(nil, e.l, &rec); err != nil {
			return streamHead{}, err
		}
		return streamHead{version: e.version, hash: rec.hash, exists: true}, nil
	}
	lower, upper := streamBounds(stream)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return streamHead{}, err
	}
	defer it.Close()
	if !it.Last() {
		return streamHead{}, it.Error()
	}
	l, err := s.entryLoc(it)
	if err != nil {
		return streamHead{}, err
	}
	var rec record
	if _, err := s.readRecord(nil, l, &rec); err != nil {
		return streamHead{}, err
	}
	return streamHead{version: versionOfStreamKey(it.Key()), hash: rec.hash, exists: true}, nil
}
