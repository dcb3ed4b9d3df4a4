package embedded

import (
	"encoding/binary"

	"github.com/google/uuid"
)

// Key prefixes; the package comment specifies each keyspace.
const (
	prefixMeta   = 'm'
	prefixLog    = 'p'
	prefixStream = 's'
	prefixID     = 'i'
)

// metaFormatKey holds formatName; Open refuses a directory holding another.
var metaFormatKey = []byte("mformat")

const formatName = "caseledger/embedded/v1"

// logKey is 'p' || u64be(position).
func logKey(pos uint64) []byte {
	k := make([]byte, 9)
	k[0] = prefixLog
	binary.BigEndian.PutUint64(k[1:], pos)
	return k
}

func appendLogKey(dst []byte, pos uint64) []byte {
	dst = append(dst, prefixLog)
	return binary.BigEndian.AppendUint64(dst, pos)
}

// logBounds returns the iterator bounds [first, last] of the log, inclusive.
func logBounds(first, last uint64) (lower, upper []byte) {
	lower = logKey(first)
	if last == ^uint64(0) {
		return lower, []byte{prefixLog + 1}
	}
	return lower, logKey(last + 1)
}

func positionOfLogKey(k []byte) uint64 { return binary.BigEndian.Uint64(k[1:]) }

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

func appendPosition(dst []byte, pos uint64) []byte { return binary.BigEndian.AppendUint64(dst, pos) }

func decodePosition(v []byte) (uint64, bool) {
	if len(v) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}
