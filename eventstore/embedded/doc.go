// Package embedded is caseledger's embedded event store: eventstore.Store on
// a pebble LSM in one directory. This comment is the specification of its
// on-disk format and of its concurrency; code that relies on an invariant
// names it ("invariant N").
//
// # Directory
//
// The directory holds pebble's files and caseledger.lock, which Open locks
// (flock on disk) so that a second Open, from this process or another, fails
// with ErrLocked naming the directory. Nothing else is kept outside pebble.
//
// # Keys
//
// Every key starts with a one-byte prefix naming its keyspace. Integers are
// big-endian, so byte order is numeric order.
//
//	'm' "format"                         -> "caseledger/embedded/v1"
//	'p' u64be(position)                  -> log value (below)
//	's' stream 0x00 u64be(version)       -> u64be(position)
//	'i' id[16]                           -> u64be(position)
//
// 'm' is metadata: Open writes the format marker into a new directory and
// refuses a directory with another one. 'p' is the global log, one key per
// event, in position order. 's' is the stream index: stream is the name's
// bytes (printable ASCII, rule 1, so never 0x00), which keeps a stream's
// keys together in version order and no stream's keys among another's. 'i'
// is the permanent event-ID index of rule 7, the 16 bytes of the UUID in
// RFC 9562 order.
//
// # Log values
//
//	byte    1                    record version, 1
//	uvarint len(stream), stream
//	uvarint len(type),   type
//	u64be   version
//	[16]    id
//	i64be   recorded_at          nanoseconds since the Unix epoch, UTC
//	[32]    hash                 the chain hash of rule 11
//	uvarint index                the event's index within its append
//	uvarint count                how many events its append held
//	uvarint len(metadata), metadata   exactly as given, may be empty
//	data                         the rest of the value, exactly as given
//
// The stream and type come first so a filtered scan decides on an event
// without decoding the rest. Index and count identify the append an event
// belonged to, which rule 7 needs: a re-sent append matches only if its
// events are the same events of the same append, in the same order.
//
// # Invariants
//
//  1. The log record, the stream index entry and the ID index entry of an
//     event are written in the same pebble batch, with every other event of
//     its append, and a group of appends is one batch. pebble applies and
//     recovers a batch whole or not at all, so no append is ever half there.
//  2. Every stream index entry and every ID index entry names a position
//     whose log record exists and describes that event. A violation is
//     reported as corruption, never papered over.
//  3. A stream's index entries have versions 0, 1, 2, ... with no gap, and
//     their positions grow with their versions.
//  4. Log values start with the record version byte; a reader refuses a
//     value with an unknown version.
//  5. Positions in the log are 1, 2, 3, ... with no gap (rule 3): the writer
//     assigns them consecutively to the appends it records, and a failed
//     commit stops the store (below), so no gap can follow one. After a crash
//     pebble replays its WAL up to the last whole batch, so the log is a
//     gapless prefix of what was written and the head is its last key.
//  6. head (in memory) is the last position whose batch is synced. pebble
//     makes a batch visible before its fsync, so every read stops at head:
//     nothing unacknowledged is ever served, and a reader that saw an event
//     can rely on it surviving a crash.
//  7. The writer's stream-head cache and the disk agree: a head in the
//     cache is the last version recorded for the stream, including appends
//     applied but not yet synced, which pebble already shows to the
//     writer's reads.
//
// # Concurrency
//
// Append validates its input (eventstore.ValidateAppend) in the caller's
// goroutine and hands the append to a single writer goroutine over an
// unbuffered channel. The writer takes every append waiting, up to
// Options.MaxGroupSize, as one group. For each append in order it checks
// the context, the ID index (rule 7, with the IDs of earlier appends in the
// same group), and the expected version against the cached stream head,
// which earlier appends of the group have already advanced, so two appends
// to one stream in one group see each other. A failed check fails that
// append only: it has put nothing into the batch nor the caches. The writer
// then assigns positions and versions, computes chain hashes, writes the
// whole group as one pebble batch with Sync and applies it without waiting
// for the fsync (pebble.DB.ApplyNoSyncWait). The acker goroutine waits for
// each group's fsync in commit order, publishes the new head, wakes the
// subscriptions and acknowledges the group's appends. The writer meanwhile
// prepares the next group (at most 4 groups are in flight), so hashing and
// encoding overlap the fsync, and pebble folds the WAL syncs of groups that
// arrive together into one.
//
// If a commit or a sync fails, the store keeps serving reads of what was
// acknowledged but fails every later append: the writer's caches are ahead
// of what is durable, and an fsync failure leaves the file's state unknown.
//
// Reads and subscriptions never touch the writer: they use pebble
// iterators, bounded by head (invariant 6). A subscription is pull-based:
// each Next reads a page of the log after the last position it examined
// and, at the head, waits on a channel that the acker closes and replaces
// each time head advances, on its context or on Close. It holds no
// goroutine and no lock between calls, so it cannot block appends, and it
// cannot miss an event: it takes the channel before it reads head.
//
// Close stops taking appends, waits until the writer has committed and the
// acker acknowledged every append already handed over, ends subscriptions,
// then waits for reads in progress (a read lock on the database handle)
// before closing pebble.
//
// # Layout
//
// The log is keyed by position so that reading or subscribing to the whole
// log is one forward scan over contiguous keys. A stream read walks the
// stream's index entries (adjacent keys) and then seeks one log iterator to
// each position in increasing order.
//
// # Tuning
//
// The defaults of Options (DefaultMemTableSize, DefaultBlockCacheSize,
// DefaultMaxGroupSize) are set from measurements with 1, 16 and 128
// concurrent appenders; see docs/benchmarks.md.
package embedded
