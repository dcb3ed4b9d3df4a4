package watcher

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/decider"
	"github.com/caseledger/caseledger/projections"
)

// PersonID is the actor reference the watcher's warnings carry.
const PersonID = "deadline-watcher"

// Watcher raises the warnings of running items as its clock advances.
type Watcher struct {
	Store eventstore.Store
	// Views must have Index registered.
	Views *projections.Runner
	// Clock returns now; a tick warns as of its China date.
	Clock func() time.Time
	// Env is what domain.Decide is given: catalogue, calendar and policy
	// (Policy.Warning sets the yellow threshold).
	Env domain.Env
	// Interval between ticks in Run; 0 means one minute.
	Interval time.Duration
	// Logger receives tick failures; nil discards them.
	Logger *slog.Logger
}

// Result counts what one tick did.
type Result struct {
	// Due is how many warnings the index proposed.
	Due int
	// Raised is how many this tick recorded, Replayed how many it found
	// recorded already by the same command (another watcher, or an earlier
	// run), Skipped how many the domain refused because the case moved on
	// since the index saw it (design 3). A twin appended at the same
	// instant with the same content is caught by the store's idempotency
	// and counts as Raised in both watchers; the store holds it once.
	Raised, Replayed, Skipped int
}

// candidate is one warning the index proposes.
type candidate struct {
	caseID, item string
	level        domain.WarningLevel
	due          workday.Date
}

// Run ticks at once and then every Interval until ctx is cancelled, which
// ends it with nil. A failed tick is logged and retried at the next one.
func (w *Watcher) Run(ctx context.Context) error {
	interval := w.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := w.Tick(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			log.Error("deadline watcher tick failed", "err", err)
		case res.Raised > 0 || res.Skipped > 0:
			log.Info("deadline watcher tick", "raised", res.Raised, "replayed", res.Replayed, "skipped", res.Skipped)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Tick raises every warning due at Clock(). It tries every candidate even
// when one fails, and returns the first failure.
func (w *Watcher) Tick(ctx context.Context) (Result, error) {
	now := w.Clock()
	head, err := w.Store.Head(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("watcher: head: %w", err)
	}
	cands, err := w.due(ctx, head, workday.DateOf(now))
	if err != nil {
		return Result{}, err
	}
	res := Result{Due: len(cands)}
	var first error
	for _, c := range cands {
		replayed, err := w.raise(ctx, c, now)
		switch {
		case err == nil && replayed:
			res.Replayed++
		case err == nil:
			res.Raised++
		case domain.ErrorCode(err) == domain.CodeConflict:
			res.Skipped++
		default:
			if first == nil {
				first = fmt.Errorf("watcher: %s warning of item %s of case %s: %w", c.level, c.item, c.caseID, err)
			}
		}
	}
	return res, first
}

// due lists the warnings the index says are due on day today (design 2).
func (w *Watcher) due(ctx context.Context, head uint64, today workday.Date) ([]candidate, error) {
	var out []candidate
	err := w.Views.Read(ctx, IndexName, head, func(v *projections.View) error {
		return v.Scan([]byte("item/"), func(k, val []byte) error {
			var en entry
			if err := json.Unmarshal(val, &en); err != nil {
				return fmt.Errorf("watcher: stored entry %q: %w", k, err)
			}
			if en.Pause != "" {
				return nil
			}
			level := levelDue(w.Env.Calendar, w.Env.Policy.Warning, &en, today)
			if level == "" {
				return nil
			}
			caseID, item, _ := splitKey(k)
			out = append(out, candidate{caseID: caseID, item: item, level: level, due: en.Due})
			return nil
		})
	})
	return out, err
}

// levelDue is the warning an entry needs on day today, or "".
func levelDue(cal *workday.Calendar, p workday.WarningPolicy, en *entry, today workday.Date) domain.WarningLevel {
	state, _ := cal.StateAt(en.Dispatched, en.Due, today, p)
	warned := func(l domain.WarningLevel) bool {
		for _, x := range en.Warned {
			if x == l {
				return true
			}
		}
		return false
	}
	switch {
	case state == workday.Overdue && !warned(domain.WarningOverdue):
		return domain.WarningOverdue
	case state == workday.Warning && !warned(domain.WarningYellow) && !warned(domain.WarningOverdue):
		return domain.WarningYellow
	}
	return ""
}

// CommandID is the ID of the command that raises level for item when it is
// due on due (design 4): the same for every watcher and every retry.
func CommandID(item string, level domain.WarningLevel, due workday.Date) string {
	return "deadline-watch/" + item + "/" + string(level) + "/" + due.String()
}

func (w *Watcher) raise(ctx context.Context, c candidate, now time.Time) (replayed bool, err error) {
	loop := decider.Loop[domain.State, domain.Event]{
		Store:  w.Store,
		Evolve: domain.Evolve,
		Decode: func(r *eventstore.RecordedEvent) (domain.Event, error) { return domain.DecodeRecorded(*r) },
		Encode: domain.EventData,
	}
	id := CommandID(c.item, c.level, c.due)
	res, err := loop.Run(ctx, decider.Command[domain.State, domain.Event]{
		Stream:  "case-" + c.caseID,
		EventID: func(i int) uuid.UUID { return domain.EventID(c.caseID, id, i) },
		Decide: func(st domain.State, _ decider.Head) ([]domain.Event, error) {
			cmd := &domain.RaiseWarning{
				CommandMeta: domain.CommandMeta{ID: id, CaseID: c.caseID, At: now,
					Actor: domain.Actor{Role: domain.RoleSystem, PersonID: PersonID, Region: st.Region}},
				Item: c.item, Level: c.level,
			}
			return domain.Decide(st, cmd, w.Env)
		},
	})
	if err != nil {
		return false, err
	}
	// A twin caught by the store's idempotency reports Replayed false with
	// the events of the first (decider.Result); either way one is recorded.
	return res.Replayed || len(res.Events) == 0, nil
}
