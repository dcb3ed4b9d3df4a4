// Package eventstore defines caseledger's event store contract: the rules every
// backend keeps, the types that cross it, and the chain-hash encoding.
//
// # Streams
//
//  1. A stream is named "<category>-<id>". The category is one or more of
//     [a-z0-9_] starting with a letter; the id is one or more printable ASCII
//     characters other than space; the whole name is at most 255 bytes.
//     Cases live in "case-<uuid>". The category is everything before the first
//     '-'.
//  2. Versions within a stream start at 0 and have no gaps. The version of a
//     stream is the version of its last event; a stream with no events does
//     not exist.
//
// # Positions
//
//  3. Every recorded event has a global position, strictly increasing in
//     commit order across all streams. Position 0 is never used, so 0 can mean
//     "the start" in reads and subscriptions. In the embedded store positions
//     are gapless (1, 2, 3, ...); other backends may leave gaps (EventStoreDB
//     commit positions are byte offsets) but never reorder.
//
// # Appends
//
//  4. Append(ctx, stream, expected, events...) checks expected against the
//     stream's version: Any accepts anything, NoStream requires that the stream
//     does not exist, StreamExists that it does, Exact(n) that its version is n.
//     A mismatch fails with a *WrongVersionError carrying the expected and the
//     actual version; errors.Is(err, ErrWrongVersion) holds.
//  5. All events of one append are atomic: all are recorded, with contiguous
//     versions and positions, or none is.
//  6. Durability: Append returns only after its events are on stable storage
//     (fsync or a replicated quorum write). An acknowledged event is never lost.
//  7. Idempotency: every event carries a UUID. Re-sending an append whose event
//     IDs were all recorded, by the same append, with the same stream, types,
//     data and metadata, returns the original AppendResult and records nothing,
//     whatever the expected version says now. There is no time window: the ID
//     index is permanent. Reusing a recorded ID for different content, or
//     mixing recorded and new IDs in one append, fails with ErrDuplicateEventID.
//  8. Data must be valid JSON; metadata must be empty or a JSON object. Bytes
//     are stored exactly as given (no re-encoding), so the hash of rule 11 can
//     be recomputed from any faithful copy.
//  9. The ledger is append-only: there are no deletes and no edits. A
//     correction is a new event that refers to the one it corrects.
//
// # Reads and subscriptions
//
//  10. ReadStream reads one stream forwards or backwards from a version, up to a
//     limit; a missing stream fails with ErrStreamNotFound. ReadAll reads the
//     global log forwards or backwards from a position (inclusive), up to a
//     limit, optionally filtered by category and/or event type. Subscribe
//     delivers every matching event after a position in global order with no
//     gaps and no duplicates: first history (catch-up), then live events, with
//     one CaughtUp message when it first reaches the head. A slow subscriber
//     never blocks appenders and never loses events; cancelling its context or
//     closing it ends it and frees everything it held. Resuming with After set
//     to a delivered position continues exactly after that position. A
//     subscription may implement Recycler: once its caller recycles up to a
//     position, it may reuse the memory of the data and metadata of the
//     events delivered up to there; events after it stay intact. A
//     subscription may implement Readier: Ready reports true only when Next
//     would return without waiting for an append, and true whenever an
//     event the subscription matches was acknowledged after the last one it
//     delivered.
//
// # Chain hashes
//
//  11. Every recorded event carries a chain hash:
//
//     hash(e) = SHA-256( "caseledger/chain/v1\n"
//     || prev                       32 bytes: hash of the previous event of the
//     same stream; 32 zero bytes for version 0
//     || id                         16 bytes, the UUID in RFC 9562 byte order
//     || u32be(len(stream)) || stream
//     || u64be(version)
//     || u32be(len(type))   || type
//     || i64be(recorded_at)         nanoseconds since the Unix epoch, UTC
//     || u32be(len(data))   || data     exactly the stored bytes
//     || u32be(len(metadata)) || metadata  exactly the stored bytes (may be empty)
//     )
//
//     where u32be, u64be and i64be are big-endian two's-complement integers of
//     4, 8 and 8 bytes. The global position is deliberately not hashed: it is a
//     property of a backend, not of the event, so a chain verifies the same on
//     every backend and after export and import. Verify walks the log and
//     reports the first event whose version or hash does not follow.
//
// The embedded backend (eventstore/embedded) documents its on-disk format in its
// own package comment.
package eventstore
