package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	caseledgerhttp "github.com/caseledger/caseledger/http"
	viewmetrics "github.com/caseledger/caseledger/projections/metrics"
)

// ErrHeld: the store is held by a running server and no --server was given.
var ErrHeld = errors.New("the store is held by a running server: stop it, or pass --server with its URL to go through its admin routes")

// openStopped opens the data directory's store directly, which works only
// while no server holds it.
func (m *Main) openStopped(opts embedded.Options) (*embedded.Store, error) {
	if _, err := os.Stat(m.cfg.storeDir()); err != nil {
		return nil, fmt.Errorf("no store in %s: %w", m.cfg.Data, err)
	}
	opts.Logger = m.quietLog.With("component", "store")
	s, err := embedded.Open(m.cfg.storeDir(), opts)
	if errors.Is(err, embedded.ErrLocked) {
		return nil, ErrHeld
	}
	if err != nil {
		return nil, err
	}
	m.store = s
	return s, nil
}

// verify checks every chain hash, directly or through --server.
func (m *Main) verify(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	if err := m.parseConfig(fs, args, "data", "store", "server", "key-file", "log-format", "log-level"); err != nil {
		return err
	}
	if m.cfg.Server != "" {
		var rep struct {
			OK           bool
			Events       uint64
			Streams      int
			LastPosition uint64 `json:"last_position"`
			Broken       *struct {
				Position, Version   uint64
				Stream, Problem, ID string
				Detail              string
			}
		}
		if err := m.admin(ctx, http.MethodGet, "/v1/admin/verify", nil, jsonInto(&rep)); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "checked %d events in %d streams up to position %d\n", rep.Events, rep.Streams, rep.LastPosition)
		if b := rep.Broken; b != nil {
			return fmt.Errorf("chain broken at position %d (stream %s, version %d, event %s): %s: %s",
				b.Position, b.Stream, b.Version, b.ID, b.Problem, b.Detail)
		}
		fmt.Fprintln(m.Stdout, "ok: every chain verifies")
		return nil
	}
	store, err := m.openLog(ctx)
	if err != nil {
		return err
	}
	// Only the embedded store promises gapless positions (eventstore rule
	// 3); EventStoreDB positions are byte offsets.
	rep, err := eventstore.Verify(ctx, store, eventstore.VerifyOptions{GaplessPositions: !m.cfg.esdbStore()})
	fmt.Fprintf(m.Stdout, "checked %d events in %d streams up to position %d\n", rep.Events, rep.Streams, rep.LastPosition)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "ok: every chain verifies")
	return nil
}

// export writes the log as NDJSON to stdout or --out.
func (m *Main) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("out", "-", "file to write; - is standard output")
	categories := fs.String("category", "", "comma-separated stream categories to keep (case, ...); empty keeps all")
	types := fs.String("type", "", "comma-separated event types to keep; empty keeps all")
	stats := fs.Bool("metrics", false, "write the service metrics as CSV instead of the log")
	by := fs.String("by", "month", "with --metrics: group by bundle, item, department, region or month")
	if err := m.parseConfig(fs, args, "data", "store", "server", "key-file", "log-format", "log-level"); err != nil {
		return err
	}
	w, closeOut, err := m.output(*out)
	if err != nil {
		return err
	}
	filter := eventstore.Filter{Categories: splitList(*categories), Types: splitList(*types)}
	switch {
	case *stats && m.cfg.Server != "":
		err = m.adminAccepting(ctx, http.MethodGet, "/v1/stats?"+url.Values{"by": {*by}}.Encode(), "text/csv", nil, func(r io.Reader) error {
			_, err := io.Copy(w, r)
			return err
		})
	case *stats:
		err = m.exportMetrics(ctx, viewmetrics.Dimension(*by), w)
	case m.cfg.Server != "":
		q := url.Values{"category": filter.Categories, "type": filter.Types}
		err = m.admin(ctx, http.MethodGet, "/v1/admin/export?"+q.Encode(), nil, func(r io.Reader) error {
			_, err := io.Copy(w, r)
			return err
		})
	default:
		var store eventstore.Store
		if store, err = m.openLog(ctx); err == nil {
			err = caseledgerhttp.ExportLog(ctx, store, filter, w)
		}
	}
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	return err
}

// exportMetrics writes the metrics read model as CSV once it has folded
// the whole log of the stopped store.
func (m *Main) exportMetrics(ctx context.Context, by viewmetrics.Dimension, w io.Writer) error {
	store, err := m.openLog(ctx)
	if err != nil {
		return err
	}
	views, err := m.openViews(store, m.quietLog)
	if err != nil {
		return err
	}
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	return viewmetrics.Export(ctx, views, head, viewmetrics.Filter{}, by, w)
}

// backup copies the store into a new directory: through --server while a
// server runs (the directory is then on the server's machine), directly
// otherwise.
func (m *Main) backup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	to := fs.String("to", "", "new directory to create the copy in (required)")
	if err := m.parseConfig(fs, args, "data", "store", "server", "key-file", "log-format", "log-level"); err != nil {
		return err
	}
	if m.cfg.esdbStore() {
		return errors.New("backup copies the embedded store only; a store on EventStoreDB/KurrentDB is backed up with the cluster's own backups (a file copy of a stopped follower), and caseledger verify --store checks a restored copy")
	}
	if *to == "" {
		return m.usageError("backup: --to is required")
	}
	root, err := filepath.Abs(*to)
	if err != nil {
		return err
	}
	// The copy is laid out as a data directory, so that serve --data root
	// opens it (the token key is not copied: it is not part of the log).
	dir := (&Config{Data: root}).storeDir()
	if _, err := os.Stat(root); err == nil {
		return fmt.Errorf("backup: %s already exists; a backup goes into a new directory", root)
	}
	if m.cfg.Server != "" {
		body := strings.NewReader(fmt.Sprintf(`{"dir":%q}`, dir))
		if err := m.admin(ctx, http.MethodPost, "/v1/admin/backup", body, nil); err != nil {
			return err
		}
	} else {
		store, err := m.openStopped(embedded.Options{})
		if err != nil {
			return err
		}
		if err := store.Backup(ctx, dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "backup written to %s (serve it with --data %s)\n", dir, root)
	return nil
}

// output opens the destination of a command's output.
func (m *Main) output(path string) (io.Writer, func() error, error) {
	if path == "-" || path == "" {
		return m.Stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() error {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// adminTimeout bounds one admin call; backups and exports of large stores
// take a while.
const adminTimeout = 30 * time.Minute
