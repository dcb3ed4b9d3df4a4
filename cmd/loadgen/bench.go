package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	caseledgerhttp "github.com/caseledger/caseledger/http"
	"github.com/caseledger/caseledger/projections"
)

// bench is the system under test and what the phases send it: the store,
// the read models, the server on 127.0.0.1, the cases and open items, and their tokens.
type bench struct {
	cfg     Config
	store   eventstore.Store
	views   *projections.Runner
	logFile *os.File
	srv     *caseledgerhttp.Server
	addr    string    // host:port of srv
	out     io.Writer // progress lines
	// primed is set once every case was asked for (prime).
	primed bool
	// runID keeps this run's Idempotency-Keys apart from earlier runs' on
	// a reused store, so that every command is decided and written anew.
	runID string

	cases       []caseRef
	caseTokens  []string // caseTokens[i] is cases[i]'s applicant's
	targets     []target
	unitTokens  map[string]string // by department and region
	statusPaths []string          // statusPaths[i] is cases[i]'s
}

// tokenTTL outlives any run: phases are bounded by flags, preparing by the
// store's size.
const tokenTTL = 6 * time.Hour

func openBench(ctx context.Context, cfg Config, out io.Writer) (_ *bench, err error) {
	b := &bench{cfg: cfg, out: out, runID: strconv.FormatInt(time.Now().UnixNano(), 36), unitTokens: map[string]string{}}
	defer func() {
		if err != nil {
			err = errors.Join(err, b.close())
		}
	}()
	logPath := cfg.ServerLog
	if logPath == "" {
		logPath = filepath.Join(cfg.Data, "server.log")
	}
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, err
	}
	if b.logFile, err = os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err != nil {
		return nil, err
	}
	// The server logs as "caseledger serve" does, one line per request at
	// info level, so the benchmark pays for it; into a file, not a terminal.
	log := slog.New(slog.NewTextHandler(b.logFile, nil))
	s, err := embedded.Open(filepath.Join(cfg.Data, "store"), embedded.Options{Logger: log.With("component", "store")})
	if err != nil {
		return nil, fmt.Errorf("opening the store: %w", err)
	}
	b.store = s
	if err := b.prepare(ctx, out); err != nil {
		return nil, err
	}
	if cfg.Views {
		if b.views, err = openViews(s, cfg.Data, log); err != nil {
			return nil, err
		}
		if err := waitViews(ctx, b.views, out, cfg.CatchUpTimeout); err != nil {
			return nil, err
		}
	} else {
		fmt.Fprintln(out, "read models: not run (-views=false): the list routes answer 503, commands do not feed them")
	}
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := b.mintTokens(key); err != nil {
		return nil, err
	}
	b.srv, err = caseledgerhttp.NewServer(caseledgerhttp.Config{Store: s, Views: b.views, Logger: log.With("component", "http"),
		PublicKey: pub, Version: "loadgen", GaplessPositions: true})
	if err != nil {
		return nil, err
	}
	if err := b.srv.Open("127.0.0.1:0"); err != nil {
		return nil, err
	}
	b.addr = strings.TrimPrefix(b.srv.URL(), "http://")
	fmt.Fprintf(out, "server: %s (in-process, request log in %s)\n", b.srv.URL(), logPath)
	return b, nil
}

