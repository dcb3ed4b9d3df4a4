package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"sync"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
)

// fill appends a generated history of cases to an empty store, the loop of
// "caseledger serve --demo" with more appends in flight: each stream goes
// to one worker, in order, so the generator's expected versions hold, and
// streams spread over the workers so the store's group commit batches them.
func fill(ctx context.Context, store eventstore.Store, cases int, seed int64, workers int) (events int, err error) {
	cfg := casegen.DefaultConfig()
	cfg.Cases, cfg.Seed = cases, seed
	gen, err := casegen.New(cfg)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queues := make([]chan casegen.Append, workers)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for i := range queues {
		queues[i] = make(chan casegen.Append, 64)
		wg.Go(func() {
			for a := range queues[i] {
				if ctx.Err() != nil {
					continue // drain: the producer stops at cancel
				}
				if _, err := store.Append(ctx, a.Stream, a.Expected, a.Events...); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("appending to %s: %w", a.Stream, err) })
					cancel()
				}
			}
		})
	}
	for a := range gen.All() {
		if ctx.Err() != nil {
			break
		}
		h := fnv.New32a()
		io.WriteString(h, a.Stream)
		queues[h.Sum32()%uint32(workers)] <- a
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	switch {
	case firstErr != nil:
		return 0, firstErr
	case ctx.Err() != nil:
		return 0, ctx.Err()
	case gen.Err() != nil:
		return 0, fmt.Errorf("generating the history: %w", gen.Err())
	}
	return gen.Events(), nil
}

// caseRef is what the status phase needs of a case: its ID and who may
// read it.
type caseRef struct {
	id        string
	applicant string
}

// submission is the part of CaseSubmitted the scan decodes.
type submission struct {
	Applicant struct {
		Ref string `json:"ref"`
	} `json:"applicant"`
}

// scanCases lists every case of the store, in submission order, from its
// CaseSubmitted event. The store skips the other events undecoded.
func scanCases(ctx context.Context, store eventstore.Store) ([]caseRef, error) {
	const page = 10_000
	var out []caseRef
	filter := eventstore.Filter{Categories: []string{"case"}, Types: []string{"CaseSubmitted"}}
	for from := uint64(0); ; {
		evs, err := store.ReadAll(ctx, eventstore.ReadAllOptions{From: from, Limit: page, Filter: filter})
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			var s submission
			if err := json.Unmarshal(e.Data, &s); err != nil {
				return nil, fmt.Errorf("event %d: %w", e.Position, err)
			}
			out = append(out, caseRef{id: e.Stream[len("case-"):], applicant: s.Applicant.Ref})
		}
		if len(evs) < page {
			return out, nil
		}
		from = evs[len(evs)-1].Position + 1
	}
}

// target is an open item the command phase acts on, as its department.
type target struct {
	caseID     string
	item       string
	department string
	region     string
	// dispatched items are accepted first; the others take steps only.
	dispatched bool
}

// findTargets folds the newest cases (the generated history leaves the
// last weeks' cases open) until it has limit items on which domain.Decide
// accepts the command phase's commands: RecordStep on an item in progress
// and not paused, or AcceptItem on a dispatched item and then RecordStep
// on it (an item can be paused as soon as it starts, by a correction the
// department asked for). Nobody else acts on them during the run, so every
// later step stays allowed.
func findTargets(ctx context.Context, store eventstore.Store, cases []caseRef, limit int) ([]target, error) {
	env := domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: domain.DefaultPolicy()}
	var out []target
	for i := len(cases) - 1; i >= 0 && len(out) < limit; i-- {
		recorded, err := store.ReadStream(ctx, "case-"+cases[i].id, eventstore.ReadStreamOptions{})
		if err != nil {
			return nil, err
		}
		st, err := foldCase(recorded)
		if err != nil {
			return nil, err
		}
		var open []target
		for _, it := range st.Items {
			if it.Status == domain.ItemSent || it.Status == domain.ItemInProgress {
				open = append(open, target{caseID: st.CaseID, item: it.Code, department: it.Department, region: st.Region,
					dispatched: it.Status == domain.ItemSent})
			}
		}
		for _, t := range open {
			if len(out) == limit {
				break
			}
			ok, err := t.allowed(recorded, env)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// allowed reports whether the command phase's commands on t would be
// decided, on the case folded afresh from recorded (State.Apply changes
// a state in place).
func (t target) allowed(recorded []eventstore.RecordedEvent, env domain.Env) (bool, error) {
	st, err := foldCase(recorded)
	if err != nil {
		return false, err
	}
	meta := domain.CommandMeta{ID: "loadgen-probe-accept", CaseID: t.caseID, At: time.Now(), Actor: t.actor()}
	if t.dispatched {
		evs, err := domain.Decide(st, &domain.AcceptItem{CommandMeta: meta, Item: t.item}, env)
		if err != nil {
			return false, nil
		}
		st.Apply(evs...)
	}
	meta.ID = "loadgen-probe-step"
	step := &domain.RecordStep{CommandMeta: meta, Item: t.item, Step: domain.StepHandle, Action: domain.ActionOther, Opinion: "probe"}
	_, err = domain.Decide(st, step, env)
	return err == nil, nil
}

func foldCase(recorded []eventstore.RecordedEvent) (domain.State, error) {
	var st domain.State
	for _, r := range recorded {
		ev, err := domain.DecodeRecorded(r)
		if err != nil {
			return st, err
		}
		st.Apply(ev)
	}
	return st, nil
}

// actor is the department officer the target's commands come from.
func (t target) actor() domain.Actor {
	return domain.Actor{Role: domain.RoleDepartment, PersonID: "loadgen-" + t.department + "-" + t.region, Unit: t.department, Region: t.region}
}
