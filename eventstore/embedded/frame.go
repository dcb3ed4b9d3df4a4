package embedded

import (
	"encoding/binary"
	"hash/crc32"
)

// A frame is one group commit in the log: a header, then the records of
// its events in position order, each preceded by its length, then the
// frame's length again, so that the log can be read backwards (the layout
// is in the package comment, "Log").
const (
	frameMagic       = 0xCA5E1ED6
	frameHeaderSize  = 4 + 4 + 4 + 4 + 8
	frameTrailerSize = 4
	// frameOverhead is what a frame adds to its body.
	frameOverhead = frameHeaderSize + frameTrailerSize
	// maxFrameBody bounds a frame's body so that a damaged length field
	// cannot make a reader allocate gigabytes.
	maxFrameBody = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// frameHeader is a decoded frame header.
type frameHeader struct {
	crc   uint32
	body  uint32 // the body's length in bytes
	count uint32 // how many events the frame holds
	first uint64 // the position of its first event
}

// startFrame reserves the header at the end of dst; finishFrame fills it.
func startFrame(dst []byte) []byte { return append(dst, make([]byte, frameHeaderSize)...) }

// appendFrameRecord appends one record to a frame being built and returns
// the offset of the record's bytes within f.
func appendFrameRecord(f, rec []byte) ([]byte, int) {
	f = binary.AppendUvarint(f, uint64(len(rec)))
	at := len(f)
	return append(f, rec...), at
}

// finishFrame appends the trailer to the frame that f holds (from its
// start) with count events from position first, and fills its header.
func finishFrame(f []byte, count uint32, first uint64) []byte {
	binary.BigEndian.PutUint32(f[0:], frameMagic)
	binary.BigEndian.PutUint32(f[8:], uint32(len(f)-frameHeaderSize))
	binary.BigEndian.PutUint32(f[12:], count)
	binary.BigEndian.PutUint64(f[16:], first)
	f = binary.BigEndian.AppendUint32(f, uint32(len(f)+frameTrailerSize))
	binary.BigEndian.PutUint32(f[4:], crc32.Checksum(f[8:], castagnoli))
	return f
}

// parseFrameHeader decodes a header; ok is false for anything that is not
// the start of a frame (zeros past the end of the log, a torn write).
func parseFrameHeader(b []byte) (h frameHeader, ok bool) {
	if len(b) < frameHeaderSize || binary.BigEndian.Uint32(b) != frameMagic {
		return h, false
	}
	h = frameHeader{
		crc:   binary.BigEndian.Uint32(b[4:]),
		body:  binary.BigEndian.Uint32(b[8:]),
		count: binary.BigEndian.Uint32(b[12:]),
		first: binary.BigEndian.Uint64(b[16:]),
	}
	return h, h.body <= maxFrameBody && h.count > 0
}

// frameLen is the length of the whole frame h heads.
func frameLen(h frameHeader) int { return frameOverhead + int(h.body) }

// checkFrame reports whether the whole frame f (header, body, trailer)
// matches its checksum and its length.
func checkFrame(f []byte, h frameHeader) bool {
	return len(f) == frameLen(h) && crc32.Checksum(f[8:], castagnoli) == h.crc &&
		binary.BigEndian.Uint32(f[len(f)-frameTrailerSize:]) == uint32(len(f))
}

// frameBody returns the records of the whole frame f.
func frameBody(f []byte) []byte { return f[frameHeaderSize : len(f)-frameTrailerSize] }

// frameRecords walks the records of a frame body, calling fn with each
// record, its index in the frame and its offset within the body.
func frameRecords(body []byte, count uint32, fn func(i int, rec []byte, at int) error) error {
	at := 0
	for i := range int(count) {
		l, n := binary.Uvarint(body[at:])
		if n <= 0 || uint64(len(body)-at-n) < l {
			return errCorrupt
		}
		at += n
		if err := fn(i, body[at:at+int(l)], at); err != nil {
			return err
		}
		at += int(l)
	}
	if at != len(body) {
		return errCorrupt
	}
	return nil
}
