package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/readmodels"
)

// openViews opens the read models "caseledger serve" runs beside the
// store (projections/readmodels), in <data>/projections. They fold every
// appended event, so commands pay for them as they do in production.
func openViews(store eventstore.Store, data string, log *slog.Logger) (*projections.Runner, error) {
	r, err := projections.Open(store, filepath.Join(data, "projections"),
		projections.Options{Logger: log.With("component", "projections")},
		readmodels.All()...)
	if err != nil {
		return nil, fmt.Errorf("opening the read models: %w", err)
	}
	return r, nil
}

// waitViews waits until every read model has folded the whole log, so
// that no catch-up competes with the measured load, printing progress
// every few seconds, for at most timeout. A fresh store of 100k cases
// takes minutes.
func waitViews(ctx context.Context, r *projections.Runner, out io.Writer, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start, last := time.Now(), time.Now()
	for {
		sts, err := r.Status(ctx)
		if err != nil {
			return err
		}
		behind, lag := 0, uint64(0)
		for _, st := range sts {
			if st.State == projections.StateFailed {
				return fmt.Errorf("read model %s failed: %w", st.Name, st.Err)
			}
			if st.Lag > 0 {
				behind++
				lag = max(lag, st.Lag)
			}
		}
		if behind == 0 {
			fmt.Fprintf(out, "read models: %d caught up in %s\n", len(sts), time.Since(start).Round(time.Millisecond))
			return nil
		}
		if time.Since(last) >= progressEvery {
			fmt.Fprintf(out, "read models: %d of %d behind, by up to %d events\n", behind, len(sts), lag)
			last = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting %s for the read models (-catchup-timeout %s): %w", time.Since(start).Round(time.Second), timeout, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
