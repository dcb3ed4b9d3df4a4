package embedded

import (
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// pipelineDepth is how many applied groups may wait for their fsync while
// the writer prepares the next one.
const pipelineDepth = 4

// writer is the single goroutine that orders appends. It owns next, heads
// and groupIDs; nothing else touches them.
type writer struct {
	s        *Store
	next     uint64 // the position the next recorded event gets
	heads    *headCache
	groupIDs map[uuid.UUID]pendingEvent
	key      []byte
	val      []byte
	reqs     []*appendReq
}

// group is one batch of appends, committed with one pebble batch.
type group struct {
	reqs  []*appendReq
	batch *pebble.Batch // nil when the group recorded nothing
	last  uint64        // the last position recorded, when batch is set
	err   error         // the group failed as a whole
}

func newWriter(s *Store, head uint64) *writer {
	return &writer{
		s:        s,
		next:     head + 1,
		heads:    newHeadCache(s.db, s.opts.HeadCacheSize),
		groupIDs: make(map[uuid.UUID]pendingEvent),
	}
}

// run takes appends off the queue in groups until the store closes. The
// queue is unbuffered, so once run has returned no append can be left
// stranded in it: a sender either handed its append over or sees closing.
func (w *writer) run() {
	acks := make(chan *group, pipelineDepth)
	ackerDone := make(chan struct{})
	go w.ackLoop(acks, ackerDone)
	defer func() {
		close(acks)
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
		reqs := append(w.reqs[:0], first)
	drain:
		for len(reqs) < w.s.opts.MaxGroupSize {
			select {
			case r := <-w.s.queue:
				reqs = append(reqs, r)
			default:
				break drain
			}
		}
		// The acker keeps the slice, so the next group needs its own.
		g := &group{reqs: reqs}
		w.reqs = make([]*appendReq, 0, cap(reqs))
		w.commit(g)
		acks <- g
	}
}

// commit prepares every append of g into one batch and applies it to pebble
// without waiting for the fsync, which the acker awaits. Appends are
// prepared in order, each seeing the heads and IDs left by the ones before
// it, so two appends to one stream in one group see each other; an append
// that fails leaves nothing in the batch and no trace in the caches.
func (w *writer) commit(g *group) {
	if f := w.s.failure.Load(); f != nil {
		g.err = *f
		return
	}
	w.heads.trim()
	clear(w.groupIDs)
	// One timestamp per group, in UTC and rounded to what the hash and the
	// log keep (nanoseconds, no monotonic reading).
	at := time.Unix(0, w.s.opts.Clock().UnixNano()).UTC()
	b := w.s.db.NewBatch()
	first := w.next
	for _, r := range g.reqs {
		r.res, r.err = w.prepare(b, r, at)
	}
	if w.next == first {
		b.Close()
		return
	}
	if err := w.s.db.ApplyNoSyncWait(b, pebble.Sync); err != nil {
		b.Close()
		g.err = w.s.fail(err)
		return
	}
	g.batch, g.last = b, w.next-1
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
		// Invariant 1: the log record, the stream index entry and the ID
		// index entry of an event are in the same batch.
		w.key = appendLogKey(w.key[:0], e.Position)
		w.val = appendRecord(w.val[:0], &e, i, len(r.events))
		if err := b.Set(w.key, w.val, nil); err != nil {
			return res, err
		}
		w.key = appendStreamKey(w.key[:0], r.stream, version)
		w.val = appendPosition(w.val[:0], e.Position)
		if err := b.Set(w.key, w.val, nil); err != nil {
			return res, err
		}
		w.key = appendIDKey(w.key[:0], d.ID)
		if err := b.Set(w.key, w.val, nil); err != nil {
			return res, err
		}
		w.groupIDs[d.ID] = pendingEvent{req: r, index: i, position: e.Position, version: version}
		version++
		w.next++
	}
	res.LastVersion, res.LastPosition = version-1, w.next-1
	w.heads.put(r.stream, streamHead{version: version - 1, hash: prev, exists: true})
	return res, nil
}

// ackLoop waits for each group's fsync, in commit order, publishes the new
// head and wakes the group's appenders. Nothing is acknowledged before its
// batch is synced (rule 6), and since groups are acknowledged in order, an
// idempotent retry of an append still in flight in an earlier group is
// acknowledged only after that group is durable.
func (w *writer) ackLoop(acks <-chan *group, done chan<- struct{}) {
	defer close(done)
	var broken error
	for g := range acks {
		err := g.err
		if g.batch != nil {
			if serr := g.batch.SyncWait(); serr != nil && err == nil {
				err = w.s.fail(serr)
			}
			g.batch.Close()
		}
		if err != nil && broken == nil {
			broken = err
		}
		switch {
		case broken != nil:
			// Later groups were prepared on top of a failed one; none
			// of them may be acknowledged.
			for _, r := range g.reqs {
				if r.err == nil {
					r.res, r.err = eventstore.AppendResult{}, broken
				}
			}
		case g.batch != nil:
			w.s.publish(g.last)
		}
		for _, r := range g.reqs {
			close(r.done)
		}
	}
}

// fail puts the store into its failed state: after a failed commit the
// in-memory heads may be ahead of the disk, so no further append is taken.
func (s *Store) fail(err error) error {
	err = fmt.Errorf("embedded: commit failed, store no longer accepts appends: %w", err)
	if s.failure.CompareAndSwap(nil, &err) {
		s.log.Error("event store commit failed", "dir", s.dir, "err", err)
		return err
	}
	return *s.failure.Load()
}
