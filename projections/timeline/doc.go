// Package timeline is the supervisor's read model: per case every step in
// order with who, when (occurred and recorded), why and under what legal
// basis; working days per step, per item and per department with the clock
// pauses apart; each item's time state at any instant; and lists of the
// items turning yellow or overdue and of the open 督办, by region and
// department.
//
// # Stored layout
//
//  1. Keys: "case/<case id>" holds a case's document; "due/..." and
//     "duban/..." are the indexes of invariants 6 and 7; "d/..." is the
//     dictionary of invariant 3; "meta/span" the widest dispatch-to-due
//     span indexed (see Warnings).
//  2. A document is a header (region, bundle, the submitting applicant,
//     the item table: code and department) and one step per event of the
//     case, exactly the case's events in stream order: step i is version i.
//     Apply refuses an event whose version is not the number of steps so
//     far, since a gap would silently drop history. Steps are binary
//     (codec.go, reader.go): varint deltas from the previous step for occurred-at (in
//     seconds, plus nanoseconds when any), recorded-at (in microseconds, or
//     as the lag behind occurred-at when that is shorter) and position; due
//     dates as days from the step's own day; items as indexes into the item
//     table; the type, a lag bit and the optional fields' flags XORed with
//     the type's usual ones in one leading varint. About 750 to 800 bytes
//     per case with the indexes on generated histories
//     (TestStoredBytesPerCase, BenchmarkReplay), next to the status model's
//     1.15 KB; the dictionary adds some 70 bytes per case at 1,000 cases,
//     less as cases grow.
//  3. Strings that recur across cases (officers as role, person, unit and
//     region; opinions, reasons, kinds, legal bases, codes; up to 64 bytes)
//     are stored once in a dictionary, "d/s/<string>" -> id and
//     "d/i/<id>" -> string, ids counted by "d/n"; the dictionary grows with
//     the vocabulary, not with cases. Longer texts, document numbers and
//     applicants (one case each) are stored in place. The dictionary is
//     written only by Apply, so it is the same in every copy folded from the
//     same log.
//  4. A correction names the event it corrects by ID. Steps keep the first
//     3 bytes of their event's ID; the correction links to the only step
//     with those bytes, and to none (Corrects -1, the ID still shown) in the
//     rare case (about 1 in 400,000 per correction) that two steps of the
//     case share them.
//
// # Fold and indexes
//
//  5. The items' fold (status, dispatch day, due date, pauses) mirrors
//     domain.State's: due dates come from the events, which the domain
//     computed when it decided, so no calendar is needed to fold; the test
//     compares every case of a generated history with domain.Replay.
//  6. The due index has one key per item whose clock runs against a due
//     date: "due/<due>/<region>/<department>/<case>/<item>" -> dispatch day,
//     names path-escaped. An item enters when dispatched, leaves while its
//     clock is paused (its due date moves when it resumes) and for good
//     when it concludes, is withdrawn, or its case is refused, withdrawn or
//     terminated. Overdue on day D is the range of due dates before D;
//     yellow the range from D up to the policy's reach (Warnings), each key
//     checked with workday.StateAt. Neither reads a case document.
//  7. The 督办 index has one key per open 督办,
//     "duban/<region>/<case>/<duban id>", removed when it is closed.
//  8. Everything that depends on the day asked about or on a calendar
//     (working days, time states) is computed at query time, never stored:
//     the stored state depends only on the log.
//
// # Paging
//
// Pages are in key order; a cursor is the last key of the previous page,
// base64url-encoded. The runner scans whole prefixes only, so a page after a
// cursor scans the rest of the cursor's day, the remaining days of its
// month one by one, then whole months: never the keys before the cursor.
package timeline
