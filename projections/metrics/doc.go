// Package metrics is the analysts' read model: counts by outcome, cycle
// times in working days (p50, p90, p99), on-time, supplement and extension
// rates, paused time, the rating distribution and the delay each department
// adds, by bundle, item, department, region and month.
//
// # Design
//
//  1. Facts are counted once, when they become final, in the month (China
//     date) of the event that makes them final: a case when it completes,
//     is refused, withdrawn or terminated; an item of an accepted case when
//     it is decided, withdrawn, left unreachable by the bundle's completion
//     or cut short by a termination; a rating when it is given (and taken
//     back when an appeal against it is upheld: the domain voids it for
//     statistics). Nothing is counted for work still in flight.
//  2. Counters live in cells keyed (month, bundle, region, department,
//     item). Case facts (case outcomes, case cycle time, supplement notices,
//     ratings) belong to no department or item and sit in cells whose
//     department and item are empty; item facts sit in the cell of their
//     item and its department. So grouping or filtering by department or
//     item sees item facts only, and the others see both.
//  3. Cycle times are exact per-day histograms (Histogram): working days
//     are small integers, so counting each day is exact, two histograms
//     merge by adding counts, and any percentile of any grouping is read
//     from the merged counts, never from an average of percentiles. Case
//     cycle time runs from submission to completion, item cycle time from
//     dispatch to decision, both in working days of the calendar, elapsed
//     (paused stretches included; paused working days are counted apart).
//  4. An item is on time when decided on or before its due date (the last
//     one recorded, moved by pauses and extensions as the domain decided);
//     its delay is the working days from the due date to the decision.
//  5. The fold keeps one small document per case (what it needs to date
//     the pauses and attribute the facts) next to the cells. Pause lengths
//     need the calendar, so the calendar is part of the projection: a new
//     calendar needs a new Version.
package metrics
