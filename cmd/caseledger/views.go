package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/readmodels"
)

// readyLag is how far behind the log the read models may be for /readyz
// to answer ready: a few batches, so a busy but healthy server stays in
// rotation while one that is replaying history does not.
const readyLag = 5000

// openViews opens the read models in <data>/projections, folding the log
// in the background.
func (m *Main) openViews(store eventstore.Store, log *slog.Logger) (*projections.Runner, error) {
	r, err := projections.Open(store, filepath.Join(m.cfg.Data, "projections"),
		projections.Options{Logger: log.With("component", "projections")},
		readmodels.All()...)
	if err != nil {
		return nil, fmt.Errorf("opening the read models: %w", err)
	}
	m.views = r
	return r, nil
}

// viewsReady fails while a read model has failed or lags the log by more
// than readyLag events.
func viewsReady(r *projections.Runner) func(context.Context) error {
	return func(ctx context.Context) error {
		sts, err := r.Status(ctx)
		if err != nil {
			return err
		}
		var errs []error
		for _, st := range sts {
			switch {
			case st.State == projections.StateFailed:
				errs = append(errs, fmt.Errorf("%s failed: %w", st.Name, st.Err))
			case st.Lag > readyLag:
				errs = append(errs, fmt.Errorf("%s lags %d events", st.Name, st.Lag))
			}
		}
		return errors.Join(errs...)
	}
}

// viewsLag is the largest lag of any read model, for the lag gauge.
func viewsLag(r *projections.Runner) func() float64 {
	return func() float64 {
		sts, err := r.Status(context.Background())
		if err != nil {
			return -1
		}
		var lag uint64
		for _, st := range sts {
			lag = max(lag, st.Lag)
		}
		return float64(lag)
	}
}

// replay rebuilds read models from the whole log, with a progress bar, on
// a stopped store: each new copy replaces the old one when it has caught
// up.
func (m *Main) replay(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	only := fs.String("only", "", "comma-separated read models to rebuild; empty rebuilds all")
	if err := m.parseConfig(fs, args, "data", "store", "log-format", "log-level"); err != nil {
		return err
	}
	store, err := m.openLog(ctx)
	if err != nil {
		return err
	}
	r, err := m.openViews(store, m.quietLog)
	if err != nil {
		return err
	}
	sts, err := r.Status(ctx)
	if err != nil {
		return err
	}
	names := make([]string, len(sts))
	for i, st := range sts {
		names[i] = st.Name
	}
	chosen := splitList(*only)
	for _, n := range chosen {
		if !slices.Contains(names, n) {
			return m.usageError("replay: no read model %q; they are %s", n, strings.Join(names, ", "))
		}
	}
	for _, st := range sts {
		if len(chosen) > 0 && !slices.Contains(chosen, st.Name) {
			continue
		}
		bar := progressBar{w: m.Stderr, name: st.Name}
		if err := r.Rebuild(ctx, st.Name, bar.update); err != nil {
			return fmt.Errorf("rebuilding %s: %w", st.Name, err)
		}
		bar.done()
		fmt.Fprintf(m.Stdout, "rebuilt %s\n", st.Name)
	}
	return nil
}

// progressBar draws one line that it rewrites in place.
type progressBar struct {
	w    io.Writer
	name string
	last int
}

func (b *progressBar) update(p projections.Progress) {
	pct := 100
	if p.Target > 0 {
		pct = int(min(p.Position*100/p.Target, 100))
	}
	if pct == b.last && pct != 0 {
		return
	}
	b.last = pct
	const width = 40
	fill := pct * width / 100
	fmt.Fprintf(b.w, "\r%-16s [%s%s] %3d%% %d/%d", b.name, strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, p.Position, p.Target)
}

func (b *progressBar) done() { fmt.Fprintln(b.w) }
