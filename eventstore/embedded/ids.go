package embedded

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// The ID check of rule 7 needs, for almost every event, proof that its ID
// is new. The caller gets it in its own goroutine (precheckIDs): from the
// in-memory ID filter, or from the ID index when the filter says "maybe".
// The writer then checks the IDs only against the groups prepared since
// (the recentIDs window) and the group it is preparing. An ID found
// anywhere, or a check older than the window, sends the append down the
// slow path: the writer waits until everything it prepared is applied and
// looks the IDs up itself (findRecorded).

// precheckIDs checks r's event IDs and, if none is recorded, marks r as
// checked as of the applied generation read before the checks.
func (s *Store) precheckIDs(r *appendReq) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	gen := s.applied.Load()
	key := make([]byte, 0, 17)
	for i := range r.events {
		if !s.ids.mayContain(r.events[i].ID) {
			// Invariant 9: the ID was in no group applied by gen.
			continue
		}
		if _, ok := s.pending.id(r.events[i].ID); ok {
			return nil
		}
		key = appendIDKey(key[:0], r.events[i].ID)
		_, closer, err := s.db.Get(key)
		if err == nil {
			closer.Close()
			return nil
		}
		if err != pebble.ErrNotFound {
			return err
		}
	}
	r.checked, r.checkedGen = true, gen
	return nil
}

// recentIDs holds the event IDs of the last groups the writer prepared, so
// that an ID checked by its caller as of generation g needs checking only
// against generations after g. It keeps two sets, each of up to half the
// window's generations: IDs go into the newer; when it is full, the older
// is emptied and becomes the newer. That holds at least the last max/2
// generations and never deletes an ID on its own, which with one set and
// a per-generation list to expire cost the writer a tenth of its time.
type recentIDs struct {
	sets [2]recentSet // sets[cur] is the newer
	cur  int
	half uint64 // generations per set
}

type recentSet struct {
	ids   map[uuid.UUID]struct{}
	first uint64 // the set's first generation; 0 when it holds none
}

func newRecentIDs(max int) recentIDs {
	r := recentIDs{half: uint64(max / 2)}
	for i := range r.sets {
		r.sets[i].ids = make(map[uuid.UUID]struct{})
	}
	return r
}

// add records the IDs of group generation gen; generations come in order.
func (r *recentIDs) add(gen uint64, group map[uuid.UUID]pendingEvent) {
	s := &r.sets[r.cur]
	if s.first != 0 && gen-s.first >= r.half {
		r.cur ^= 1
		s = &r.sets[r.cur]
		clear(s.ids)
		s.first = 0
	}
	if s.first == 0 {
		s.first = gen
	}
	for id := range group {
		s.ids[id] = struct{}{}
	}
}

// covers reports whether every generation after gen is held.
func (r *recentIDs) covers(gen uint64) bool {
	oldest := r.sets[r.cur^1].first
	if oldest == 0 {
		oldest = r.sets[r.cur].first
	}
	return oldest == 0 || gen+1 >= oldest
}

func (r *recentIDs) has(id uuid.UUID) bool {
	if _, ok := r.sets[r.cur].ids[id]; ok {
		return true
	}
	_, ok := r.sets[r.cur^1].ids[id]
	return ok
}

// pendingEvent is an event prepared in the current group, not yet applied to
// pebble, so the ID index on disk does not know it yet.
type pendingEvent struct {
	req      *appendReq
	index    int
	position uint64
	version  uint64
}

// findRecorded applies rule 7: it reports the original result if every event
// of r was recorded by one earlier append with the same content, nothing if
// none was, and ErrDuplicateEventID otherwise.
func (w *writer) findRecorded(r *appendReq) (eventstore.AppendResult, bool, error) {
	var res eventstore.AppendResult
	// Invariant 8.
	if r.checked && w.recent.covers(r.checkedGen) && !w.seenRecently(r) {
		return res, false, nil
	}
	// The slow path reads the ID index, which must hold every group
	// prepared so far.
	if err := w.waitApplied(); err != nil {
		return res, false, err
	}
	found := 0
	for i := range r.events {
		d := &r.events[i]
		ok, same, pos, version, err := w.lookupID(r.stream, d, i, len(r.events))
		if err != nil {
			return res, false, err
		}
		if !ok {
			continue
		}
		if !same {
			return res, false, fmt.Errorf("%w: %s in %s", eventstore.ErrDuplicateEventID, d.ID, r.stream)
		}
		if found == 0 {
			res.FirstPosition, res.FirstVersion = pos, version
		}
		// The original append's events have contiguous positions and
		// versions (rule 5), so index i sits i after the first.
		if pos != res.FirstPosition+uint64(i) || version != res.FirstVersion+uint64(i) {
			return res, false, fmt.Errorf("%w: %s in %s", eventstore.ErrDuplicateEventID, d.ID, r.stream)
		}
		res.LastPosition, res.LastVersion = pos, version
		found++
	}
	switch found {
	case 0:
		return res, false, nil
	case len(r.events):
		return res, true, nil
	}
	return res, false, fmt.Errorf("%w: append to %s mixes recorded and new event IDs", eventstore.ErrDuplicateEventID, r.stream)
}

// lookupID finds d.ID in the current group or in the ID index and reports
// whether the recorded event is d, as event index of an append of count
// events to stream.
func (w *writer) lookupID(stream string, d *eventstore.EventData, index, count int) (found, same bool, pos, version uint64, err error) {
	if p, ok := w.groupIDs[d.ID]; ok {
		o := &p.req.events[p.index]
		same = p.index == index && len(p.req.events) == count && p.req.stream == stream &&
			o.Type == d.Type && string(o.Data) == string(d.Data) && string(o.Metadata) == string(d.Metadata)
		return true, same, p.position, p.version, nil
	}
	l, ok := w.s.pending.id(d.ID)
	if !ok {
		w.key = appendIDKey(w.key[:0], d.ID)
		v, closer, err := w.s.db.Get(w.key)
		if err == pebble.ErrNotFound {
			return false, false, 0, 0, nil
		}
		if err != nil {
			return false, false, 0, 0, err
		}
		l, ok = decodeLoc(v)
		closer.Close()
		if !ok {
			return false, false, 0, 0, fmt.Errorf("%w: ID index entry for %s", errCorrupt, d.ID)
		}
	}
	var rec record
	// Invariant 2: every ID index entry names a durable record.
	if _, err := w.s.readRecord(nil, l, &rec); err != nil {
		return false, false, 0, 0, err
	}
	e := eventstore.RecordedEvent{ID: rec.id, Stream: string(rec.stream), Type: string(rec.typ), Data: rec.data, Metadata: rec.metadata}
	same = rec.index == uint64(index) && rec.count == uint64(count) && eventstore.SameContent(&e, stream, d)
	return true, same, l.pos, rec.version, nil
}

// seenRecently reports whether an ID of r is in the group being prepared or
// in the recent window.
func (w *writer) seenRecently(r *appendReq) bool {
	for i := range r.events {
		id := r.events[i].ID
		if _, ok := w.groupIDs[id]; ok || w.recent.has(id) {
			return true
		}
	}
	return false
}
