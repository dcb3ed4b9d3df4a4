package embedded

import (
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
// chunks and walks the frames in them; backwards it steps through the frame
// index and reads one frame at a time.
type frameReader struct {
	s    *Store
	dir  eventstore.Direction
	head uint64
	end  int64 // the log offset readers may read up to (see publish)

	it *pebble.Iterator // backwards only: the frame index

	// The frame being walked: its first position, its records' offsets in
	// body, and the index of the next record to yield.
	first uint64
	body  []byte
	recs  []frameRec
	i     int

	next0 int64   // forwards: the log offset of the next frame
	chunk *[]byte // forwards: the pooled chunk buffer
	cOff  int64   // the log offset chunk[0] holds
	cLen  int     // how many bytes of chunk are filled
	from  uint64
	done  bool
}

type frameRec struct{ at, n int }

// newFrameReader starts at from, which is at least 1 and at most head. The
// caller holds acquire.
func (s *Store) newFrameReader(from uint64, dir eventstore.Direction, head uint64) (*frameReader, error) {
	r := &frameReader{s: s, dir: dir, head: head, end: s.end.Load(), from: from}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: frameLower, UpperBound: frameUpper})
	if err != nil {
		return nil, err
	}
	// The frame holding from is the last one starting at or before it; its
	// key is there because the index is applied before head moves.
	if !it.SeekLT(frameKey(from + 1)) {
		err := it.Error()
		it.Close()
		if err == nil {
			err = fmt.Errorf("%w: no frame holds position %d", errCorrupt, from)
		}
		return nil, corruptAt(from, err)
	}
	sp, ok := decodeSpan(it.Value())
	if !ok {
		it.Close()
		return nil, corruptAt(from, fmt.Errorf("%w: frame index entry", errCorrupt))
	}
	if dir == eventstore.Backwards {
		r.it = it
		if err := r.loadBackwards(firstOfFrameKey(it.Key()), sp); err != nil {
			it.Close()
			return nil, err
		}
		return r, nil
	}
	it.Close()
	r.chunk = chunkPool.Get().(*[]byte)
	r.next0 = sp.off
	return r, nil
}

func (r *frameReader) close() {
	if r.it != nil {
		r.it.Close()
	}
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
			fr := r.recs[r.i]
			pos = r.first + uint64(r.i)
			if r.dir == eventstore.Backwards {
				pos = r.first + uint64(len(r.recs)-1-r.i)
				fr = r.recs[len(r.recs)-1-r.i]
			}
			r.i++
			if r.dir == eventstore.Forwards && pos < r.from {
				continue
			}
			if r.dir == eventstore.Backwards && pos > r.from {
				continue
			}
			if pos > r.head {
				r.done = true
				break
			}
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
	whole, err := r.ensure(off, frameHeaderSize+int(h.body))
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

// prevFrame moves a backward reader to the frame before the current one.
func (r *frameReader) prevFrame() error {
	if !r.it.Prev() {
		r.done = true
		return r.it.Error()
	}
	sp, ok := decodeSpan(r.it.Value())
	if !ok {
		return corruptAt(firstOfFrameKey(r.it.Key()), fmt.Errorf("%w: frame index entry", errCorrupt))
	}
	return r.loadBackwards(firstOfFrameKey(r.it.Key()), sp)
}

// loadBackwards reads the whole frame at sp, whose first position is first.
func (r *frameReader) loadBackwards(first uint64, sp span) error {
	buf := make([]byte, sp.n)
	if err := r.s.log.readAt(buf, sp.off); err != nil {
		return corruptAt(first, err)
	}
	h, ok := parseFrameHeader(buf)
	if !ok || h.first != first {
		return corruptAt(first, fmt.Errorf("%w: frame header at log offset %d", errCorrupt, sp.off))
	}
	return r.useFrame(sp.off, buf, h)
}

// useFrame makes the frame f (header and body) at log offset off the one
// being walked, after checking it.
func (r *frameReader) useFrame(off int64, f []byte, h frameHeader) error {
	if !checkFrame(f, h) {
		return fmt.Errorf("embedded: log offset %d: %w: frame checksum mismatch", off, errCorrupt)
	}
	if invariantsOn && r.dir == eventstore.Forwards && r.recs != nil {
		// Invariant 5: the log has no gaps.
		want := r.first + uint64(len(r.recs))
		invariant(h.first == want, "frame at position %d follows one ending before %d", h.first, want)
	}
	r.first, r.body, r.recs, r.i = h.first, f[frameHeaderSize:], r.recs[:0], 0
	return frameRecords(r.body, h.count, func(_ int, rec []byte, at int) error {
		r.recs = append(r.recs, frameRec{at: at, n: len(rec)})
		return nil
	})
}
