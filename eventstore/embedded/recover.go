package embedded

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// recoverBatchBytes bounds an index batch while recovery replays the log.
const recoverBatchBytes = 4 << 20

// recover checks the format marker, writing it into a new directory, and
// brings the index up to the log: it indexes every whole frame after the
// index's tip, stops at the first frame that is not whole, zeroes the log
// from there and returns the new tip (see "Recovery" in the package
// comment).
func (s *Store) recover() (tip, error) {
	var t tip
	v, closer, err := s.db.Get(metaFormatKey)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		if err := s.db.Set(metaFormatKey, []byte(formatName), pebble.NoSync); err != nil {
			return t, err
		}
	case err != nil:
		return t, err
	default:
		got := string(v)
		closer.Close()
		if got != formatName {
			return t, fmt.Errorf("unknown format %q, want %q", got, formatName)
		}
	}
	v, closer, err = s.db.Get(tipKey)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
	case err != nil:
		return t, err
	default:
		var ok bool
		t, ok = decodeTip(v)
		closer.Close()
		if !ok {
			return t, fmt.Errorf("%w: index tip", errCorrupt)
		}
	}
	if segs := *s.log.segs.Load(); segs[0].start != 0 {
		return t, fmt.Errorf("%w: the log's first segment starts at %d", errCorrupt, segs[0].start)
	}
	replayed, err := s.replay(&t)
	if err != nil {
		return t, err
	}
	if replayed > 0 {
		s.logger.Info("event store recovered", "dir", s.dir, "events indexed from the log", replayed, "head", t.pos)
		// Persist what was indexed, so the next Open need not redo it.
		if err := s.db.Flush(); err != nil {
			return t, err
		}
	}
	s.log.last().written.Store(t.end)
	return t, nil
}

// replay indexes the frames of the log from t.end on, advancing t, and
// returns how many events it indexed.
func (s *Store) replay(t *tip) (int, error) {
	b := s.db.NewBatch()
	defer func() { b.Close() }()
	var (
		replayed int
		buf      []byte
		key, val []byte
	)
	for {
		seg, limit := s.log.find(t.end)
		if seg == nil {
			return replayed, fmt.Errorf("%w: no log segment holds offset %d", errCorrupt, t.end)
		}
		st, err := seg.f.Stat()
		if err != nil {
			return replayed, err
		}
		size, last := st.Size(), limit == 1<<63-1
		if !last && seg.start+size < limit {
			return replayed, fmt.Errorf("%w: log segment %s ends at %d, before the next starts at %d", errCorrupt, segmentName(seg.start), seg.start+size, limit)
		}
		segEnd := min(limit, seg.start+size)
		if t.end > segEnd {
			// Invariant 2: the index never names what the log lacks.
			return replayed, fmt.Errorf("%w: the index reaches log offset %d, the log ends at %d", errCorrupt, t.end, segEnd)
		}
		f, ok, err := s.readWholeFrame(t.end, segEnd, buf)
		if err != nil {
			return replayed, err
		}
		buf = f
		if !ok {
			if t.end == segEnd && !last {
				continue // the next segment starts here
			}
			if !last {
				return replayed, fmt.Errorf("%w: log segment %s holds no whole frame at offset %d", errCorrupt, segmentName(seg.start), t.end)
			}
			break
		}
		h, _ := parseFrameHeader(f)
		if h.first != t.pos+1 {
			if !last {
				return replayed, fmt.Errorf("%w: frame at log offset %d starts at position %d, want %d", errCorrupt, t.end, h.first, t.pos+1)
			}
			break
		}
		frameOff := t.end
		err = frameRecords(frameBody(f), h.count, func(i int, rec []byte, at int) error {
			var r record
			if err := decodeRecord(rec, &r); err != nil {
				return corruptAt(h.first+uint64(i), err)
			}
			val = appendLoc(val[:0], loc{pos: h.first + uint64(i), off: frameOff + frameHeaderSize + int64(at), n: uint32(len(rec))})
			key = appendStreamKey(key[:0], string(r.stream), r.version)
			if err := b.Set(key, val, nil); err != nil {
				return err
			}
			key = appendIDKey(key[:0], r.id)
			return b.Set(key, val, nil)
		})
		if err != nil {
			return replayed, err
		}
		t.pos, t.end = h.first+uint64(h.count)-1, t.end+int64(len(f))
		if err := b.Set(appendFrameKey(key[:0], h.first), appendSpan(val[:0], span{off: frameOff, n: uint32(len(f))}), nil); err != nil {
			return replayed, err
		}
		if err := b.Set(tipKey, appendTip(val[:0], *t), nil); err != nil {
			return replayed, err
		}
		replayed += int(h.count)
		if b.Len() > recoverBatchBytes {
			if err := b.Commit(pebble.NoSync); err != nil {
				return replayed, err
			}
			b.Close()
			b = s.db.NewBatch()
		}
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return replayed, err
	}
	return replayed, s.zeroTail(t.end)
}

// readWholeFrame reads the frame at off, which must end by segEnd; ok is
// false if there is none whole there (the end of the log, or a torn write).
func (s *Store) readWholeFrame(off, segEnd int64, buf []byte) ([]byte, bool, error) {
	if off+frameHeaderSize > segEnd {
		return buf, false, nil
	}
	buf = append(buf[:0], make([]byte, frameHeaderSize)...)
	if err := s.log.readAt(buf, off); err != nil {
		return buf, false, err
	}
	h, ok := parseFrameHeader(buf)
	if !ok || off+int64(frameLen(h)) > segEnd {
		return buf, false, nil
	}
	buf = append(buf, make([]byte, frameLen(h)-frameHeaderSize)...)
	if err := s.log.readAt(buf[frameHeaderSize:], off+frameHeaderSize); err != nil {
		return buf, false, err
	}
	return buf, checkFrame(buf, h), nil
}

// zeroTail overwrites the last segment from the log offset end up to its
// last byte that is not zero with zeros and syncs it. What lies there is a
// torn or stale frame that no index entry names; left in place, a later
// recovery could take it for a frame written after end. Zeros after it are
// the writer's steps ahead of the log (see writer.zeroAhead), which a clean
// Close leaves too, so they are kept and not reported.
func (s *Store) zeroTail(end int64) error {
	seg := s.log.last()
	st, err := seg.f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	seg.zeroed = size
	from := end - seg.start
	if from >= size {
		return nil
	}
	buf := make([]byte, min(size-from, 1<<20))
	last := int64(-1) // the file offset of the last byte that is not zero
	for at := from; at < size; at += int64(len(buf)) {
		b := buf[:min(int64(len(buf)), size-at)]
		if _, err := seg.f.ReadAt(b, at); err != nil {
			return err
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != 0 {
				last = at + int64(i)
				break
			}
		}
	}
	if last < 0 {
		return nil
	}
	clear(buf)
	for at := from; at <= last; at += int64(len(buf)) {
		if _, err := seg.f.WriteAt(buf[:min(int64(len(buf)), last+1-at)], at); err != nil {
			return err
		}
	}
	s.logger.Warn("event store dropped a torn write at the end of its log", "dir", s.dir, "offset", end, "bytes", last+1-from)
	return seg.f.SyncData()
}
