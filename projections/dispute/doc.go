// Package dispute is the dossier of every complaint and bad rating (差评):
// what is disputed, the case as it stood at the disputed step, the rating
// and its tags, and the handling with its deadlines.
//
// # Design
//
//  1. The read model ("dispute") keeps one index document per dispute under
//     "d/<dispute id>": a complaint's ID is its ComplaintID, a bad rating's
//     the ID of its CaseRated event. It holds the case, region and bundle,
//     the disputed step, the rating label and tags, and the handling events
//     (stream version, type, day, deadline). Free text (complaint
//     summaries, answers, notes) stays in the ledger: the index carries no
//     one's words, and the dossier shows them from the case's timeline.
//  2. The disputed step is an event of the case, by stream version and ID:
//     for a complaint against a step of an item, the last StepRecorded of
//     that step before the complaint; against an item, the last event of
//     that item; against a department, the last event of any of its items
//     (the filing itself when none had one); for a bad rating, the event
//     that ended the case (BundleCompleted or CaseRefused), since the rating
//     judges the service as delivered. The fold keeps, per case, the last
//     event of each item, step and department to know it.
//  3. Deadlines are the ones the domain decided and recorded: a complaint's
//     AnswerBy (Policy.ComplaintLimit), a founded or reasonable bad
//     rating's RectifyBy (Policy.RectificationLimit). Whether a deadline is
//     met, missed or still running is computed at query time from the
//     caller's today and calendar, never stored.
//  4. Open disputes (a complaint not answered, a bad rating not signed off)
//     are listed by region under "open/<region>/<filed day>/<dispute id>",
//     so a page is a key range in filing order; the cursor is the last key
//     returned, and a page resumes strictly after it.
//  5. The dossier is assembled at query time from three sources, each the
//     owner of its part: the index document; the case's supervisor timeline
//     (projections/timeline, registered on the same Runner), whose step i
//     is stream version i so the filed and disputed steps index it; and the
//     case as of the disputed step (projections/asof, one read of the
//     stream's prefix, folded with domain.Evolve).
package dispute
