// Package esdb is caseledger's event store on EventStoreDB or KurrentDB, for
// deployments that scale out (several caseledger instances on one
// replicated cluster). It is the only package that imports the EventStoreDB
// client. It keeps the contract of package eventstore with the differences
// below, each declared in its conformance test.
//
// # Mapping
//
//  1. A caseledger stream is an EventStoreDB stream of the same name; a
//     version is a stream revision (both start at 0). Streams whose name
//     starts with '$' and events whose type starts with '$' are
//     EventStoreDB's own and are never returned.
//  2. An event's global position is its prepare position. Within one append
//     EventStoreDB gives all events one commit position but each its own
//     prepare position, and the prepare positions of $all increase strictly
//     in commit order, so they keep rule 3 (with gaps: they are byte
//     offsets). Reads and subscriptions start from (p, p).
//  3. Data is the event's data, byte for byte, with content type
//     application/json. The event's custom metadata is an envelope (package
//     envelope) holding the recording time in nanoseconds, the chain hash
//     and the contract's metadata byte for byte, so that eventstore.Verify,
//     and `caseledger verify`, check the same chain on both backends.
//
// # Appends
//
//  4. An append reads the stream's last events first: the last one gives
//     the version to check the expected version against (rule 4) and the
//     hash to chain from (rule 11); the recording time is this process's
//     clock. It then appends with that exact revision (or NoStream), never
//     with Any, because EventStoreDB's idempotency is only guaranteed for an
//     exact expectation. When another writer got in between, the server
//     refuses the exact revision and the append starts over: for Any and
//     StreamExists that is the contract's behaviour; for Exact and NoStream
//     the re-read then reports the wrong version.
//  5. Retries (rule 7) are recognised in the events read: the stream's last
//     TailWindow events, and for Exact(n) the events after n. Each envelope
//     records the event's place in its append, so a re-send is told from
//     neighbouring events of other appends: all IDs found, with the same
//     content, as one whole append in order, returns the original result;
//     any other mix fails with ErrDuplicateEventID. Against a real
//     EventStoreDB that is as far as it goes: EventStoreDB has no global
//     event-ID index, so an ID reused in another stream, or a retry with Any
//     after more than TailWindow later events, is not recognised. Events
//     whose place is unknown (served by caseledger's own endpoint, package
//     esdbserver, or written by other clients) are left to the server: the
//     append is sent with the caller's own expected version, and the
//     endpoint's embedded store keeps rule 7 whole, its refusal of a reused
//     ID arriving as AlreadyExists, mapped to ErrDuplicateEventID.
//  6. The positions of a multi-event append are read back from the stream
//     after it succeeds (EventStoreDB reports one position per append).
//
// # Subscriptions
//
//  7. A subscription is an EventStoreDB catch-up subscription to $all with a
//     server-side filter: stream prefixes "<category>-" for categories, a
//     regular expression on the type for types alone, and otherwise a filter
//     that excludes system events, so that the server sends checkpoints.
//     Types are filtered again here when categories are given too.
//  8. EventStoreDB subscriptions start after the given position, like the
//     contract's. CaughtUp is sent once: when the server says so, or when a
//     delivered event or checkpoint reaches the head read when the
//     subscription started, whichever comes first.
//  9. The client does not resubscribe: when a subscription drops, Next
//     resubscribes from the last delivered position or checkpoint, with
//     backoff (50 ms doubling to 5 s), and skips anything at or before it,
//     so a reconnect neither loses nor repeats events. A resubscription the
//     server refuses (rather than cannot answer) fails Next. A client whose
//     first call could not reach the server closes itself for good, so a
//     closed client is replaced by a new one.
//
// # Known limits against a real EventStoreDB
//
//  10. A read or subscription that starts inside a multi-event append (a
//     position that is not the append's first) relies on EventStoreDB
//     accepting (p, p) for an event whose commit position is lower; this is
//     exact through the endpoint, where commit and prepare positions are
//     equal, and is exercised against a real server only by the gated test
//     (CASELEDGER_TEST_ESDB).
package esdb
