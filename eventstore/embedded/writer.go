package embedded

import (
	"runtime"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// writer is the goroutine that orders appends: it checks them, assigns
// positions and versions, hashes and encodes them into one frame of the log
// and one index batch per group, and writes the frame. It owns next, end,
// gen, heads and the ID windows; nothing else touches them.
type writer struct {
	s        *Store
	next     uint64 // the position the next recorded event gets
	end      int64  // the log offset the next frame starts at
	gen      uint64 // the generation of the last group given a batch
	heads    *headCache
	groupIDs map[uuid.UUID]pendingEvent
	recent   recentIDs
	key      []byte
	val      []byte
	frame    []byte
	zeros    []byte      // zeroAhead's step, allocated at its first use
	idx      *groupIndex // the index entries of the group being prepared
	unit     []*group    // the groups prepared since the last fsync was asked for
	slots    chan struct{}
	syncs    chan []*group
}

// group is one group commit: one frame in the log, and its index entries.
type group struct {
	reqs  []*appendReq
	idx   *groupIndex // nil when the group recorded nothing
	gen   uint64      // the writer's generation of the group
	first uint64      // the first position recorded, when idx is set
	last  uint64      // the last position recorded, when idx is set
	seg   *segment    // the segment the frame was written to
	end   int64       // the log offset just past the frame
	err   error       // the group failed as a whole
	// lastOfUnit marks the last group of a unit: the indexer frees the
	// unit's slot after it.
	lastOfUnit bool
}

func newWriter(s *Store, t tip) *writer {
	return &writer{
		s:        s,
		next:     t.pos + 1,
		end:      t.end,
		heads:    newHeadCache(s, s.opts.HeadCacheSize),
		groupIDs: make(map[uuid.UUID]pendingEvent),
		recent:   newRecentIDs(recentGenerations),
	}
}

// run takes appends off the queue in groups until the store closes, writes
// each group's frame and passes the group down the pipeline: the syncer
// waits for its fsync, the indexer applies its batch to the index and
// acknowledges it. Once Close has closed the queue, run records what is
// still queued and returns, so no append is stranded in it.
func (w *writer) run() {
	depth := pipelineDepth
	// slots bounds the units in flight. The writer takes a slot before it
	// gathers a unit, so appends that arrive while the disk syncs join the
	// next unit rather than queue behind a unit gathered too early.
	w.slots = make(chan struct{}, depth)
	w.syncs = make(chan []*group, depth)
	indexes := make(chan *group, depth)
	indexerDone := make(chan struct{})
	go w.s.syncLoop(w.syncs, indexes)
	go w.s.indexLoop(indexes, w.slots, indexerDone)
	defer func() {
		close(w.syncs)
		<-indexerDone
		close(w.s.wdone)
	}()
	for {
		closing := false
		select {
		case <-w.s.queue.signal:
		case <-w.s.closing:
			w.s.queue.close()
			closing = true
		}
		for {
			w.slots <- struct{}{}
			if !w.gatherUnit() {
				<-w.slots
				break
			}
			w.sendUnit()
		}
		if closing {
			return
		}
	}
}

// gatherUnit prepares and writes groups into the current unit while appends
// keep arriving, and reports whether it holds any. The unit goes to the
// syncer whole, for one fsync: the appenders that one acknowledgement woke
// come back over a while, and the writer prepares those already queued
// while the others are still on their way.
func (w *writer) gatherUnit() bool {
	for {
		w.letAppendersQueue()
		reqs := w.s.queue.take(make([]*appendReq, 0, 64), w.s.opts.MaxGroupSize)
		if len(reqs) == 0 {
			return len(w.unit) > 0
		}
		g := &group{reqs: reqs}
		w.prepareGroup(g)
		w.writeFrame(g)
		w.unit = append(w.unit, g)
		if w.s.queue.len() == 0 {
			return true
		}
	}
}

// sendUnit hands the current unit to the syncer; it holds a slot, which the
// indexer frees after the unit's last group.
func (w *writer) sendUnit() {
	unit := w.unit
	w.unit = nil
	unit[len(unit)-1].lastOfUnit = true
	w.syncs <- unit
}

// letAppendersQueue yields while the queue grows, a few times at most.
// Appenders just acknowledged are runnable but not yet queued again; the
// writer, woken by the first of them, would run before the rest and commit
// it alone, the rest waiting for a second fsync. Yielding lets them queue,
// so that they commit together; with one appender it costs one yield.
func (w *writer) letAppendersQueue() {
	n := w.s.queue.len()
	for range 2 {
		runtime.Gosched()
		m := w.s.queue.len()
		if m == n {
			return
		}
		n = m
	}
}

// waitApplied waits until every group the writer prepared is applied. Groups
// of the unit being gathered are sent on first, or the wait would never end;
// the rest of the unit then needs a slot of its own.
func (w *writer) waitApplied() error {
	if len(w.unit) > 0 {
		w.sendUnit()
		w.slots <- struct{}{}
	}
	return w.s.waitApplied(w.gen)
}

// prepareGroup prepares every append of g into one frame and its index
// entries. Appends are prepared in order, each seeing the heads and IDs left
// by the ones before it, so two appends to one stream in one group see each
// other; an append that fails leaves nothing in the frame and no trace in
// the caches.
func (w *writer) prepareGroup(g *group) {
	if f := w.s.failure.Load(); f != nil {
		g.err = *f
		return
	}
	if w.heads.full() {
		// Invariant 7: a head dropped from the cache is reloaded from
		// disk, so every group that wrote it must be applied first.
		if err := w.waitApplied(); err != nil {
			g.err = err
			return
		}
		w.heads.trim()
	}
	clear(w.groupIDs)
	// One timestamp per group, in UTC and rounded to what the hash and the
	// log keep (nanoseconds, no monotonic reading).
	at := time.Unix(0, w.s.opts.Clock().UnixNano()).UTC()
	first := w.next
	w.frame = startFrame(w.frame[:0])
	// The entries' slices are sized for every event of the group, so the
	// loop below never grows them (growing them was a tenth of the
	// writer's time with 128 appenders).
	n := 0
	for _, r := range g.reqs {
		n += len(r.events)
	}
	w.idx = &groupIndex{streams: make([]streamEntry, 0, n), ids: make([]idEntry, 0, n)}
	for _, r := range g.reqs {
		r.res, r.err = w.prepare(r, at)
	}
	if w.next == first {
		return
	}
	w.frame = finishFrame(w.frame, uint32(w.next-first), first)
	g.end = w.end + int64(len(w.frame))
	w.idx.frame = frameEntry{first: first, sp: span{off: w.end, n: uint32(len(w.frame))}}
	w.idx.tip = tip{pos: w.next - 1, end: g.end}
	w.gen++
	w.recent.add(w.gen, w.groupIDs)
	g.idx, g.gen, g.first, g.last = w.idx, w.gen, first, w.next-1
}

// writeFrame writes g's frame at the end of the log, in a new segment if
// the last one is full. The write is not synced: the syncer does that.
func (w *writer) writeFrame(g *group) {
	if g.idx == nil {
		return
	}
	if f := w.s.failure.Load(); f != nil {
		// Invariant 5: nothing may follow a failed frame, or the log
		// would hold a gap.
		g.err = *f
		return
	}
	seg := w.s.log.last()
	if w.end > seg.start && w.end-seg.start+int64(len(w.frame)) > w.s.opts.SegmentSize {
		// Invariant 10: a segment is synced whole before the next one is
		// created, so only the last segment can end in a torn frame.
		var err error
		if err = seg.f.SyncData(); err == nil {
			seg, err = w.s.log.create(w.end)
		}
		if err != nil {
			g.err = w.s.fail(err)
			return
		}
	}
	if _, err := seg.f.WriteAt(w.frame, w.end-seg.start); err != nil {
		g.err = w.s.fail(err)
		return
	}
	if err := w.zeroAhead(seg, g.end-seg.start); err != nil {
		g.err = w.s.fail(err)
		return
	}
	w.end = g.end
	seg.written.Store(g.end)
	g.seg = seg
}

// prepare checks one append and adds its events to the frame and the index
// entries.
func (w *writer) prepare(r *appendReq, at time.Time) (eventstore.AppendResult, error) {
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
		// Invariant 1: the record goes into the group's frame, its stream
		// and ID entries into the group's index batch.
		w.val = appendRecord(w.val[:0], &e, i, len(r.events))
		var at int
		w.frame, at = appendFrameRecord(w.frame, w.val)
		l := loc{pos: e.Position, off: w.end + int64(at), n: uint32(len(w.val))}
		w.idx.streams = append(w.idx.streams, streamEntry{stream: r.stream, version: version, l: l})
		w.idx.ids = append(w.idx.ids, idEntry{id: d.ID, l: l})
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
