package embedded

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/caseledger/caseledger/eventstore"
)

// readChunk is how much of the log a forward scan reads at once: a few
// hundred events per read call, so a scan costs about one syscall per
// chunk, not per event or per frame.
const readChunk = 256 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, readChunk); return &b }}

// frameReader yields the log's records one by one from a position, in
// either direction, never past head. Forwards it reads the log in large
// chunks and walks the frames in them; backwards it reads one frame at a
// time, finding each from the trailer of the one after it.
type frameReader struct {
	s    *Store
	dir  eventstore.Direction
	head uint64
	end  int64 // the log offset readers may read up to (see publish)
	from uint64
	done bool

	// The frame being walked: its log offset, first position, body, its
	// records' offsets in body, and how many records were yielded.
	off   int64
	first uint64
	body  []byte
	recs  []frameRec
	i     int

	next0 int64   // forwards: the log offset of the next frame
	chunk *[]byte // forwards: the pooled chunk buffer
	cOff  int64   // the log offset chunk[0] holds
	cLen  int     // how many bytes of chunk are filled
}

type frameRec struct{ at, n int }

// newFrameReader starts at from, which is at least 1 and at most head. The
// caller holds acquire.
func (s *Store) newFrameReader(from uint64, dir eventstore.Direction, head uint64) (*frameReader, error) {
	r := &frameReader{s: s, dir: dir, head: head, end: s.end.Load(), from: from}
	f, err := s.locateFrame(from)
	if err != nil {
		return nil, err
	}
	if dir == eventstore.Backwards {
		if err := r.loadWhole(f.first, f.sp.off, int(f.sp.n)); err != nil {
			return nil, err
		}
		return r, nil
	}
	r.chunk = chunkPool.Get().(*[]byte)
	r.next0 = f.sp.off
	return r, nil
}

// locateFrame finds the frame holding pos: in the pending index or, failing
// that, the last frame in pebble starting at or before pos. Its entry is
// there because entries are added before head moves.
func (s *Store) locateFrame(pos uint64) (frameEntry, error) {
	if f, ok := s.pending.frame(pos); ok {
		return f, nil
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: frameLower, UpperBound: frameUpper})
	if err != nil {
		return frameEntry{}, err
	}
	defer it.Close()
	if !it.SeekLT(frameKey(pos + 1)) {
		if err := it.Error(); err != nil {
			return frameEntry{}, err
		}
		return frameEntry{}, corruptAt(pos, fmt.Errorf("%w: no frame holds the position", errCorrupt))
	}
	sp, ok := decodeSpan(it.Value())
	if !ok {
		return frameEntry{}, corruptAt(pos, fmt.Errorf("%w: frame index entry", errCorrupt))
	}
	return frameEntry{first: firstOfFrameKey(it.Key()), sp: sp}, nil
}

func (r *frameReader) close() {
	if r.chunk != nil {
		chunkPool.Put(r.chunk)
		r.chunk = nil
	}
}

// next returns the next record and its position; ok is false at the end.
// The record aliases the reader's buffers until the following call.
func (r *frameReader) next() (pos uint64, rec []byte, ok bool, err error) {
	for !r.done {
		if r.i < len(r.recs) {
			k := r.i
			if r.dir == eventstore.Backwards {
				k = len(r.recs) - 1 - r.i
			}
			r.i++
			pos = r.first + uint64(k)
			if r.dir == eventstore.Forwards && pos < r.from || r.dir == eventstore.Backwards && pos > r.from {
				continue
			}
			if pos > r.head {
				r.done = true
				break
			}
			fr := r.recs[k]
			return pos, r.body[fr.at : fr.at+fr.n], true, nil
		}
		if r.dir == eventstore.Backwards {
			err = r.prevFrame()
		} else {
			err = r.nextFrame()
		}
		if err != nil {
			return 0, nil, false, err
		}
	}
	return 0, nil, false, nil
}

