package embedded

import (
	"encoding/binary"

	"github.com/google/uuid"
)

// Key prefixes of the index; the package comment specifies each keyspace.
const (
	prefixMeta   = 'm'
	prefixTip    = 'h'
	prefixFrame  = 'f'
	prefixStream = 's'
	prefixID     = 'i'
)

// metaFormatKey holds formatName; Open refuses a directory holding another.
var metaFormatKey = []byte("mformat")

// tipKey holds the index's high-water mark: the last position indexed and
// the log offset just past its frame (invariant 2).
var tipKey = []byte{prefixTip}

const formatName = "caseledger/embedded/v2"

// frameKey is 'f' || u64be(first position of the frame).
func appendFrameKey(dst []byte, first uint64) []byte {
	dst = append(dst, prefixFrame)
	return binary.BigEndian.AppendUint64(dst, first)
}

func frameKey(first uint64) []byte { return appendFrameKey(make([]byte, 0, 9), first) }

// frameBounds covers every frame key.
var frameLower, frameUpper = []byte{prefixFrame}, []byte{prefixFrame + 1}

func firstOfFrameKey(k []byte) uint64 { return binary.BigEndian.Uint64(k[1:]) }

// streamKey is 's' || stream || 0x00 || u64be(version). Stream names are
// printable ASCII (rule 1), so the 0x00 separator keeps one stream's keys
// together and ordered by version, and no stream's keys fall among
// another's.
func appendStreamKey(dst []byte, stream string, version uint64) []byte {
	dst = append(dst, prefixStream)
	dst = append(dst, stream...)
	dst = append(dst, 0)
	return binary.BigEndian.AppendUint64(dst, version)
}

// streamBounds returns the iterator bounds covering every key of stream.
func streamBounds(stream string) (lower, upper []byte) {
	lower = make([]byte, 0, len(stream)+2)
	lower = append(lower, prefixStream)
	lower = append(lower, stream...)
	lower = append(lower, 0)
	upper = append([]byte(nil), lower...)
	upper[len(upper)-1] = 1
	return lower, upper
}

func versionOfStreamKey(k []byte) uint64 { return binary.BigEndian.Uint64(k[len(k)-8:]) }

// idKey is 'i' || the 16 bytes of the event ID.
func appendIDKey(dst []byte, id uuid.UUID) []byte {
	dst = append(dst, prefixID)
	return append(dst, id[:]...)
}

// loc is where an event's record lies: its position, and the offset and
// length of its record in the log. Stream and ID entries hold one.
type loc struct {
	pos uint64
	off int64
	n   uint32
}

const locSize = 8 + 8 + 4

func appendLoc(dst []byte, l loc) []byte {
	dst = binary.BigEndian.AppendUint64(dst, l.pos)
	dst = binary.BigEndian.AppendUint64(dst, uint64(l.off))
	return binary.BigEndian.AppendUint32(dst, l.n)
}

func decodeLoc(v []byte) (loc, bool) {
	if len(v) != locSize {
		return loc{}, false
	}
	return loc{
		pos: binary.BigEndian.Uint64(v),
		off: int64(binary.BigEndian.Uint64(v[8:])),
		n:   binary.BigEndian.Uint32(v[16:]),
	}, true
}

// span is a frame's place in the log: the value of a frame key, and of the
// tip key after the last position.
type span struct {
	off int64
	n   uint32
}

func appendSpan(dst []byte, s span) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(s.off))
	return binary.BigEndian.AppendUint32(dst, s.n)
}

func decodeSpan(v []byte) (span, bool) {
	if len(v) != 12 {
		return span{}, false
	}
	return span{off: int64(binary.BigEndian.Uint64(v)), n: binary.BigEndian.Uint32(v[8:])}, true
}

// tip is the value of tipKey.
type tip struct {
	pos uint64 // the last position indexed
	end int64  // the log offset just past that position's frame
}

func appendTip(dst []byte, t tip) []byte {
	dst = binary.BigEndian.AppendUint64(dst, t.pos)
	return binary.BigEndian.AppendUint64(dst, uint64(t.end))
}

func decodeTip(v []byte) (tip, bool) {
	if len(v) != 16 {
		return tip{}, false
	}
	return tip{pos: binary.BigEndian.Uint64(v), end: int64(binary.BigEndian.Uint64(v[8:]))}, true
}
