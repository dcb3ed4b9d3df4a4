package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
)

// fill appends a generated history of cases to an empty store, the loop of
// "caseledger serve --demo" with more appends in flight: each stream goes
// to one worker, in order, so the generator's expected versions hold, and
// streams spread over the workers so the store's group commit batches them.
// It returns the cases in submission order, taken from the generator, so
// that no scan of the log is needed after, and prints progress to out
// every progressEvery; the one generating goroutine's busy time is in
// fillStats, apart from the time it waited for the appenders.
func fill(ctx context.Context, store eventstore.Store, cases int, seed int64, workers int, out io.Writer) ([]caseRef, fillStats, error) {
	var stats fillStats
	cfg := casegen.DefaultConfig()
	cfg.Cases, cfg.Seed = cases, seed
	gen, err := casegen.New(cfg)
	if err != nil {
		return nil, stats, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queues := make([]chan casegen.Append, workers)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		appended atomic.Int64
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
				appended.Add(int64(len(a.Events)))
			}
		})
	}
	refs := make([]caseRef, 0, cases)
	start, lastReport := time.Now(), time.Now()
	for {
		t0 := time.Now()
		a, ok := gen.Next()
		t1 := time.Now()
		stats.generating += t1.Sub(t0)
		if !ok || ctx.Err() != nil {
			break
		}
		if a.Expected == eventstore.NoStream && len(a.Decided) > 0 {
			sub, ok := a.Decided[0].(*domain.CaseSubmitted)
			if !ok {
				return nil, stats, fmt.Errorf("the generator opened %s with %T, not a submission", a.Stream, a.Decided[0])
			}
			refs = append(refs, caseRef{id: a.CaseID, applicant: string(sub.Applicant.Ref)})
		}
		h := fnv.New32a()
		io.WriteString(h, a.Stream)
		queues[h.Sum32()%uint32(workers)] <- a
		stats.waiting += time.Since(t1)
		if time.Since(lastReport) >= progressEvery {
			lastReport = time.Now()
			fmt.Fprintf(out, "store: %d of %d cases submitted, %d events appended, %s\n",
				len(refs), cases, appended.Load(), time.Since(start).Round(time.Second))
		}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	switch {
	case firstErr != nil:
		return nil, stats, firstErr
	case ctx.Err() != nil:
		return nil, stats, ctx.Err()
	case gen.Err() != nil:
		return nil, stats, fmt.Errorf("generating the history: %w", gen.Err())
	}
	stats.events = gen.Events()
	return refs, stats, nil
}

// progressEvery spaces the progress lines of the slow preparations.
const progressEvery = 10 * time.Second

// fillStats says where fill's time went.
type fillStats struct {
	events int
	// generating is the generator's time (deciding and encoding the
	// history, one goroutine); waiting is its time blocked on full append
	// queues, the appenders' share.
	generating, waiting time.Duration
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

// scanCases lists the cases submitted at or after position from, in
// submission order, from their CaseSubmitted events. The store skips the
// other events undecoded.
func scanCases(ctx context.Context, store eventstore.Store, from uint64) ([]caseRef, error) {
	const page = 10_000
	var out []caseRef
	filter := eventstore.Filter{Categories: []string{"case"}, Types: []string{"CaseSubmitted"}}
	for {
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
