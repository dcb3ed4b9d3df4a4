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
//	's' stream 0x00 u64be(version)       -> u64be(position) || log value
//	'i' id[16]                           -> u64be(position)
//
// 'm' is metadata: Open writes the format marker into a new directory and
// refuses a directory with another one. 'p' is the global log, one key per
// event, in position order. 's' holds each stream's events again, clustered
// by stream: stream is the name's bytes (printable ASCII, rule 1, so never
// 0x00), which keeps a stream's keys together in version order and no
// stream's keys among another's; the value is the event's position followed
// by the very bytes of its log value. 'i' is the permanent event-ID index of
// rule 7, the 16 bytes of the UUID in RFC 9562 order.
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
//  1. The log record, the stream entry and the ID index entry of an
//     event are written in the same pebble batch, with every other event of
//     its append, and a group of appends is one batch. pebble applies and
//     recovers a batch whole or not at all, so no append is ever half there.
//  2. Every stream entry and every ID index entry names a position whose
//     log record exists and describes that event; a stream entry's log
//     value is byte for byte the one at its position. A violation is
//     reported as corruption, never papered over.
//  3. A stream's entries have versions 0, 1, 2, ... with no gap, and their
//     positions grow with their versions.
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
//  7. The writer's stream-head cache is never behind: a cached head is the
//     stream's last version prepared, whether or not its batch is applied
//     yet. Heads are dropped only when every prepared batch is applied, so
//     a head missing from the cache is read correctly from disk.
//  8. An event ID recorded after a caller's ID lookup (generation g) is in
//     the group being prepared or in the recent-ID window, which holds the
//     IDs of every prepared group after g as long as the window reaches
//     back to g; otherwise the writer looks the ID up itself.
//  9. The in-memory ID filter holds every recorded ID: Open loads it from
//     the ID index, and the writer adds each ID it prepares before the
//     batch holding it is applied, so a caller that read generation g and
//     then found an ID absent from the filter knows it was in no group up
//     to g. It only ever errs towards "maybe", which costs a lookup.
//
// # Concurrency
//
// An append passes through four goroutines, each keeping its order:
//
//  1. The caller validates the input (eventstore.ValidateAppend) and checks
//     each event ID, noting the last applied group's generation first,
//     against the in-memory ID filter and, when it says "maybe", the ID
//     index. This is rule 7's main cost, so it runs in the callers, in
//     parallel, off the ordered path.
//     The append is then handed to the writer over an unbuffered channel.
//  2. The writer takes a pipeline slot, then every append waiting, up to
//     Options.MaxGroupSize, as one group. For each append in order it
//     checks the context; rule 7, against the IDs of the groups prepared
//     since the caller's lookup (the recent-ID window) and of the group
//     itself, falling back to the ID index once everything prepared is
//     applied; and the expected version against the cached stream head,
//     which earlier appends of the group have already advanced, so two
//     appends to one stream in one group see each other. A failed check
//     fails that append only: it has put nothing into the batch nor the
//     caches. The writer assigns positions and versions, computes chain
//     hashes and encodes the group into one pebble batch.
//  3. The applier applies each batch to pebble with Sync, in order, without
//     waiting for the fsync (pebble.DB.ApplyNoSyncWait), and advances the
//     applied generation.
//  4. The acker waits for each batch's fsync in order, frees its slot,
//     publishes the new head, wakes the subscriptions and acknowledges the
//     group's appends.
//
// Two slots bound the groups in flight, so hashing, encoding and memtable
// insertion of one group overlap the fsync of the one before, and pebble
// folds the WAL syncs of groups that arrive together into one. The writer
// takes the slot before it gathers, so appends arriving during an fsync join
// the next group instead of queueing behind a group gathered too early.
// With 128 appenders, 4, 8 and 16 slots measured no better than 2: the
// writer is idle most of the time, and the fsync bounds the throughput.
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
// Close stops taking appends, waits until every append already handed to
// the writer is acknowledged or failed, ends subscriptions,
// then waits for reads in progress (a read lock on the database handle)
// before closing pebble.
//
// # Layout
//
// Two reads matter: a stream read (every command loads its case) and a scan
// of the whole log (projections, subscriptions, Verify). A case's events are
// appended days apart, so in a log keyed by position they lie in as many
// blocks as they are events; keyed by stream, a stream read is one seek and
// a scan of adjacent keys, but a scan of the log in position order would
// seek once per event. The store keeps both orders, the event written twice
// in one batch: 'p' for scans, 's' for stream reads. The price is the
// bytes: the WAL, flushes and compactions carry each event twice.
//
// Measured on the shared, loaded 2-core machine (load average 7 to 14, so
// the figures compare variants run back to back, not absolute speed): on
// the reference fixture (1,000,000 events, 100,000 streams) the read of a
// 20-event stream took a median of 99 us through the position log (one
// iterator seeking forwards to each position; it touches one log block per
// event and thrashes the block cache once the log outgrows it) and 46 to 50
// us from the clustered copy. Against that, with 128 appenders the copy
// cost about a third of the append throughput (13,000 and 26,500 events/s
// with the copy, 27,800 and 40,000 without, in alternating runs), because
// the WAL fsync waits behind twice the bytes and the compactions that
// follow them. Stream reads are on the path of every command, so the copy
// stays. Writing the log and the indexes to two pebble instances, the
// indexes without a WAL and rebuilt from the log after a crash, would keep
// the reads and give back most of the throughput; it is not done yet.
//
// Open reads the whole ID index into the ID filter: its time and the
// filter's memory (about 10 bits per event) grow with the ledger.
//
// # Tuning
//
// DefaultMemTableSize is 16 MiB. Alternating runs against 64 MiB on the
// shared machine (load average 4 to 7) gave, at 1 appender, 1,263 and 1,376
// events/s (median 234 and 215 us) against 1,096 and 956 (263 and 309 us);
// at 16 appenders no clear difference; at 128 appenders 24,100 and 24,900
// events/s against 29,200 and 27,700. A larger memtable is deeper to insert
// into and slower to flush, which single appenders feel; fewer flushes
// disturb the WAL fsync less, which many appenders feel. 32 MiB showed no
// gain over 16 in a noisier run. One appender is the common case of a
// quiet office, so 16 MiB it is; a service facing bursts can raise it.
//
// DefaultBlockCacheSize is 512 MiB, most of the log keyspace of the
// reference fixture (about 560 MB of uncompressed blocks, the form the
// cache holds them in), so that repeated scans and reads mostly hit it; a
// stream read touches one or two blocks of the clustered copy. Both sizes
// are knobs in Options.
//
// Data blocks are 64 KiB, not pebble's 4 KiB: a scan of the log pays per
// block (a read, a checksum, a cache insertion, an allocation), and a
// stream read touches one or two blocks whatever their size. On the
// reference fixture, back to back on the loaded machine: 32 KiB blocks
// scanned 556,000 events/s and read a stream in 25 us (median), 64 KiB
// 1,260,000 events/s and 20 us, 128 KiB 1,320,000 events/s and 18 us.
// 64 KiB keeps most of the gain while a point read that misses the block
// cache decompresses half as much as with 128 KiB.
package embedded
