package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	caseledgerhttp "github.com/caseledger/caseledger/http"
	"github.com/caseledger/caseledger/projections"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

var (
	// errUsage is returned for bad command lines, after the usage was
	// printed.
	errUsage = errors.New("usage")
	// errHelp ends a command whose help was asked for; Run returns nil.
	errHelp = errors.New("help")
)

// Main is the program: one command line, run once. Serve leaves a server
// running after Run returns; Close stops it and closes the store.
type Main struct {
	Args   []string
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	// Now is the server's clock (API, deadline watcher, the demo's end
	// date); nil means time.Now. Tests replace it.
	Now func() time.Time

	cfg Config
	log *slog.Logger
	// quietLog is log at warning level at least, for the store of
	// maintenance commands.
	quietLog *slog.Logger
	store    eventstore.Store
	views    *projections.Runner
	server   *caseledgerhttp.Server
	serving  bool
	// esdbAddr and stopESDB belong to the EventStoreDB endpoint, stopWatch
	// to the deadline watcher; nil when not running.
	esdbAddr  string
	stopESDB  func() error
	stopWatch func()
}

func (m *Main) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// NewMain returns a Main for args (without the program name) on the
// process's standard streams and environment.
func NewMain(args []string) *Main {
	return &Main{Args: args, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// commands is the table of contents of the program.
var commands = []struct {
	name, summary string
	run           func(m *Main, ctx context.Context, args []string) error
}{
	{"serve", "run the HTTP API (and the EventStoreDB endpoint, the deadline watcher)", (*Main).serve},
	{"replay", "rebuild the read models from the log, with a progress bar", (*Main).replay},
	{"verify", "check every chain hash and report the first broken event", (*Main).verify},
	{"export", "write the log as NDJSON, optionally filtered", (*Main).export},
	{"import", "read NDJSON into an empty store, verifying chains", (*Main).importLog},
	{"backup", "copy a store consistently, through a running server or directly", (*Main).backup},
	{"token", "mint a bearer token for development", (*Main).token},
	{"version", "print the version", (*Main).printVersion},
}

// Run runs the command line. For serve it returns once the server listens.
func (m *Main) Run(ctx context.Context) error {
	if len(m.Args) == 0 || m.Args[0] == "-h" || m.Args[0] == "--help" || m.Args[0] == "help" {
		m.usage()
		if len(m.Args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands {
		if c.name == m.Args[0] {
			if err := c.run(m, ctx, m.Args[1:]); !errors.Is(err, errHelp) {
				return err
			}
			return nil
		}
	}
	fmt.Fprintf(m.Stderr, "caseledger: unknown command %q\n\n", m.Args[0])
	m.usage()
	return errUsage
}

func (m *Main) usage() {
	var b strings.Builder
	b.WriteString("caseledger keeps the hash-chained history of bundled government-service cases.\n\nUsage: caseledger <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun caseledger <command> --help for the flags of a command.\n")
	io.WriteString(m.Stderr, b.String())
}

// Serving reports whether Run left a server running.
func (m *Main) Serving() bool { return m.serving }

// URL is the base URL of the running server.
func (m *Main) URL() string {
	if m.server == nil {
		return ""
	}
	return m.server.URL()
}

// Close stops the server, letting requests in flight finish within the
// shutdown timeout, then the EventStoreDB endpoint and the deadline
// watcher, then closes the read models and the store. It is safe to call
// after any Run.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		m.log.Info("stopping: draining requests in flight", slog.Duration("timeout", m.cfg.ShutdownTimeout))
		ctx, cancel := context.WithTimeout(context.Background(), m.cfg.ShutdownTimeout)
		defer cancel()
		if err := m.server.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stopping the server: %w", err))
		}
		m.server, m.serving = nil, false
	}
	if m.stopESDB != nil {
		if err := m.stopESDB(); err != nil {
			errs = append(errs, fmt.Errorf("stopping the EventStoreDB endpoint: %w", err))
		}
		m.stopESDB, m.esdbAddr = nil, ""
	}
	if m.stopWatch != nil {
		m.stopWatch()
		m.stopWatch = nil
	}
	if m.views != nil {
		if err := m.views.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the read models: %w", err))
		}
		m.views = nil
	}
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the store: %w", err))
		}
		m.store = nil
	}
	return errors.Join(errs...)
}

func (m *Main) printVersion(_ context.Context, args []string) error {
	if len(args) > 0 {
		return m.usageError("version takes no arguments")
	}
	fmt.Fprintln(m.Stdout, "caseledger", version)
	return nil
}

func (m *Main) usageError(format string, args ...any) error {
	fmt.Fprintf(m.Stderr, "caseledger: "+format+"\n", args...)
	return errUsage
}

// defaultTokenTTL is the life of development tokens.
const defaultTokenTTL = 12 * time.Hour
