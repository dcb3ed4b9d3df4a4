package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/watcher"
)

// domainEnv is what serve's deadline watcher decides with: the shipped
// catalogue and calendar and the default policy, as the HTTP API does.
func domainEnv() domain.Env {
	return domain.Env{Catalogue: catalogue.Default(), Calendar: workday.Default(), Policy: domain.DefaultPolicy()}
}

// startWatcher runs the deadline watcher on the server's clock every
// --watch-interval until Close. Several instances on one store may each
// run one: the watcher's command IDs make every warning land once.
func (m *Main) startWatcher(store eventstore.Store, views *projections.Runner) {
	if m.cfg.WatchInterval == 0 {
		return
	}
	w := &watcher.Watcher{Store: store, Views: views, Clock: m.now, Env: domainEnv(), Interval: m.cfg.WatchInterval}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.watch(ctx, w)
	}()
	m.stopWatch = func() {
		cancel()
		<-done
	}
}

// watch is watcher.Run with every tick logged: at debug level when it had
// nothing to do, so that an operator (and a test) can see it is alive.
func (m *Main) watch(ctx context.Context, w *watcher.Watcher) {
	log := m.log.With("component", "deadline-watcher")
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		res, err := w.Tick(ctx)
		level := slog.LevelDebug
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("deadline watcher tick failed", "err", err)
		case res.Raised > 0 || res.Skipped > 0:
			level = slog.LevelInfo
		}
		log.Log(ctx, level, "deadline watcher tick", slog.Int("due", res.Due), slog.Int("raised", res.Raised),
			slog.Int("replayed", res.Replayed), slog.Int("skipped", res.Skipped))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