// nextFrame moves a forward reader to the frame at next0.
func (r *frameReader) nextFrame() error {
	if r.next0 >= r.end {
		r.done = true
		return nil
	}
	off := r.next0
	hdr, err := r.ensure(off, frameHeaderSize)
	if err != nil {
		return err
	}
	h, ok := parseFrameHeader(hdr)
	if !ok {
		return fmt.Errorf("embedded: log offset %d: %w: no frame header", off, errCorrupt)
	}
	whole, err := r.ensure(off, frameLen(h))
	if err != nil {
		return err
	}
	if err := r.useFrame(off, whole, h); err != nil {
		return err
	}
	r.next0 = off + int64(len(whole))
	return nil
}

// ensure returns the n log bytes at off, reading a chunk if the current one
// does not hold them. A chunk never crosses a segment's end nor the
// readable end of the log.
func (r *frameReader) ensure(off int64, n int) ([]byte, error) {
	if off >= r.cOff && off+int64(n) <= r.cOff+int64(r.cLen) {
		at := int(off - r.cOff)
		return (*r.chunk)[at : at+n], nil
	}
	seg, limit := r.s.log.find(off)
	if seg == nil || off+int64(n) > min(limit, r.end) {
		return nil, fmt.Errorf("embedded: log offset %d: %w: %d bytes past the end of the log", off, errCorrupt, n)
	}
	want := int64(max(n, readChunk))
	want = min(want, min(limit, r.end)-off)
	if int64(cap(*r.chunk)) < want {
		// A frame larger than a chunk: read it alone.
		b := make([]byte, want)
		r.chunk = &b
	}
	buf := (*r.chunk)[:want]
	if err := r.s.log.readAt(buf, off); err != nil {
		return nil, err
	}
	r.cOff, r.cLen = off, len(buf)
	return buf[:n], nil
}

// prevFrame moves a backward reader to the frame before the current one,
// whose length is in the 4 bytes before the current one's start.
func (r *frameReader) prevFrame() error {
	if r.off == 0 {
		r.done = true
		return nil
	}
	var t [frameTrailerSize]byte
	if err := r.s.log.readAt(t[:], r.off-frameTrailerSize); err != nil {
		return corruptAt(r.first-1, err)
	}
	n := int(binary.BigEndian.Uint32(t[:]))
	if n < frameOverhead || int64(n) > r.off {
		return corruptAt(r.first-1, fmt.Errorf("%w: frame trailer before log offset %d", errCorrupt, r.off))
	}
	return r.loadWhole(0, r.off-int64(n), n)
}

// loadWhole reads the whole n-byte frame at off and walks it. first, if not
// 0, is the position the frame must start at.
func (r *frameReader) loadWhole(first uint64, off int64, n int) error {
	buf := make([]byte, n)
	if err := r.s.log.readAt(buf, off); err != nil {
		return err
	}
	h, ok := parseFrameHeader(buf)
	if !ok || (first != 0 && h.first != first) || (r.recs != nil && h.first+uint64(h.count) != r.first) {
		return fmt.Errorf("embedded: log offset %d: %w: not the frame expected there", off, errCorrupt)
	}
	return r.useFrame(off, buf, h)
}

// useFrame makes the frame f at log offset off the one being walked, after
// checking it.
func (r *frameReader) useFrame(off int64, f []byte, h frameHeader) error {
	if !checkFrame(f, h) {
		return fmt.Errorf("embedded: log offset %d: %w: frame checksum mismatch", off, errCorrupt)
	}
	if r.dir == eventstore.Forwards && r.recs != nil && h.first != r.first+uint64(len(r.recs)) {
		// Invariant 5: the log has no gaps.
		return fmt.Errorf("embedded: log offset %d: %w: frame at position %d follows one ending before %d", off, errCorrupt, h.first, r.first+uint64(len(r.recs)))
	}
	r.off, r.first, r.body, r.recs, r.i = off, h.first, frameBody(f), r.recs[:0], 0
	return frameRecords(r.body, h.count, func(_ int, rec []byte, at int) error {
		r.recs = append(r.recs, frameRec{at: at, n: len(rec)})
		return nil
	})
}
