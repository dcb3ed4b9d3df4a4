package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
)

// demoWorkers is how many appends the demo keeps in flight: enough for the
// store's group commit to batch them, few enough for a 2-core machine.
const demoWorkers = 16

// demoSpan is how far back the demo history starts.
const demoSpan = 18 // months

// fillDemo appends a generated history of cases to an empty store and
// returns the actors whose tokens are printed and the case the printed
// examples use. A store that already holds events is left alone: the demo
// never mixes histories.
//
// The history ends at now, the server's clock, so the deadline watcher and
// the history agree on today: the generator's own watcher has raised the
// warnings due before now, and serve's watcher raises the ones due since
// (none, or a few of today's). A history ending in the past would leave
// every item still open overdue on the first tick.
func fillDemo(ctx context.Context, store eventstore.Store, cases int, now time.Time, log *slog.Logger) (demoCast, bool, error) {
	var cast demoCast
	scout := newDemoScout()
	head, err := store.Head(ctx)
	if err != nil || head > 0 {
		return cast, false, err
	}
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	if cfg.Calendar == nil {
		cfg.Calendar = workday.Default()
	}
	cfg.From, cfg.To = demoWindow(now, cfg.Calendar.Years())
	if !cfg.To.Equal(now) {
		log.Warn("the shipped working-day calendar does not cover today: the demo history ends on its last day, so open items will show as overdue; ship a newer calendar",
			"calendar", cfg.Calendar.Version(), "history_ends", cfg.To.Format(time.DateOnly))
	}
	gen, err := casegen.New(cfg)
	if err != nil {
		return cast, false, err
	}
	start := time.Now()
	// Each stream's appends go to one worker, in order, so Expected holds;
	// streams spread over the workers so appends overlap.
	queues := make([]chan casegen.Append, demoWorkers)
	errs := make(chan error, demoWorkers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan casegen.Append, 64)
		wg.Add(1)
		go func(q <-chan casegen.Append) {
			defer wg.Done()
			for a := range q {
				if _, err := store.Append(ctx, a.Stream, a.Expected, a.Events...); err != nil {
					errs <- fmt.Errorf("demo: appending to %s: %w", a.Stream, err)
					for range q {
					}
					return
				}
			}
		}(queues[i])
	}
	appends := 0
	for a := range gen.All() {
		scout.observe(a)
		h := fnv.New32a()
		io.WriteString(h, a.Stream)
		select {
		case queues[h.Sum32()%demoWorkers] <- a:
		case err := <-errs:
			for _, q := range queues {
				close(q)
			}
			wg.Wait()
			return cast, false, err
		}
		appends++
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	select {
	case err := <-errs:
		return cast, false, err
	default:
	}
	if err := gen.Err(); err != nil {
		return cast, false, fmt.Errorf("demo: generating the history: %w", err)
	}
	log.Info("demo history written", slog.Int("cases", cases), slog.Int("appends", appends),
		slog.Int("events", gen.Events()), slog.Duration("took", time.Since(start)))
	return scout.cast(), true, nil
}

// demoWindow is the span the demo history covers: demoSpan months up to now,
// moved into the years the calendar publishes, because the generator refuses
// to invent due dates on a calendar that does not know the holidays.
func demoWindow(now time.Time, years []int) (from, to time.Time) {
	to = now
	if len(years) > 0 {
		china := time.FixedZone("UTC+08:00", 8*60*60)
		first := time.Date(years[0], 1, 1, 0, 0, 0, 0, china)
		last := time.Date(years[len(years)-1], 12, 31, 18, 0, 0, 0, china)
		if to.After(last) {
			to = last
		}
		from = to.AddDate(0, -demoSpan, 0)
		if from.Before(first) {
			from = first
		}
		return from, to
	}
	return to.AddDate(0, -demoSpan, 0), to
}
