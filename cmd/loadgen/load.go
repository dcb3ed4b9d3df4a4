package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	conn *conn
	rand *rand.Rand
	hist latency.Histogram
	// requests and errors count the measured window only.
	requests, errors int
	statuses         map[int]int
	firstError       string
	// owned are the targets this worker alone acts on, so the load
	// generator never races itself on a case; stage[i] is the index in
	// itemCycle of owned[i]'s next command, -1 for acceptAction.
	owned []target
	stage []int
	next  int
	seq   int
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
		workers[i] = &worker{b: b, n: i, rand: rand.New(rand.NewPCG(uint64(i), uint64(b.cfg.Seed))), statuses: map[int]int{},
			conn: newConn(b.addr)}
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
			w.stage = append(w.stage, t.firstStage())
		}
	}
	if p == phaseStatus && b.cfg.Prime && !b.primed {
		if err := b.prime(ctx, workers); err != nil {
			return result{}, err
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
	// The server's appends are sampled at both ends of the measured
	// window, like the profile, from a goroutine of their own.
	appendsAtMeasure := make(chan appendStats, 1)
	appendsErr := make(chan error, 1)
	go func() {
		time.Sleep(time.Until(measure))
		st, err := b.serverAppends()
		appendsAtMeasure <- st
		appendsErr <- err
	}()
	active := workers
	if p == phaseCommands {
		// Fewer cases with open items than connections leave some idle.
		active = slices.DeleteFunc(slices.Clone(workers), func(w *worker) bool { return len(w.owned) == 0 })
	}
	var interval time.Duration
	if rate := b.cfg.rate(p); rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(len(active)) / rate)
	}
	var wg sync.WaitGroup
	for i, w := range active {
		// Open loop: the workers' schedules are staggered over one
		// interval, so that the offered load is even.
		first := start.Add(interval * time.Duration(i) / time.Duration(len(active)))
		wg.Go(func() { w.loop(ctx, p, first, interval, measure, end) })
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
	r := summarize(p, workers, b.cfg.Duration, b.cfg.rate(p))
	atEnd, err := b.serverAppends()
	if err := errors.Join(err, <-appendsErr); err != nil {
		return result{}, fmt.Errorf("the server's append metrics: %w", err)
	}
	r.appends = atEnd.since(<-appendsAtMeasure)
	return r, nil
}

// prime asks for every case once, as its applicant, spread over the
// workers' connections, before the first status phase. A server that has
// been up a while has verified its active applicants' tokens and learnt
// who owns their cases; the phase then measures that server, not one
// filling its caches (at 100,000 cases the time-based warm-up alone left
// most of the measured requests paying an Ed25519 check and a read of the
// case's submission). -prime=false measures a cold server.
func (b *bench) prime(ctx context.Context, workers []*worker) error {
	start := time.Now()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		failed   atomic.Bool // the others stop at the first failure
	)
	for _, w := range workers {
		wg.Go(func() {
			for i := w.n; i < len(b.cases) && ctx.Err() == nil && !failed.Load(); i += len(workers) {
				req := request{method: http.MethodGet, path: b.statusPaths[i], token: b.caseTokens[i]}
				status, body, err := w.conn.do(req)
				if err != nil || status != http.StatusOK {
					errOnce.Do(func() { firstErr = fmt.Errorf("priming: %s", describe(req, status, body, err)) })
					failed.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b.primed = true
	took := time.Since(start)
	fmt.Fprintf(b.out, "status: primed the server with each of the %d cases once in %s (%.0f/s)\n",
		len(b.cases), took.Round(time.Millisecond), float64(len(b.cases))/took.Seconds())
	return nil
}

// loop sends requests until end. Closed loop (interval 0), each as soon as
// the answer to the last one is in. Open loop, one every interval from
// first, on schedule: a request's latency runs from when it was due, not
// from when it was sent, so a server that falls behind is charged with the
// wait its backlog causes (no coordinated omission), and a request not
// sent by end is not sent at all, so throughput shows the shortfall.
// Requests due from measure on are the figures.
func (w *worker) loop(ctx context.Context, p phase, first time.Time, interval time.Duration, measure, end time.Time) {
	defer w.conn.close()
	next := first
	for ctx.Err() == nil {
		t0 := time.Now()
		if interval > 0 {
			if wait := time.Until(next); wait > 0 {
				time.Sleep(wait)
			}
			t0, next = next, next.Add(interval)
		}
		if !t0.Before(end) || !time.Now().Before(end) {
			return
		}
		req := w.statusRequest()
		if p == phaseCommands {
			req = w.commandRequest()
		}
		status, body, err := w.conn.do(req)
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

// commandRequest acts on the worker's next open item, round robin, with
// the item's next command: accept a dispatched item, then itemCycle over
// and over. Every command has its own Idempotency-Key, so each is decided
// and made durable.
func (w *worker) commandRequest() request {
	i := w.next
	w.next = (w.next + 1) % len(w.owned)
	t := w.owned[i]
	var a itemAction
	if st := w.stage[i]; st < 0 {
		a = acceptAction
	} else {
		a = itemCycle[st]
	}
	w.stage[i] = (w.stage[i] + 1) % len(itemCycle)
	w.seq++
	return request{method: http.MethodPost, token: w.b.unitTokens[t.actor().PersonID],
		path: "/v1/cases/" + t.caseID + "/items/" + t.item + "/" + a.route, body: a.body,
		idempotencyKey: "loadgen-" + w.b.runID + "-" + strconv.Itoa(w.n) + "-" + strconv.Itoa(w.seq)}
}

func describe(req request, status int, body []byte, err error) string {
	if err != nil {
		return fmt.Sprintf("%s %s: %v", req.method, req.path, err)
	}
	return fmt.Sprintf("%s %s: %d %s", req.method, req.path, status, bytes.TrimSpace(body))
}
