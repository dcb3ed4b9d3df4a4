// Package watcher is the deadline watcher: as the clock advances it appends
// the yellow and overdue warnings (domain.RaiseWarning, rule C22) of the
// items whose clocks run, exactly once per item and level.
//
// # Design
//
//  1. The watcher keeps its own read model, Index ("deadline_watch"): one
//     small entry per dispatched, unsettled item of an accepted case, with
//     its dispatch day, due date, whether its clock is stopped and the
//     warnings it already has. Settled items and ended cases leave the
//     index, so it holds only the items in flight and a tick scans no
//     history.
//  2. A tick reads the index at the store's head (read-your-writes, so the
//     warnings of the previous tick are seen), computes each running item's
//     state on the clock's day with workday.Calendar.StateAt and the
//     policy, and sends one RaiseWarning per item that needs one: overdue
//     once the due date has passed, yellow once the warning policy says so
//     and no warning of either level was raised. A yellow warning is never
//     raised after the overdue one (a watcher that was down through the
//     yellow stretch does not send stale news).
//  3. Every command goes through eventstore/decider and domain.Decide, on the
//     case as the stream has it at that moment: the index only proposes. A
//     stale index (an item that concluded, paused or was warned since) costs
//     one refused command (C22, a conflict), which the tick counts as
//     Skipped and does not report as an error.
//  4. Exactly once: the command ID is derived from (item, level, due date)
//     and the event IDs from the case and command ID (domain.EventID). Two
//     watchers, or a watcher retried after a crash, decide the same command:
//     the decider finds it in the stream (Replayed), or the second append
//     loses the version race, reloads and finds it, or the store's
//     idempotency (eventstore rule 7) records it once. The domain refuses a
//     second warning of one level for one item whatever its command ID, so a
//     due date moved by a pause or an extension never yields a second one.
//  5. The watcher never reads a clock: Clock is a func, so tests advance a
//     fake one, and the day of a warning is the day of the tick.
package watcher
