package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

var errESDBOnESDB = errors.New("--esdb-listen serves the embedded store; with --store esdb:// the cluster itself serves the EventStoreDB protocol")

// serve opens the store and starts the API, the EventStoreDB endpoint
// when asked for and the deadline watcher. It returns once they run;
// Close stops them.
func (m *Main) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "fill an empty store with a generated history ending now, on the server's clock, and print a token per role and curl examples that work on it; "+
		"the deadline watcher's first tick may then warn about generated items that came due today")
	demoCases := fs.Int("demo-cases", 2000, "cases the demo history holds")
	if err := m.parseConfig(fs, args, "addr", "data", "store", "log-format", "log-level", "key-file", "shutdown-timeout", "request-timeout",
		"esdb-listen", "esdb-tls-cert", "esdb-tls-key", "esdb-writers", "esdb-anonymous", "watch-interval"); err != nil {
		return err
	}
	if m.cfg.ESDBListen != "" && m.cfg.esdbStore() {
		return errESDBOnESDB
	}
	key, err := loadKey(m.cfg.keyFile(), true)
	if err != nil {
		return err
	}
	var store eventstore.Store
	if m.cfg.esdbStore() {
		if store, err = m.openESDB(ctx, true, nil); err != nil {
			return err
		}
	} else {
		s, err := embedded.Open(m.cfg.storeDir(), embedded.Options{Logger: m.log.With("component", "store")})
		if err != nil {
			return fmt.Errorf("opening the store: %w", err)
		}
		m.store, store = s, s
	}
	var cast demoCast
	filled := false
	if *demo {
		if cast, filled, err = fillDemo(ctx, store, *demoCases, m.now(), m.log); err != nil {
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
		Now:            m.now,
		RequestTimeout: m.cfg.RequestTimeout,
		// The embedded store promises gapless positions (eventstore rule
		// 3); EventStoreDB positions are byte offsets.
		GaplessPositions: !m.cfg.esdbStore(),
		Version:          version,
	})
	if err != nil {
		return err
	}
	if err := srv.Open(m.cfg.Addr); err != nil {
		return err
	}
	m.server, m.serving = srv, true
	if err := m.serveESDB(store, key.Public().(ed25519.PublicKey)); err != nil {
		return err
	}
	m.startWatcher(store, views)
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	if filled {
		if err := printDemo(m.Stdout, srv.URL(), key, cast, m.now(), head); err != nil {
			return err
		}
	}
	m.log.Info("serving", slog.String("url", srv.URL()), slog.String("data", m.cfg.Data), slog.String("store", m.cfg.storeName()),
		slog.Uint64("head", head), slog.Duration("watch_interval", m.cfg.WatchInterval), slog.String("version", version))
	return nil
}
