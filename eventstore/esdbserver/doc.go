// Package esdbserver serves the EventStoreDB gRPC protocol over any
// eventstore.Store, so that EventStoreDB and KurrentDB clients and tools, in
// any language, can read, subscribe to and append to the ledger, and so that
// caseledger's own esdb backend can be tested end to end without an
// EventStoreDB server.
//
// # What is served
//
//  1. Streams.Append, Streams.Read (one stream or $all, forwards and
//     backwards, with a count; catch-up subscriptions with event-type or
//     stream filters by prefix or regular expression, checkpoints and a
//     caught-up message), ServerFeatures.GetSupportedMethods (a numeric x.y.z
//     version and the methods above) and Gossip.Read (one node, the leader).
//  2. Streams.Delete and Streams.Tombstone fail with FailedPrecondition: the
//     ledger is append-only (rule 9). BatchAppend, persistent subscriptions,
//     projections and the other services are not served (Unimplemented) and
//     not advertised, so official clients do not try them.
//
// # Mapping
//
//  3. A stream revision is the event's version; both commit and prepare
//     position are the event's global position. A position given by a client
//     is read from its commit position.
//  4. Reads follow EventStoreDB: stream reads and forward $all reads start AT
//     the given revision or position, a backward $all read from a position
//     starts just before it; subscriptions start AFTER the given revision or
//     position, or at the end when asked to.
//  5. Every event is sent with the system metadata "type", "content-type"
//     (application/json) and "created" (.NET ticks, 100 ns units since the
//     Unix epoch, in decimal); its custom metadata is the caseledger envelope
//     (package eventstore/esdb/envelope) holding the chain hash, the
//     nanosecond recording time and the contract's metadata. On append, an
//     envelope in the custom metadata is unwrapped: the store assigns its own
//     time and hash; any other custom metadata is the metadata itself.
//  6. Data must be JSON and metadata a JSON object (rule 8); other content
//     types are refused with InvalidArgument. Stream names must follow rule 1;
//     reading any other stream name, including system streams ("$..."),
//     finds no stream.
//
// # Protocol facts the official clients depend on
//
//  7. A plain read only ever sends events or one stream-not-found message; a
//     subscription's first message is its confirmation.
//  8. A wrong expected version on Append is reported in the response body,
//     never as a status.
//  9. UUIDs are sent as two signed 64-bit halves or as a string, as the
//     request's UUID option asks (two halves when it does not say).
//  10. Errors carry a status and, where EventStoreDB sends one, an
//     "exception" trailer (access-denied); no partial trailer is ever sent.
//  11. Clients ping every 10 s even with no call in flight, so the keepalive
//     enforcement policy permits pings every 5 s without streams; the default
//     (5 minutes) would close idle connections after a few pings.
//
// # Access control
//
//  12. Every Streams call is authorized by an Authorizer from the call's
//     credentials (basic auth or a bearer token in the "authorization"
//     header, and the verified TLS client certificate). The principal may
//     read, or read and append. StaticAuthorizer keeps the default policy:
//     appends only by the configured service identity, reads by every other
//     known user; anonymous calls get what Anonymous says (nothing unless
//     configured). Without an Authorizer, every Streams call is refused. ServerFeatures and Gossip are open: clients call them during
//     discovery without credentials, and they reveal no ledger data.
//  13. Official clients send basic credentials only over TLS; give
//     Options.TLS in any deployment that needs credentials.
package esdbserver
