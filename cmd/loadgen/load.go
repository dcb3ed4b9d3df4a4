package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/caseledger/caseledger/cmd/loadgen/latency"
)

// phase is one kind of load.
type phase string

const (
	phaseStatus   phase = "status"
	phaseCommands phase = "commands"
)

func parsePhases(s string) ([]phase, error) {
	var out []phase
	for _, p := range strings.Split(s, ",") {
		switch ph := phase(strings.TrimSpace(p)); ph {
		case phaseStatus, phaseCommands:
			out = append(out, ph)
		default:
			return nil, fmt.Errorf("-phases: unknown phase %q (status, commands)", p)
		}
	}
	return out, nil
}

// worker is one connection's closed loop: it sends a request, waits for
// the whole answer, and sends the next. Its counts are its own until the
// phase ends, so recording takes no lock.
type worker struct {
	b    *bench
	n    int
	rand *rand.Rand
	hist latency.Histogram
	// requests and errors count the measured window only.
	requests, errors int
	statuses         map[int]int
	firstError       string
	// owned are the targets this worker alone acts on, so the load
	// generator never races itself on a case; accepted marks those whose
	// AcceptItem was sent.
	owned    []target
	accepted []bool
	next     int
	seq      int
}

// request is one HTTP call to make.
type request struct {
	method, path, token string
	body                []byte
	idempotencyKey      string
}

// run drives one phase: every connection loops from now until the warm-up
// and the measured time have passed; requests started within the measured
// time are the figures.
func (b *bench) run(ctx context.Context, p phase) (result, error) {
	workers := make([]*worker, b.cfg.Concurrency)
	for i := range workers {
		workers[i] = &worker{b: b, n: i, rand: rand.New(rand.NewPCG(uint64(i), uint64(b.cfg.Seed))), statuses: map[int]int{}}
	}
	if p == phaseCommands {
		if len(b.targets) == 0 {
			return result{}, fmt.Errorf("commands: the store has no open item to act on (a larger -cases leaves more)")
		}
		// All the items of a case go to one worker: two workers acting on
		// one case would race for its next version and get 409s.
		byCase := map[string]*worker{}
		for _, t := range b.targets {
			w, ok := byCase[t.caseID]
			if !ok {
				w = workers[len(byCase)%len(workers)]
				byCase[t.caseID] = w
			}
			w.owned = append(w.owned, t)
			w.accepted = append(w.accepted, !t.dispatched)
		}
	}
	start := time.Now()
	measure, end := start.Add(b.cfg.Warmup), start.Add(b.cfg.Warmup+b.cfg.Duration)
	var profile *os.File
	profErr := make(chan error, 1)
	if b.cfg.CPUProfile != "" {
		// Profile the measured window only, from its own goroutine so that
		// starting it does not delay the workers.
		go func() {
			time.Sleep(time.Until(measure))
			f, err := os.Create(b.cfg.CPUProfile + "." + string(p))
			if err == nil {
				err = pprof.StartCPUProfile(f)
			}
			profile = f
			profErr <- err
		}()
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		if p == phaseCommands && len(w.owned) == 0 {
			continue // fewer open items than connections
		}
		wg.Go(func() { w.loop(ctx, p, measure, end) })
	}
	wg.Wait()
	if b.cfg.CPUProfile != "" {
		err := <-profErr
		pprof.StopCPUProfile()
		if profile != nil {
			err = errors.Join(err, profile.Close())
		}
		if err != nil {
			return result{}, fmt.Errorf("cpu profile: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	return summarize(p, workers, b.cfg.Duration), nil
}

func (w *worker) loop(ctx context.Context, p phase, measure, end time.Time) {
	for ctx.Err() == nil {
		t0 := time.Now()
		if !t0.Before(end) {
			return
		}
		req := w.statusRequest()
		if p == phaseCommands {
			req = w.commandRequest()
		}
		status, body, err := w.do(ctx, req)
		elapsed := time.Since(t0)
		if t0.Before(measure) {
			continue
		}
		w.requests++
		w.hist.Record(elapsed)
		w.statuses[status]++
		if err != nil || status < 200 || status > 299 {
			w.errors++
			if w.firstError == "" {
				w.firstError = describe(req, status, body, err)
			}
		}
	}
}

// statusRequest reads a random case as its applicant.
func (w *worker) statusRequest() request {
	i := w.rand.IntN(len(w.b.cases))
	return request{method: http.MethodGet, path: w.b.statusPaths[i], token: w.b.caseTokens[i]}
}

// stepBody is a RecordStep the decider accepts on any item in progress.
var stepBody = []byte(`{"step":"承办","action":"其他","opinion":"loadgen: processing note"}`)

// commandRequest acts on the worker's next open item, round robin: it
// accepts a dispatched item first, then records steps on it. Every
// command has its own Idempotency-Key, so each is decided and made durable.
func (w *worker) commandRequest() request {
	i := w.next
	w.next = (w.next + 1) % len(w.owned)
	t := w.owned[i]
	w.seq++
	r := request{method: http.MethodPost, token: w.b.unitTokens[t.actor().PersonID],
		idempotencyKey: fmt.Sprintf("loadgen-%s-%d-%d", w.b.runID, w.n, w.seq)}
	base := "/v1/cases/" + t.caseID + "/items/" + t.item
	if !w.accepted[i] {
		w.accepted[i] = true
		r.path, r.body = base+"/accept", []byte(`{}`)
		return r
	}
	r.path, r.body = base+"/steps", stepBody
	return r
}

// do sends req and reads the whole answer; it keeps at most 512 bytes of
// a failed answer's body for the report.
func (w *worker) do(ctx context.Context, req request) (int, []byte, error) {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, w.b.srv.URL()+req.path, body)
	if err != nil {
		return 0, nil, err
	}
	hr.Header.Set("Authorization", "Bearer "+req.token)
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.idempotencyKey != "" {
		hr.Header.Set("Idempotency-Key", req.idempotencyKey)
	}
	resp, err := w.b.client.Do(hr)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, b, err
}

func describe(req request, status int, body []byte, err error) string {
	if err != nil {
		return fmt.Sprintf("%s %s: %v", req.method, req.path, err)
	}
	return fmt.Sprintf("%s %s: %d %s", req.method, req.path, status, bytes.TrimSpace(body))
}
