package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// demoWorkers is how many appends the demo keeps in flight: enough for the
// store's group commit to batch them, few enough for a 2-core machine.
const demoWorkers = 16

// demoCast is who the printed tokens stand for: real actors of the
// generated history, so each token sees and may act on generated cases.
type demoCast struct {
	applicant  domain.Actor
	window     domain.Actor
	department domain.Actor
}

// demoSpan is how far back the demo history starts.
const demoSpan = 18 // months

// fillDemo appends a generated history of cases to an empty store and
// returns the actors whose tokens are printed. A store that already holds
// events is left alone: the demo never mixes histories.
//
// The history ends at now, the server's clock, so the deadline watcher and
// the history agree on today: the generator's own watcher has raised the
// warnings due before now, and serve's watcher raises the ones due since
// (none, or a few of today's). A history ending in the past would leave
// every item still open overdue on the first tick.
func fillDemo(ctx context.Context, store eventstore.Store, cases int, now time.Time, log *slog.Logger) (demoCast, bool, error) {
	var cast demoCast
	head, err := store.Head(ctx)
	if err != nil || head > 0 {
		return cast, false, err
	}
	cfg := casegen.DefaultConfig()
	cfg.Cases = cases
	cfg.From, cfg.To = now.AddDate(0, -demoSpan, 0), now
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
		cast.observe(a)
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
	return cast, true, nil
}

// observe picks the cast: the applicant of the first case, and the first
// officers acting in that case's region, so that every token sees cases.
func (c *demoCast) observe(a casegen.Append) {
	if sub, ok := a.Command.(*domain.SubmitCase); ok && c.applicant.PersonID == "" {
		c.applicant = domain.Actor{Role: domain.RoleApplicant, PersonID: string(sub.Applicant.Ref), Region: sub.Region}
	}
	m := a.Command.Metadata()
	if m.Actor.Region != c.applicant.Region {
		return
	}
	switch m.Actor.Role {
	case domain.RoleWindow:
		if c.window.PersonID == "" {
			c.window = m.Actor
		}
	case domain.RoleDepartment:
		if c.department.PersonID == "" {
			c.department = m.Actor
		}
	}
}

// printDemo writes what a demo user needs: the URL and a token per role.
func printDemo(w io.Writer, url string, key ed25519.PrivateKey, cast demoCast, now time.Time) error {
	principals := []caseledgerhttp.Principal{
		{Subject: cast.applicant.PersonID, Role: caseledgerhttp.RoleApplicant},
		{Subject: cast.window.PersonID, Role: caseledgerhttp.RoleWindow, Unit: cast.window.Unit, Region: cast.window.Region},
		{Subject: cast.department.PersonID, Role: caseledgerhttp.RoleDepartment, Unit: cast.department.Unit, Region: cast.department.Region},
		// Supervisors read every case of their region, whether or not
		// they acted in the history.
		{Subject: "demo-supervisor", Role: caseledgerhttp.RoleSupervisor, Region: cast.applicant.Region},
		{Subject: "demo-analyst", Role: caseledgerhttp.RoleAnalyst},
		{Subject: "demo-admin", Role: caseledgerhttp.RoleAdmin},
	}
	fmt.Fprintf(w, "caseledger demo is running at %s\n  API description: %s/openapi.json\n\nTokens (valid %s):\n", url, url, defaultTokenTTL)
	for _, p := range principals {
		if p.Subject == "" {
			continue // no such actor in the applicant's region (a tiny --demo-cases)
		}
		tok, err := caseledgerhttp.MintToken(key, p, now, defaultTokenTTL)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-10s %s\n", p.Role, tok)
	}
	fmt.Fprintf(w, "\nTry:\n  curl -H \"Authorization: Bearer <token>\" %s/v1/me\n", url)
	return nil
}