// prepare generates the store if it is empty, or checks that -reuse was
// given, then lists the cases and finds the open items.
func (b *bench) prepare(ctx context.Context, out io.Writer) error {
	head, err := b.store.Head(ctx)
	if err != nil {
		return err
	}
	switch {
	case head > 0 && !b.cfg.Reuse:
		return fmt.Errorf("%s already holds a store of %d events: pass -reuse to measure it, or choose an empty -data", b.cfg.Data, head)
	case head == 0 && b.cfg.Reuse:
		return fmt.Errorf("-reuse: %s holds no store", b.cfg.Data)
	case head == 0:
		start := time.Now()
		refs, st, err := fill(ctx, b.store, b.cfg.Cases, b.cfg.Seed, b.cfg.FillWorkers, out)
		if err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Fprintf(out, "store: generated %d cases, %d events in %s (%.0f events/s, %d appends in flight; "+
			"the generator busy %s, waiting for the appenders %s)\n",
			len(refs), st.events, took.Round(time.Millisecond), float64(st.events)/took.Seconds(), b.cfg.FillWorkers,
			st.generating.Round(time.Millisecond), st.waiting.Round(time.Millisecond))
		if head, err = b.store.Head(ctx); err != nil {
			return err
		}
		if err := writeCases(filepath.Join(b.cfg.Data, casesFile), head, refs); err != nil {
			return fmt.Errorf("saving the case list: %w", err)
		}
	default:
		fmt.Fprintf(out, "store: reusing %s, %d events\n", b.cfg.Data, head)
	}
	start := time.Now()
	cases, how, err := listCases(ctx, b.store, b.cfg.Data)
	if err != nil {
		return fmt.Errorf("listing the cases: %w", err)
	}
	b.cases = cases
	fmt.Fprintf(out, "cases: %d, listed in %s (%s)\n", len(b.cases), time.Since(start).Round(time.Millisecond), how)
	if len(b.cases) == 0 {
		return errors.New("the store holds no case")
	}
	start = time.Now()
	if b.targets, err = findTargets(ctx, b.store, b.cases, b.cfg.Targets); err != nil {
		return fmt.Errorf("finding open items: %w", err)
	}
	by := map[targetStatus]int{}
	for _, t := range b.targets {
		by[t.status]++
	}
	fmt.Fprintf(out, "open items for commands: %d (%d dispatched, %d in progress, %d suspended) of %d departments in %d regions, on %d cases; found in %s\n",
		len(b.targets), by[dispatched], by[inProgress], by[suspended], countOf(b.targets, func(t target) string { return t.department }),
		countOf(b.targets, func(t target) string { return t.region }), countOf(b.targets, func(t target) string { return t.caseID }),
		time.Since(start).Round(time.Millisecond))
	return nil
}

// mintTokens signs, before any load, a token for each case's applicant and
// each department of a region that has open items, so that the phases
// spend nothing on signing.
func (b *bench) mintTokens(key ed25519.PrivateKey) error {
	now := time.Now()
	b.caseTokens = make([]string, len(b.cases))
	b.statusPaths = make([]string, len(b.cases))
	byApplicant := map[string]string{}
	for i, c := range b.cases {
		b.statusPaths[i] = "/v1/cases/" + c.id
		if tok, ok := byApplicant[c.applicant]; ok {
			b.caseTokens[i] = tok
			continue
		}
		tok, err := caseledgerhttp.MintToken(key, caseledgerhttp.Principal{Subject: c.applicant, Role: caseledgerhttp.RoleApplicant}, now, tokenTTL)
		if err != nil {
			return fmt.Errorf("token of case %s's applicant: %w", c.id, err)
		}
		byApplicant[c.applicant], b.caseTokens[i] = tok, tok
	}
	for _, t := range b.targets {
		a := t.actor()
		if _, ok := b.unitTokens[a.PersonID]; ok {
			continue
		}
		p := caseledgerhttp.Principal{Subject: a.PersonID, Role: caseledgerhttp.RoleDepartment, Unit: a.Unit, Region: a.Region}
		tok, err := caseledgerhttp.MintToken(key, p, now, tokenTTL)
		if err != nil {
			return fmt.Errorf("token of %s: %w", a.PersonID, err)
		}
		b.unitTokens[a.PersonID] = tok
	}
	return nil
}

// close stops the server, letting requests in flight finish, then closes
// the store and the log.
func (b *bench) close() error {
	var errs []error
	if b.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		errs = append(errs, b.srv.Close(ctx))
		cancel()
		b.srv = nil
	}
	if b.views != nil {
		errs = append(errs, b.views.Close())
		b.views = nil
	}
	if b.store != nil {
		errs = append(errs, b.store.Close())
		b.store = nil
	}
	if b.logFile != nil {
		errs = append(errs, b.logFile.Close())
		b.logFile = nil
	}
	return errors.Join(errs...)
}

// countOf counts the distinct keys of ts.
func countOf(ts []target, key func(target) string) int {
	seen := map[string]bool{}
	for _, t := range ts {
		seen[key(t)] = true
	}
	return len(seen)
}
