// Command loadgen measures the caseledger HTTP API under load (issue 5):
// it prepares a data directory holding a generated store of many cases,
// starts the real server on 127.0.0.1 in this process (the http package on
// the embedded store, wired as "caseledger serve" wires them), and runs two
// bounded, closed-loop phases over keep-alive HTTP/1.1 connections:
//
//  1. status: GET /v1/cases/{id} of random cases, each by its applicant;
//  2. commands: durable item actions by the item's department (a token
//     per department and region), each with an Idempotency-Key, on items
//     the generated history left open, found by folding the newest cases'
//     streams and asking domain.Decide: a dispatched item is accepted,
//     then each item goes round a cycle of steps (承办, 审核, 批准) and a
//     suspension lifted again (targets.go).
//
// Each phase warms up, then measures for a fixed time, and reports
// throughput, latency percentiles from an exact histogram (cmd/loadgen/
// latency), and every non-2xx answer as an error. -cpuprofile writes one
// CPU profile of the whole process (server and load generator: they share
// the machine, as the goals say) per phase.
//
// The read models serve runs (projections) run here too and are caught up
// before any load; -views=false leaves them out, for stores so large that
// catching up takes longer than the run. Without them the status route
// folds each case's stream instead of reading the casestatus read model,
// and commands feed nothing: the figures are not the goal's.
//
// A store loadgen prepared is laid out as "caseledger serve --data" expects
// (<data>/store), so "caseledger serve --demo --demo-cases N" prepares one
// too; -reuse measures an existing one as it is. Preparing prints how long
// each part took: generating and appending the history, listing the cases
// (kept in <data>/cases.tsv, so a reuse scans only what is newer), finding
// the open items, and the read models catching up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Args[1:])
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// errUsage ends a bad command line, after the flag package printed why.
var errUsage = errors.New("usage")

// Config is the command line.
type Config struct {
	Data           string
	Reuse          bool
	Cases          int
	Seed           int64
	FillWorkers    int
	Concurrency    int
	Warmup         time.Duration
	Duration       time.Duration
	Phases         string
	Targets        int
	CPUProfile     string
	ServerLog      string
	Views          bool
	Prime          bool
	StatusRate     float64
	CommandRate    float64
	CatchUpTimeout time.Duration
}

// rate is the requests per second offered in phase p, 0 for a closed loop.
func (c *Config) rate(p phase) float64 {
	if p == phaseCommands {
		return c.CommandRate
	}
	return c.StatusRate
}

// Main is one run of the benchmark. Run does everything and prints the
// report; Close releases what a failed or interrupted Run left open.
type Main struct {
	Args   []string
	Stdout io.Writer
	Stderr io.Writer

	cfg   Config
	bench *bench
}

// NewMain returns a Main for args (without the program name) on the
// process's standard streams.
func NewMain(args []string) *Main {
	return &Main{Args: args, Stdout: os.Stdout, Stderr: os.Stderr}
}

func (m *Main) parse() error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	c := &m.cfg
	fs.StringVar(&c.Data, "data", "./loadgen-data", "data directory; the store is <data>/store")
	fs.BoolVar(&c.Reuse, "reuse", false, "measure the store already in -data instead of generating one (it must not be empty)")
	fs.IntVar(&c.Cases, "cases", 100_000, "cases to generate into an empty store (about 45 events each)")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of the generated history")
	fs.IntVar(&c.FillWorkers, "fill-workers", 64, "appends in flight while generating the store")
	fs.IntVar(&c.Concurrency, "concurrency", 64, "connections, each with one request in flight")
	fs.DurationVar(&c.Warmup, "warmup", 3*time.Second, "unmeasured load before each phase")
	fs.DurationVar(&c.Duration, "duration", 20*time.Second, "measured time of each phase")
	fs.StringVar(&c.Phases, "phases", "status,commands", "phases to run, in order: status, commands")
	fs.IntVar(&c.Targets, "targets", 8192, "at most this many open items the command phase acts on")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of each phase to <file>.<phase>")
	fs.BoolVar(&c.Views, "views", true, "run the read models beside the store, as serve does (they caught up with a fresh 100k-case store in 2m18s here; false leaves them out and the figures are not the goal's)")
	fs.Float64Var(&c.StatusRate, "status-rate", 0, "status queries per second to offer, on schedule (open loop); 0 sends each as soon as the last answer is in (closed loop: the most the server does, and its latency when saturated)")
	fs.Float64Var(&c.CommandRate, "command-rate", 0, "commands per second to offer, as -status-rate")
	fs.DurationVar(&c.CatchUpTimeout, "catchup-timeout", time.Hour, "give up when the read models have not caught up with the store by then")
	fs.BoolVar(&c.Prime, "prime", true, "ask for every case once before the first status phase, so that it measures a server whose token and owner caches hold its active applicants, as one up for a while does")
	fs.StringVar(&c.ServerLog, "server-log", "", "file for the server's request log (default <data>/server.log)")
	if err := fs.Parse(m.Args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	switch {
	case fs.NArg() > 0:
		return m.usageError("unexpected arguments %q", fs.Args())
	case c.Cases < 1 || c.FillWorkers < 1 || c.Concurrency < 1 || c.Targets < 1:
		return m.usageError("-cases, -fill-workers, -concurrency and -targets must be positive")
	case c.Duration <= 0 || c.Warmup < 0:
		return m.usageError("-duration must be positive and -warmup not negative")
	case c.StatusRate < 0 || c.CommandRate < 0:
		return m.usageError("-status-rate and -command-rate must not be negative")
	}
	if _, err := parsePhases(c.Phases); err != nil {
		return m.usageError("%v", err)
	}
	return nil
}

func (m *Main) usageError(format string, args ...any) error {
	fmt.Fprintf(m.Stderr, "loadgen: "+format+"\n", args...)
	return errUsage
}

// Run prepares the store, starts the server, runs the phases and prints
// the report. It returns when everything ran, or at the first failure.
func (m *Main) Run(ctx context.Context) error {
	if err := m.parse(); err != nil {
		return err
	}
	phases, _ := parsePhases(m.cfg.Phases)
	fmt.Fprintf(m.Stdout, "loadgen: GOMAXPROCS %d, %s, load average %s\n", runtime.GOMAXPROCS(0), runtime.Version(), loadAverage())
	b, err := openBench(ctx, m.cfg, m.Stdout)
	if err != nil {
		return err
	}
	m.bench = b
	var results []result
	for _, p := range phases {
		r, err := b.run(ctx, p)
		if err != nil {
			return err
		}
		results = append(results, r)
		fmt.Fprintln(m.Stdout, r.line())
	}
	fmt.Fprintf(m.Stdout, "\n%s", table(results))
	fmt.Fprintf(m.Stdout, "load average after: %s\n", loadAverage())
	for _, r := range results {
		if r.errors > 0 {
			return fmt.Errorf("%s: %d of %d requests failed (first: %s)", r.phase, r.errors, r.requests, r.firstError)
		}
	}
	return nil
}

// Close stops the server and closes the store. It is safe after any Run.
func (m *Main) Close() error {
	if m.bench == nil {
		return nil
	}
	err := m.bench.close()
	m.bench = nil
	return err
}
