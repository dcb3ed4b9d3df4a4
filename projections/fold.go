package projections

import (
	"encoding/binary"
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/cockroachdb/pebble/v2"
)

// ApplyError reports the event a projection failed on (invariant 6).
type ApplyError struct {
	Projection string
	Version    int
	EventType  string
	Stream     string
	// StreamVersion is the event's version within Stream.
	StreamVersion uint64
	Position      uint64
	Err           error
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("projections: %s v%d failed at position %d (%s in %s, version %d): %v",
		e.Projection, e.Version, e.Position, e.EventType, e.Stream, e.StreamVersion, e.Err)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// folder folds events into one copy, batching many events into one Pebble
// batch that carries the checkpoint too (invariant 3).
type folder struct {
	c      *dbCopy
	p      Projection
	dp     DomainProjection // p, when it folds domain events
	filter eventstore.Filter
	tx     Tx
	// batch carries each commit to Pebble. It is not indexed (the Tx
	// serves reads of its own writes) and it is reset and reused, keeping
	// its buffer, instead of being allocated for every commit.
	batch *pebble.Batch
	// pos is the position reached by the uncommitted batch; dirty says the
	// batch holds something (state or a checkpoint move) to commit.
	pos   uint64
	dirty bool
}

// newFolder starts with an empty object cache: a folder is made per run of
// a copy, so a new or rebuilt copy never sees another copy's objects.
func newFolder(c *dbCopy, p Projection) *folder {
	f := &folder{c: c, p: p, filter: p.Filter(), pos: c.position.Load()}
	f.dp, _ = p.(DomainProjection)
	f.tx.db = c.db
	f.tx.cache = newObjectCache(objectCacheSize)
	// A copy not shown empty, or whose read failed, gets no filter: its
	// Gets ask Pebble, as they always did.
	if empty, err := emptyCopy(c.db); err == nil && empty {
		f.tx.stored = newKeyFilter()
	}
	f.batch = c.db.NewBatch(pebble.WithMaxRetainedSizeBytes(maxRetainedBatch))
	return f
}

// apply folds e if it passes the filter, and moves the checkpoint past it
// either way (invariant 5). Events at or before the checkpoint were folded
// already and are ignored, which keeps a resumed subscription exact even if a
// backend re-delivers its boundary event.
func (f *folder) apply(it *item) error {
	e := &it.msg.Event
	if e.Position <= f.pos {
		return nil
	}
	if f.filter.IsZero() || f.filter.Matches(e) {
		if err := f.call(it); err != nil {
			return &ApplyError{Projection: f.p.Name(), Version: f.p.Version(), EventType: e.Type,
				Stream: e.Stream, StreamVersion: e.Version, Position: e.Position, Err: err}
		}
	}
	f.pos = e.Position
	f.dirty = true
	return nil
}

// call runs Apply, or ApplyEvent with the event as decoded by the feed
// (or here, if nobody did), turning a panic into an error so that one
// broken handler stops its projection only.
func (f *folder) call(it *item) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	e := &it.msg.Event
	if f.dp == nil {
		return f.p.Apply(&f.tx, e)
	}
	// Items are shared by the members of a feed: never written here.
	ev, err := it.ev, it.err
	if ev == nil && err == nil {
		ev, err = domain.Decode(e.Type, e.Data, e.Metadata)
	}
	if err != nil {
		return err
	}
	return f.dp.ApplyEvent(&f.tx, e, ev)
}

// wants reports whether the folder folds e as a domain event.
func (f *folder) wants(e *eventstore.RecordedEvent) bool {
	return f.dp != nil && (f.filter.IsZero() || f.filter.Matches(e))
}

// advance moves the checkpoint to pos without an event: the store said
// nothing lies between (a caught-up or checkpoint message).
func (f *folder) advance(pos uint64) {
	if pos > f.pos {
		f.pos = pos
		f.dirty = true
	}
}

// commit writes the checkpoint into the batch and commits state and
// checkpoint together; only then do readers see the new position.
func (f *folder) commit() error {
	if !f.dirty {
		return nil
	}
	b := f.batch
	err := f.tx.writeTo(b)
	if err == nil {
		var cp [8]byte
		binary.BigEndian.PutUint64(cp[:], f.pos)
		err = b.Set(keyCheckpoint, cp[:], nil)
	}
	if err == nil {
		err = b.Commit(pebble.NoSync)
	}
	f.reset()
	if err != nil {
		// The flush cached this batch's objects; none of it is stored.
		f.tx.cache.clear()
		return fmt.Errorf("projections: commit %s: %w", f.c.id.dir(), err)
	}
	f.c.position.Store(f.pos)
	return nil
}

// discard drops the uncommitted batch; the copy stays at its checkpoint.
// The object cache goes too: Apply may have changed cached objects in place
// before it failed, and a flush in the batch may have cached state that is
// never committed (invariant 6).
func (f *folder) discard() {
	f.reset()
	f.tx.cache.clear()
	f.pos = f.c.position.Load()
}

func (f *folder) reset() {
	f.batch.Reset()
	f.tx.reset()
	f.dirty = false
}

// full reports whether the batch holds as many decoded objects or written
// bytes as a batch may, and is to be committed now however few events it
// folded.
func (f *folder) full() bool {
	return len(f.tx.objs) >= maxPendingObjects || len(f.tx.vals)+len(f.tx.keys) >= maxPendingBytes
}

// maxPendingObjects bounds the decoded objects of one batch, which are kept
// beside the folder's cache until the commit: the events of a catch-up
// batch bound nothing when a store holds 100,000 cases or more, and every
// one of them may be touched. With it a folder holds at most twice
// objectCacheSize objects, as with the 32k-event batches it had before.
const maxPendingObjects = objectCacheSize

// maxPendingBytes bounds the keys and values a batch writes with Set and
// Delete, for the same reason.
const maxPendingBytes = 16 << 20

// maxRetainedBatch bounds the buffer a folder's batch keeps between
// commits; a catch-up batch of 16k objects takes some tens of MB.
const maxRetainedBatch = 64 << 20
