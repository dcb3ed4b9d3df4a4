package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"log/slog"

	"github.com/caseledger/caseledger/eventstore/embedded"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// serve opens the embedded store and starts the API. It returns once the
// server listens; Close stops it.
func (m *Main) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "fill an empty store with a generated history and print a token per role")
	demoCases := fs.Int("demo-cases", 2000, "cases the demo history holds")
	if err := m.parseConfig(fs, args, "addr", "data", "log-format", "log-level", "key-file", "shutdown-timeout", "request-timeout"); err != nil {
		return err
	}
	key, err := loadKey(m.cfg.keyFile(), true)
	if err != nil {
		return err
	}
	store, err := embedded.Open(m.cfg.storeDir(), embedded.Options{Logger: m.log.With("component", "store")})
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	m.store = store
	var cast demoCast
	filled := false
	if *demo {
		if cast, filled, err = fillDemo(ctx, store, *demoCases, m.log); err != nil {
			return err
		}
		if !filled {
			m.log.Info("demo: the store already holds events; serving them as they are")
		}
	}
	views, err := m.openViews(store, m.log)
	if err != nil {
		return err
	}
	srv, err := caseledgerhttp.NewServer(caseledgerhttp.Config{
		Views:          views,
		Ready:          viewsReady(views),
		ProjectionLag:  viewsLag(views),
		Store:          store,
		Logger:         m.log.With("component", "http"),
		PublicKey:      key.Public().(ed25519.PublicKey),
		RequestTimeout: m.cfg.RequestTimeout,
		// The embedded store promises gapless positions (eventstore rule 3).
		GaplessPositions: true,
		Version:          version,
	})
	if err != nil {
		return err
	}
	if err := srv.Open(m.cfg.Addr); err != nil {
		return err
	}
	m.server, m.serving = srv, true
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	if filled {
		if err := printDemo(m.Stdout, srv.URL(), key, cast); err != nil {
			return err
		}
	}
	m.log.Info("serving", slog.String("url", srv.URL()), slog.String("data", m.cfg.Data),
		slog.Uint64("head", head), slog.String("version", version))
	return nil
}
