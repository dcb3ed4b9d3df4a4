// Package embedded is caseledger's embedded event store: eventstore.Store in
// one directory, as an append-only log in segment files indexed by a pebble
// LSM. This comment is the specification of its on-disk format and of its
// concurrency; code that relies on an invariant names it ("invariant N").
//
// # Directory
//
//	caseledger.lock    Open locks it (flock on disk), so that a second Open,
//	                   from this process or another, fails with ErrLocked
//	log/               the log: segment files (below)
//	index/             a pebble database, the index (below)
//
// The log is the ledger: every recorded event is in it, once. The index is
// derived from it and could be rebuilt from it. A directory holding pebble's
// files at its top (CURRENT) is the v1 layout, which Open refuses.
//
// # Log
//
// The log is a sequence of bytes addressed by a global offset from 0, kept
// in segment files. A segment is named by the offset of its first byte, in
// twenty decimal digits, with the suffix ".log"; it holds the log's bytes
// from there up to where the next segment starts (the last one: up to the
// log's end). A segment is closed to writes once the next frame would take
// it past Options.SegmentSize. The file may be longer than its share of the
// log; the rest is zeros. The writer writes them ahead of its frames in
// steps (up to 1 MiB, at most to SegmentSize), so that most fsyncs
// overwrite blocks the file already has instead of growing it, and
// Recovery overwrites with zeros whatever a crash left there.
//
// The log is a sequence of frames, one per group commit, never crossing a
// segment's end:
//
//	u32be   magic 0xCA5E1ED6
//	u32be   CRC-32C (Castagnoli) of every byte after this field to the
//	        frame's end
//	u32be   length of the body in bytes
//	u32be   count, how many events the frame holds (at least 1)
//	u64be   position of its first event; the others follow, one apart
//	body    count times: uvarint length of the record, the record
//	u32be   length of the whole frame, so the log can be read backwards
//
// A record is one event:
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
//	data                         the rest of the record, exactly as given
//
// The stream and type come first so a filtered scan decides on an event
// without decoding the rest. Index and count identify the append an event
// belonged to, which rule 7 needs: a re-sent append matches only if its
// events are the same events of the same append, in the same order.
//
// # Index
//
// The index is a pebble database without a write-ahead log (the log is its
// write-ahead log), and the pending index in memory. Every key starts with
// a one-byte prefix naming its keyspace; integers are big-endian, so byte
// order is numeric order.
//
//	'm' "format"                    -> "caseledger/embedded/v2"
//	'h'                             -> u64be(position) u64be(offset), the tip
//	'f' u64be(first position)       -> u64be(offset) u32be(length) of a frame
//	's' stream 0x00 u64be(version)  -> loc
//	'i' id[16]                      -> loc
//	loc = u64be(position) u64be(offset) u32be(length) of the event's record
//
// 'm' is metadata: Open writes the format marker into a new directory and
// refuses a directory with another one. The tip is the last position the
// index holds and the log offset just past its frame. 'f' lets a scan find
// the frame holding a position. 's' holds each stream's entries clustered
// by stream: stream is the name's bytes (printable ASCII, rule 1, so never
// 0x00), which keeps a stream's keys together in version order and no
// stream's keys among another's. 'i' is the permanent event-ID index of
// rule 7, the 16 bytes of the UUID in RFC 9562 order.
//
// The newest entries are pending: held in memory, in maps by stream and by
// ID and a list of frames, until half a memtable's worth has gathered. The
// flusher then sorts them, with the tip, into one table, written and synced
// in the index directory under a name starting "caseledger-pending-", and
// has pebble ingest it whole (pebble links it under a name of its own and
// removes this one; Open removes any such table a crash left). Inserting
// every entry into pebble's memtable skiplist on the commit path cost about
// 2 us per entry, a third of the store's CPU with 128 appenders; map
// insertions cost a tenth of that. Writing them to pebble as one large
// batch instead left pebble to sort them with its generic comparator and
// flush them through a memtable, about 1.3 us per event; sorting them
// here, where their shapes are known, and ingesting the table halves that
// (pprof of the 128-appender benchmark, 0.82 s of CPU against 0.44 s for
// some 600,000 events). The indexer adds to the
// active pending index; sealed ones wait for the flusher in order. Up to 8
// may wait (maxSealed), so that a pebble write stall (its compactions
// behind on busy cores) does not stall acknowledgements; only then does
// the indexer wait.
//
// # Invariants
//
//  1. A group commit is one frame in the log and its index entries, which
//     enter the pending index together. A frame is whole or, after a crash,
//     dropped whole (see Recovery), so no append is ever half there.
//  2. The index never names what is not durable in the log: a group's
//     entries enter the index only after its frame is synced, and pebble
//     may persist a table any time after that. The tip is in the same
//     table as the entries up to it, and pebble ingests a table
//     atomically, so every entry of every position up to pebble's tip is
//     in pebble.
//  3. A stream's entries have versions 0, 1, 2, ... with no gap, and their
//     positions grow with their versions.
//  4. Records start with the record version byte; a reader refuses a
//     record with an unknown version.
//  5. Positions in the log are 1, 2, 3, ... with no gap (rule 3): the writer
//     assigns them consecutively to the appends it records, each frame
//     starts one past where the last ended, and a failed write, sync or
//     index update stops the store (below), so no gap can follow one.
//  6. head (in memory) is the last position whose frame is synced and whose
//     stream entries are in the index; end is the offset just past its
//     frame. Every read stops at head: nothing unacknowledged is ever
//     served, and a reader that saw an event can rely on it surviving a
//     crash.
//  7. The writer's stream-head cache is never behind: a cached head is the
//     stream's last version prepared, whether or not its batch is applied
//     yet. Heads are dropped only when every prepared batch is applied, so
//     a head missing from the cache is read correctly from the index.
//  8. An event ID recorded after a caller's ID lookup (generation g) is in
//     the group being prepared or in the recent-ID window, which holds the
//     IDs of every prepared group after g as long as the window reaches
//     back to g; otherwise the writer looks the ID up itself. Generation g
//     is applied once its ID entries are in the index.
//  9. The in-memory ID filter holds every recorded ID: Open loads it from
//     the ID index, and the writer adds each ID it prepares before the
//     batch holding it is applied, so a caller that read generation g and
//     then found an ID absent from the filter knows it was in no group up
//     to g. It only ever errs towards "maybe", which costs a lookup.
//  10. A segment is synced whole before the next one is created, and a new
//     segment's directory entry is synced before anything is written to
//     it, so only the last segment can end in a torn frame.
//  11. Every entry is pending or in pebble, or both: a sealed pending index
//     is dropped only after its batch is applied. Readers look at the
//     pending index first and at pebble second, so an entry moving between
//     them is seen at least once (twice is harmless: entries are keyed by
//     stream and version, ID or position). A stream's pending entries are
//     its newest versions.
//
// # Recovery
//
// Open reads the tip and indexes every whole frame of the log after it:
// a frame whose header, length, checksum and first position (one past the
// tip) hold. The first frame that fails them is where the log ends: what
// follows in the last segment is a write the crash tore, or frames written
// after it that no acknowledgement covered (a crash keeps unsynced blocks
// at random). Open overwrites it with zeros and syncs, so that a frame left
// there can never be taken back later, after new frames of the same length
// put it one position past the end again; then it flushes the index. A
// frame that fails in any segment but the last, an index tip past the end
// of the log, or a log whose first segment does not start at 0 is damage
// no crash produces: Open refuses the directory.
//
// With no WAL, a crash loses the pending entries, up to half a memtable's
// worth each (about 150,000 events with the default size, more if sealed
// ones were waiting), and Open indexes that much of the log again;
// Close writes the pending entries and flushes the index, so a clean Open
// indexes nothing.
//
// # Concurrency
//
// An append passes through five goroutines, each keeping its order:
//
//  1. The caller validates the input (eventstore.ValidateAppend) and checks
//     each event ID, noting the last applied group's generation first,
//     against the in-memory ID filter and, when it says "maybe", the ID
//     index. This is rule 7's main cost, so it runs in the callers, in
//     parallel, off the ordered path.
//     The append is then queued for the writer (a slice under a mutex and a
//     one-token channel to wake it; see appendQueue).
//  2. The writer takes a pipeline slot, then every append waiting, up to
//     Options.MaxGroupSize, as one group. For each append in order it
//     checks the context; rule 7, against the IDs of the groups prepared
//     since the caller's lookup (the recent-ID window) and of the group
//     itself, falling back to the ID index once everything prepared is
//     applied; and the expected version against the cached stream head,
//     which earlier appends of the group have already advanced, so two
//     appends to one stream in one group see each other. A failed check
//     fails that append only: it has put nothing into the frame nor the
//     caches. The writer assigns positions and versions, computes chain
//     hashes, encodes the frame and the index entries, and writes the frame
//     to the last segment, unsynced. While appends keep arriving it goes on
//     with the next group, and hands all of them to the syncer as one unit.
//  3. The syncer fdatasyncs the segment once per unit, in order. An fsync
//     covers every frame written before it started, so groups an earlier
//     fsync covered need none.
//  4. The indexer adds the group's stream and frame entries to the pending
//     index, frees the unit's slot after its last group, publishes the new
//     head and end, wakes the subscriptions and acknowledges the group's
//     appends; then it adds the group's ID entries and advances the
//     applied generation (only the ID check reads those, and it waits for
//     the generation: invariant 8). When the pending index is full it
//     seals it.
//  5. The flusher ingests each sealed pending index into pebble as a table.
//
// Two slots bound the units in flight, so the writer gathers one unit
// while the one before syncs. The writer takes the slot before it gathers,
// so appends arriving during an fsync join the next unit instead of
// queueing behind one gathered too early. Before each group it yields
// while the queue still grows: appenders that one acknowledgement woke come
// back over a while, and the writer, woken by the first of them, would
// otherwise commit it alone and leave the rest for another fsync. With 128
// appenders, one and two slots measured within noise of each other once
// the writer yields; without the yield, groups alternated between a few
// appends and the rest, and throughput was 10 to 30 % lower. Units (the
// writer preparing the appends already back while others are still on
// their way, one fsync for all) added about 10 % and took CPU per event
// from about 9 to 8 us. If the writer must wait for its groups to be
// applied (the slow path of rule 7, or trimming the head cache), it sends
// the unit it holds on first and takes a new slot for the rest.
//
// If a write, a sync or an index update fails, the store keeps serving reads
// of what was acknowledged but fails every later append: the writer's
// caches are ahead of what is durable, and an fsync failure leaves the
// file's state unknown.
//
// Reads and subscriptions never touch the writer. A stream read takes the
// stream's pending entries and scans its entries in pebble, then reads the
// records from the log, one read call for records that lie together (an
// append's events). A scan of the log finds the frame holding its first
// position (pending or in pebble), then reads the log in chunks of 256 KiB
// forwards, or frame by frame backwards, each frame found from the trailer
// of the one after it, checking each frame's checksum. Both stop at head
// and end (invariant 6), which the indexer stores end first, head second.
// A subscription is pull-based: each Next reads a page of the log after the
// last position it examined and, at the head, waits on a channel that the
// indexer closes and replaces each time head advances, on its context or
// on Close. It holds no goroutine and no lock between calls, so it cannot
// block appends, and it cannot miss an event: it takes the channel before
// it reads head. Its events' data and metadata lie in 64 KiB chunks it
// keeps across pages; once its caller recycles events (eventstore.Recycler)
// it writes later events into the chunks holding only recycled ones, which
// took a replay of the read models from 2.15 to 1.20 GB allocated per
// million events. Ready (eventstore.Readier) tells its caller whether Next
// would wait: whether the page has events left, history remains below head,
// CaughtUp is still to come, or the subscription has ended.
//
// Close stops taking appends, waits until every append already queued is
// acknowledged or failed and the pending entries are in pebble, ends
// subscriptions, then waits for reads in progress (a read lock) before it
// flushes and closes the index and closes the segments.
//
// Backup checkpoints the index (after a flush), then copies each segment
// up to what the writer has written by then, which is at or past the
// checkpoint's tip and ends on a frame boundary; the copy's Open indexes
// the difference.
//
// # Layout
//
// Two reads matter: a stream read (a command loads its case) and a scan of
// the whole log (projections, subscriptions, Verify). Version 1 kept both
// orders in pebble, each event written twice, by position and clustered by
// stream. It served both reads well, but the WAL, the flushes and the
// compactions carried every event twice, and with 128 appenders pebble's
// background work took the second core: 0.30 of the plain-file ceiling.
// Now each event's bytes are written once, to the log, which a scan reads
// sequentially; the index holds about 100 bytes per event and no payload,
// so its flushes and compactions are small; a stream read is an index scan
// plus one read of the log per append, served by the page cache.
//
// Open reads the whole ID index into the ID filter: its time and the
// filter's memory (about 10 bits per event) grow with the ledger.
//
// # Tuning
//
// DefaultMemTableSize is 64 MiB: pending indexes are sealed at half of it,
// about 300,000 events (some 100 MB of Go maps each), which also bounds
// what Open re-indexes after a crash (more if sealed ones were waiting for
// a stalled pebble); pebble's memtable itself holds nothing, since the
// entries arrive as ingested tables. Larger seals mean fewer, larger
// tables for pebble to compact into the index's random keys: with 128
// appenders, 8 MiB cost 10.1 to 10.4 us of CPU an event and gave 127,000
// to 130,000 events/s, 32 MiB 7.5 to 8.6 us and 141,000 to 159,000,
// 64 MiB 6.5 to 6.7 us and 165,000, in 4-second runs back to back, when
// the flusher still wrote batches. Part of that is compaction falling
// after the end of a short run, the more so the larger the memtable, so
// 32 MiB was the default; with ingested tables, 10-second runs (1.5
// million events, five seals or more at 64 MiB, with their compactions)
// gave 0.61 and 0.70 of the ceiling at 32 MiB (8.1 to 8.4 us an event)
// and 0.75 and 0.76 at 64 MiB (7.0 to 7.5 us), back to back (two later
// 10-second runs at 64 MiB gave 0.63 and 0.65: the ceiling moves too).
// A ledger that must open faster after a crash, or hold less memory, can
// lower it.
// DefaultBlockCacheSize is 256 MiB: the index of the reference fixture
// (1,000,000 events) fits, and the log is cached by the OS, not by pebble.
// Index data blocks are 16 KiB: a stream's entries are adjacent, so a
// stream read touches one block, and a smaller block decompresses less.
// DefaultSegmentSize is 256 MiB: few files, each created and synced once.
// The zeros ahead of the log: an fdatasync that grows the file also
// commits the file system's journal (ext4 here), one that overwrites
// written blocks does not. BenchmarkFsyncFrame, 42 KB frames: 268 and 272
// us an fdatasync appending, 133 and 164 us overwriting. Steps of at most
// 1 MiB took the 128-appender benchmark from 152,000-166,000 to
// 169,000-198,000 events/s in alternated runs; 4 MiB steps were as fast
// but put p99 at 4.8-7.8 ms (each step one long fsync), 256 KiB steps
// fell in between. The price: the disk takes every byte of the log twice,
// as a zero first: with the benchmark's events (about 550 bytes in the
// log), 200,000 a second are some 220 MB/s of writes instead of 110.
package embedded
