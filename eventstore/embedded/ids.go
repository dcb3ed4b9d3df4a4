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

// recentIDs holds the event IDs of the last groups the writer prepared, by
// generation, so that an ID checked by its caller as of generation g needs
// checking only against generations after g.
type recentIDs struct {
	ids  map[uuid.UUID]uint64 // ID -> generation
	gens []recentGen          // oldest first, consecutive generations
	max  int
}

type recentGen struct {
	gen uint64
	ids []uuid.UUID
}

func newRecentIDs(max int) recentIDs {
	return recentIDs{ids: make(map[uuid.UUID]uint64), max: max}
}

func (r *recentIDs) add(gen uint64, group map[uuid.UUID]pendingEvent) {
	ids := make([]uuid.UUID, 0, len(group))
	for id := range group {
		r.ids[id] = gen
		ids = append(ids, id)
	}
	r.gens = append(r.gens, recentGen{gen: gen, ids: ids})
	for len(r.gens) > r.max {
		old := r.gens[0]
		for _, id := range old.ids {
			if r.ids[id] == old.gen {
				delete(r.ids, id)
			}
		}
		r.gens[0] = recentGen{}
		r.gens = r.gens[1:]
	}
}

// covers reports whether every generation after gen is held.
func (r *recentIDs) covers(gen uint64) bool {
	return len(r.gens) == 0 || gen+1 >= r.gens[0].gen
}

func (r *recentIDs) has(id uuid.UUID) bool {
	_, ok := r.ids[id]
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
