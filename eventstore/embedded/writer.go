package embedded

import (
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// writer is the goroutine that orders appends: it checks them, assigns
// positions and versions, hashes and encodes them into one batch per group.
// It owns next, gen, heads and the ID windows; nothing else touches them.
type writer struct {
	s        *Store
	next     uint64 // the position the next recorded event gets
	gen      uint64 // the generation of the last group given a batch
	heads    *headCache
	groupIDs map[uuid.UUID]pendingEvent
	recent   recentIDs
	key      []byte
	val      []byte
	sval     []byte
	batchErr error // the batch refused an entry; see batchFailed
}

// group is one batch of appends, committed with one pebble batch.
type group struct {
	reqs  []*appendReq
	batch *pebble.Batch // nil when the group recorded nothing
	gen   uint64        // the writer's generation of batch
	first uint64        // the first position recorded, when batch is set
	last  uint64        // the last position recorded, when batch is set
	err   error         // the group failed as a whole
}

func newWriter(s *Store, head uint64) *writer {
	return &writer{
		s:        s,
		next:     head + 1,
		heads:    newHeadCache(s.db, s.opts.HeadCacheSize),
		groupIDs: make(map[uuid.UUID]pendingEvent),
		recent:   newRecentIDs(recentGenerations),
	}
}

// run takes appends off the queue in groups until the store closes, and
// passes each group down the pipeline: the applier applies its batch to
// pebble, the acker waits for its fsync and acknowledges it. The queue is
// unbuffered, so once run has returned no append is stranded in it: a
// sender either handed its append over or sees closing.
func (w *writer) run() {
	depth := pipelineDepth
	// slots bounds the groups in flight. The writer takes a slot before it
	// gathers a group, so appends that arrive while the disk syncs join the
	// next group rather than queue behind a group gathered too early.
	slots := make(chan struct{}, depth)
	applies := make(chan *group, depth)
	acks := make(chan *group, depth)
	ackerDone := make(chan struct{})
	go w.s.applyLoop(applies, acks)
	go w.s.ackLoop(acks, slots, ackerDone)
	defer func() {
		close(applies)
		<-ackerDone
		close(w.s.wdone)
	}()
	for {
		var first *appendReq
		select {
		case first = <-w.s.queue:
		case <-w.s.closing:
			return
		}
		slots <- struct{}{}
		reqs := append(make([]*appendReq, 0, 64), first)
	drain:
		for len(reqs) < w.s.opts.MaxGroupSize {
			select {
			case r := <-w.s.queue:
				reqs = append(reqs, r)
			default:
				break drain
			}
		}
		g := &group{reqs: reqs}
		w.prepareGroup(g)
		applies <- g
	}
}

// prepareGroup prepares every append of g into one batch. Appends are
// prepared in order, each seeing the heads and IDs left by the ones before
// it, so two appends to one stream in one group see each other; an append
// that fails leaves nothing in the batch and no trace in the caches.
func (w *writer) prepareGroup(g *group) {
	if f := w.s.failure.Load(); f != nil {
		g.err = *f
		return
	}
	if w.heads.full() {
		// Invariant 7: a head dropped from the cache is reloaded from
		// disk, so every group that wrote it must be applied first.
		if err := w.s.waitApplied(w.gen); err != nil {
			g.err = err
			return
		}
		w.heads.trim()
	}
	clear(w.groupIDs)
	// One timestamp per group, in UTC and rounded to what the hash and the
	// log keep (nanoseconds, no monotonic reading).
	at := time.Unix(0, w.s.opts.Clock().UnixNano()).UTC()
	b := w.s.db.NewBatch()
	first := w.next
	for _, r := range g.reqs {
		r.res, r.err = w.prepare(b, r, at)
	}
	if w.batchErr != nil {
		// The batch holds part of an append and the caches are ahead of
		// it: nothing of the group may be committed, nor anything after.
		b.Close()
		g.err = w.s.fail(w.batchErr)
		return
	}
	if w.next == first {
		b.Close()
		return
	}
	w.gen++
	w.recent.add(w.gen, w.groupIDs)
	g.batch, g.gen, g.first, g.last = b, w.gen, first, w.next-1
}

// batchFailed records that the group's batch refused an entry, which fails
// the group and the store, and returns err for the append at hand.
func (w *writer) batchFailed(err error) error {
	if w.batchErr == nil {
		w.batchErr = err
	}
	return err
}

// prepare checks one append and adds its events to b.
func (w *writer) prepare(b *pebble.Batch, r *appendReq, at time.Time) (eventstore.AppendResult, error) {
	var res eventstore.AppendResult
	if err := r.ctx.Err(); err != nil {
		return res, err
	}
	res, recorded, err := w.findRecorded(r)
	if err != nil || recorded {
		return res, err
	}
	h, err := w.heads.get(r.stream)
	if err != nil {
		return res, err
	}
	if err := eventstore.CheckExpected(r.stream, r.expected, h.version, h.exists); err != nil {
		return res, err
	}
	version := uint64(0)
	if h.exists {
		version = h.version + 1
	}
	prev := h.hash
	res.FirstVersion, res.FirstPosition = version, w.next
	for i := range r.events {
		d := &r.events[i]
		e := eventstore.RecordedEvent{
			ID: d.ID, Stream: r.stream, Version: version, Position: w.next,
			Type: d.Type, Data: d.Data, Metadata: d.Metadata, RecordedAt: at,
		}
		e.Hash = eventstore.ChainHash(prev, &e)
		prev = e.Hash
		// Invariant 1: the log record, the stream entry and the ID
		// index entry of an event are in the same batch.
		w.val = appendRecord(w.val[:0], &e, i, len(r.events))
		w.key = appendLogKey(w.key[:0], e.Position)
		if err := b.Set(w.key, w.val, nil); err != nil {
			return res, w.batchFailed(err)
		}
		w.sval = appendPosition(w.sval[:0], e.Position)
		w.sval = append(w.sval, w.val...)
		w.key = appendStreamKey(w.key[:0], r.stream, version)
		if err := b.Set(w.key, w.sval, nil); err != nil {
			return res, w.batchFailed(err)
		}
		w.key = appendIDKey(w.key[:0], d.ID)
		if err := b.Set(w.key, w.sval[:8], nil); err != nil {
			return res, w.batchFailed(err)
		}
		w.groupIDs[d.ID] = pendingEvent{req: r, index: i, position: e.Position, version: version}
		// Invariant 9: the filter knows the ID before its batch is applied.
		w.s.ids.add(d.ID)
		version++
		w.next++
	}
	res.LastVersion, res.LastPosition = version-1, w.next-1
	w.heads.put(r.stream, streamHead{version: version - 1, hash: prev, exists: true})
	return res, nil
}
