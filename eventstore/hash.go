package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

const chainMagic = "caseledger/chain/v1\n"

// ChainHash computes rule 11's hash of e given the hash of the previous event
// in its stream (zero for version 0). e.Hash and e.Position are ignored.
func ChainHash(prev [32]byte, e *RecordedEvent) [32]byte {
	h := sha256.New()
	writeChain(h, prev, e)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func writeChain(h hash.Hash, prev [32]byte, e *RecordedEvent) {
	var n [8]byte
	h.Write([]byte(chainMagic))
	h.Write(prev[:])
	h.Write(e.ID[:])
	writeBytes(h, []byte(e.Stream))
	binary.BigEndian.PutUint64(n[:], e.Version)
	h.Write(n[:])
	writeBytes(h, []byte(e.Type))
	binary.BigEndian.PutUint64(n[:], uint64(e.RecordedAt.UnixNano()))
	h.Write(n[:])
	writeBytes(h, e.Data)
	writeBytes(h, e.Metadata)
}

func writeBytes(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}
