// Package workday computes time limits of government services in Chinese
// working days: a civil Date in China time, the working-day Calendar built
// from versioned data, Limits in working (G) or natural (Z) days, due dates
// with pauses and extensions, and the on-time/warning/overdue State.
//
// The rules, with their sources in DOMAIN.md:
//
//  1. Dates are civil dates in China, UTC+08:00 without daylight saving; an
//     instant belongs to the date it has in Beijing (DateOf).
//  2. A working day is Monday to Friday, except public holidays, plus the
//     make-up working days (调休上班) of the State Council's yearly notice.
//     Both 2025 and 2026 have 248 working days. The shipped data
//     (data/cn-2025-2026.json) covers 2025 and 2026; other years fall back to
//     weekends only, and Covers tells which case applies. A schedule can be
//     amended, so calendars are versioned data (Parse, Version) and a case
//     records the version its deadlines were computed under.
//  3. The day of acceptance is not counted: a limit of n days counts from
//     the next day, and its due date is the n-th counted day (行政许可法).
//     Accepted 2026-02-12 + 5 WD is due 2026-02-26 (the Saturday 02-14 is a
//     make-up working day, the Spring Festival 02-15..02-23 is off).
//  4. Supplements (补正) and special procedures (hearings, inspection,
//     testing, expert review; 行政许可法 Art. 45) stop the clock: see Pause
//     for exactly which days. Working-day limits move by the paused working
//     days, natural-day limits by the paused calendar days. An extension
//     (e.g. +10 days with approval) is counted after the limit runs out.
//  5. Warnings are configurable (WarningPolicy); there is no national
//     threshold. A limit is overdue from the day after its due date.
//
// The package does no I/O besides parsing the bytes it is given, reads no
// clock and keeps no mutable state.
package workday
