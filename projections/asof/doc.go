// Package asof answers "what did this case look like at that point" straight
// from the event store, with no read model: it reads the case's stream once
// and folds it with domain.Evolve up to a bound. Diff then says what changed
// between two such points.
//
// # Bounds
//
//  1. AtVersion(v) is the state after the event of stream version v: the
//     first v+1 events. A version the case has not reached fails with
//     domain.CodeNotFound (unless a recorded-at bound ends the prefix
//     first: the ledger did not know that far then, and the snapshot is
//     what it knew).
//  2. RecordedBy(t) is what the ledger knew at t: the events the store
//     recorded at or before t, by its clock (RecordedAt). The ledger learns
//     only by appending, so this is always a prefix of the stream: the fold
//     stops at the first event recorded after t, even if a later one carries
//     an earlier time (the store's clock stepped back), because that event
//     was not known before the one ahead of it.
//  3. OccurredBy(t) is what had happened by t: the events whose effective
//     time (domain.EventMeta.OccurredAt, the time the command took effect,
//     e.g. a paper application entered the next morning) is at or before t.
//     Effective times usually grow along the stream, but nothing enforces
//     it: a backdated command is recorded after facts that took effect
//     later. So this bound selects a subset, not a prefix. Events that
//     occurred after t are left out wherever they stand; those that stand
//     before the snapshot's last event are listed in Snapshot.Skipped, so a
//     reader sees the state is not a prefix. domain.Evolve accepts events in
//     any order, so the fold is defined.
//  4. Bounds combine (At has one field per bound): an event counts only if
//     every bound set admits it, e.g. what the ledger knew on 1 March about
//     what had happened by 15 February. The zero At is the latest state.
//  5. A case with no stream fails with domain.CodeNotFound. A case whose
//     first event lies beyond the bounds fails with domain.CodeNotFound
//     wrapping ErrNotYet. The two messages differ, so they tell a case that
//     exists from one that does not: callers that authorise by the case's
//     content must authorise against the current case first.
//
// # Cost
//
//  6. One stream read, in pages, stopping at the version and recorded-at
//     bounds. Events past the bounds are never decoded: the effective time
//     of an event is read from its JSON without decoding the rest
//     (occurredAt). That relies on "occurred_at" being a top-level key of
//     every event's data (domain.EventMeta is embedded in every event type)
//     and on upcasters leaving it alone: they change an event's own facts,
//     never its envelope.
//
// # Snapshots and diffs
//
//  7. A Snapshot carries the domain.State, for callers that decide on it
//     (visibility, next actions), and a View: a stable, JSON-friendly copy of
//     what the state says. A View is a value derived from the log alone; it
//     names people only by the opaque references and masked values the
//     events carry.
//  8. Corrections (domain.EventCorrected) never change the state: the
//     ledger keeps the wrong event and the correction side by side. The View
//     lists each correction as an annotation with the corrected event's
//     version and type and the value it recorded for the corrected field,
//     so both show.
//  9. Diff compares two Views field by field, in the View's field order.
//     Items, complaints, 督办 and corrections are matched by their key, not
//     their index, and appear in the earlier View's order followed by new
//     ones; lists of plain values (materials, pauses, steps) compare whole.
//     A path reads like "items[ITEM].due". The same two Views always give
//     the same Changes.
package asof
