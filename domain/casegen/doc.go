// Package casegen generates realistic case histories over the catalogue,
// deterministically from a seed, for tests, benchmarks and the server's demo
// mode. It is pure: no I/O, no clock, no globals.
//
// # What a history is
//
//  1. Config.Cases cases are submitted at moments spread evenly over the
//     office hours of the working days of the window, in six regions by
//     default. Each case has its own random stream (the seed and the case's
//     number), so its life does not depend on the others'.
//  2. Every event comes from domain.Decide: the generator plays the people
//     of each role (the window officer of the case's region, an officer of
//     each item's department, supervisors, the applicant or their agent,
//     the deadline watcher) and gives their commands to the decider, which
//     dispatches items along the bundle's dependencies and completes the
//     bundle itself. A command the decider refuses ends the history with
//     Err: it is a bug, never skipped. Each case keeps the full state the
//     decider folds (with State.Apply, in place); the tests decide every
//     command again on the replayed state and get the same bytes.
//  3. People act on working days of the calendar, in China time: officers
//     09:00-12:00 and 14:00-17:30, applicants 08:00-22:00, the deadline
//     watcher at 08:30. Items take a number of working days drawn against
//     their limit: most finish in time, a share run late (more in
//     SlowDepartments), some are paused by special procedures, suspensions
//     or a department's request for a correction, some are extended within
//     their legal maximum. The watcher raises the yellow and overdue
//     warnings the warning policy calls for, supervisors follow a share of
//     overdue items with a 督办.
//  4. Outcomes mix at the rates of Config.Rates, each documented with the
//     population it applies to: refusals, withdrawals, tolerant
//     acceptances (and their lapses), supplement notices, item
//     withdrawals, denials, ratings with bad ones more likely after a
//     delay, the handling of bad ratings (callback, triage, rectification
//     or appeal, sign-off), complaints and corrections.
//  5. Nothing happens at or after Config.To, so the cases of the last weeks
//     are still open: in progress, waiting for a supplement, completed but
//     not rated yet.
//  6. Personal data never appears in clear: applicants are opaque random
//     references with masked display values drawn in masked form (a
//     surname and stars, a region code, stars and four characters).
//
// # Output
//
// Next (or All) yields one Append per decided command, in global order of
// time across cases. Each carries the stream "case-<uuid>", the expected
// version, the events encoded for eventstore.EventData, and the command and
// domain events they came from. Case IDs are version 7 UUIDs of the
// submission time. The same seed and configuration give byte-identical
// appends (with the same build: the draws come from math/rand/v2's PCG). Only open cases are held in memory, so histories of millions of
// events stream in constant space beyond the cases in progress.
//
// Appending a history into a store is the caller's loop (the domain does no
// I/O):
//
//	g, err := casegen.New(cfg)
//	for a := range g.All() {
//		if _, err := store.Append(ctx, a.Stream, a.Expected, a.Events...); err != nil {
//			return err
//		}
//	}
//	return g.Err()
//
// With the default rates a case averages about 45 events: for a store of
// about n events set Cases to n/45, or somewhat more with MaxEvents n for an
// exact cap (the history then ends early in the window).
package casegen
