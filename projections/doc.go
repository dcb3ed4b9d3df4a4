// Package projections builds read models from the event log and keeps them
// up to date: the runner, its on-disk copies, read-your-writes waits,
// blue/green version changes and replays.
//
// # Model
//
// A Projection is code with a Name, a Version and an Apply that folds one
// event into state kept in a key/value store. Apply runs inside a Tx that the
// runner shares between many events, so the cost of a commit is paid once per
// batch while an error still names the one event that caused it. A read
// model may keep decoded values in the Tx (SetObject): they are encoded once,
// at commit, however many events of the batch touched them. After the commit
// a bounded cache per folder keeps them, decoded, for later batches (cases
// are interleaved in the log, so a case comes back batches later); it is a
// copy of committed state only, never read by View, and dropped with a
// failed batch, so what is committed is still all there is (invariant 3).
// A folder that finds its copy empty keeps a Bloom filter of the keys it
// stores, so that Tx.Get of a key never stored (a case's first event) does
// not search Pebble; a false positive only costs that search.
//
// A read model that folds domain events implements DomainProjection: its
// ApplyEvent gets the event decoded, once for every such read model.
//
// # Feeds
//
// The runner reads the log once for the copies that start at about the
// same position (within shareGap): a feed holds the one subscription,
// gathers its messages into chunks, decodes the events some member folds
// as domain events (the two halves of a chunk side by side) and hands each
// chunk, shared and read-only, to every member, which folds at its own pace
// and skips what it has folded already. A copy far behind the others (one
// rebuilt from zero) gets a feed of its own, so their live events never
// wait behind its catch-up. Until its subscription has caught up, a copy
// commits batches of 128k events, or of 16k decoded objects if that comes
// first (Options.BatchSize once caught up): every commit encodes each
// object the batch touched, and cases come back batch after batch. Copies
// have large memtables for the same reason, and no write-ahead log
// (invariant 4); they are flushed once caught up and at Close so that a
// restart has little to fold again.
//
// # On-disk format
//
//  1. Every projection copy is its own Pebble database in
//     <dir>/<name>-v<version>.<generation>. Name matches [a-z][a-z0-9_]*, so
//     the directory name parses back unambiguously. Generation counts rebuilds
//     of one version (Runner.Rebuild), starting at 1.
//  2. Inside a copy, keys starting with 0x00 are the runner's: 0x00 "checkpoint"
//     (u64be, the last position folded in) and 0x00 "live" (present once the
//     copy has served reads). A projection's own keys are stored behind the
//     prefix 0x01, so no projection key can collide with the runner's.
//
// # Invariants
//
//  3. State and checkpoint change together: the runner writes a batch's state
//     changes and the checkpoint into one Pebble batch and commits it once.
//     Pebble applies a batch atomically and flushes whole batches, so every
//     state a reader or a restart can observe is exactly the fold of the
//     events up to its checkpoint. Restart resumes with Subscribe(After:
//     checkpoint): nothing is applied twice and nothing is skipped.
//  4. Commits are not durable: a copy keeps no write-ahead log. After a
//     process or machine crash Pebble holds what its last flush wrote, and by
//     invariant 3 that is a consistent (older) checkpoint. Replaying from it
//     re-applies only events whose effects were lost with it. The event store
//     is the durable record; the mark that a copy serves reads is flushed
//     when it is set.
//  5. A copy's checkpoint advances over every event of the log, matching its
//     Filter or not: the runner subscribes unfiltered and filters itself. A
//     store may never say where a filtered subscription got to between
//     matching events, and without that a read waiting for the position of a
//     non-matching append would wait for ever.
//  6. A failing Apply (an error or a panic) stops its projection only. The
//     batch in progress is dropped, so the copy stays at its last checkpoint,
//     and the *ApplyError names projection, version, event type, stream,
//     stream version and position. Health shows it; reads needing later
//     positions fail with it at once instead of waiting. Nothing is skipped:
//     a restart with fixed code resumes at the failed event.
//
// # Versions and blue/green
//
//  7. The copy being built for the registered version is the target. When the
//     target is already live it serves. Otherwise the newest live copy of the
//     same name (an older version, or the previous generation) keeps serving,
//     frozen at its checkpoint because its code is gone, while the target is
//     built from position zero in the background; an interrupted build
//     resumes from its own checkpoint. The target is marked live and swapped in
//     once it has caught up with the head; the old copy is closed once its
//     last reader is done and its directory removed. Copies that are neither
//     target nor server are removed at Open. Directories of names no longer
//     registered are left alone: nothing says they are not some other
//     runner's.
//  8. Reads take a Pebble snapshot of the serving copy, so a read sees one
//     checkpoint's state even while batches commit and even across a swap.
//
// # Reads
//
//  9. Read and WaitFor take a minimum position (the LastPosition of an
//     append) and wait, bounded by the context, until the serving copy has
//     committed it. A deadline yields a domain.CodeUnavailable error.
//
// # Replay
//
//  10. Replay folds a prefix of the log (up to a position, or up to the first
//     event recorded after a time) into a fresh copy in its own directory,
//     reporting progress per batch. A time bound cuts the log in position
//     order rather than filtering by time, because only a prefix of the log
//     is a state that existed.
package projections
