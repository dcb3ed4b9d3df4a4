package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

const chainMagic = "caseledger/chain/v1\n"

// hashBufs recycles the buffers ChainHash encodes into: it runs once per
// event in every writer and in Verify, so it must not allocate.
var hashBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// ChainHash computes rule 11's hash of e given the hash of the previous event
// in its stream (zero for version 0). e.Hash and e.Position are ignored.
func ChainHash(prev [32]byte, e *RecordedEvent) [32]byte {
	bp := hashBufs.Get().(*[]byte)
	b := AppendChainInput((*bp)[:0], prev, e)
	sum := sha256.Sum256(b)
	*bp = b
	hashBufs.Put(bp)
	return sum
}

// AppendChainInput appends the exact bytes rule 11 hashes for e to b. It is
// exported so that a verifier can show what it hashed.
func AppendChainInput(b []byte, prev [32]byte, e *RecordedEvent) []byte {
	b = append(b, chainMagic...)
	b = append(b, prev[:]...)
	b = append(b, e.ID[:]...)
	b = appendBytes(b, e.Stream)
	b = binary.BigEndian.AppendUint64(b, e.Version)
	b = appendBytes(b, e.Type)
	b = binary.BigEndian.AppendUint64(b, uint64(e.RecordedAt.UnixNano()))
	b = appendBytes(b, e.Data)
	b = appendBytes(b, e.Metadata)
	return b
}

func appendBytes[T ~string | ~[]byte](b []byte, s T) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
