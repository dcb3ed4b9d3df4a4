package main

import (
	"context"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/eventstore/esdb"
)

// openESDB connects to the EventStoreDB server of --store. clock, when not
// nil, gives the recorded-at times of appends (import sets them).
func (m *Main) openESDB(ctx context.Context, log bool, clock func() time.Time) (*esdb.Store, error) {
	l := m.quietLog
	if log {
		l = m.log
	}
	s, err := esdb.Open(ctx, m.cfg.Store, esdb.Options{Logger: l.With("component", "store"), Clock: clock})
	if err != nil {
		// The connection string is not repeated: it may hold a password.
		return nil, fmt.Errorf("opening the EventStoreDB store of --store: %w", err)
	}
	m.store = s
	return s, nil
}

// openLog opens the store a maintenance command reads: the EventStoreDB
// server of --store, or else the data directory's stopped embedded store.
func (m *Main) openLog(ctx context.Context) (eventstore.Store, error) {
	if m.cfg.esdbStore() {
		return m.openESDB(ctx, false, nil)
	}
	return m.openStopped(embedded.Options{})
}

// storeName says which store a command works on, for logs and messages,
// without the connection string's credentials.
func (c *Config) storeName() string {
	if c.esdbStore() {
		return "EventStoreDB (--store)"
	}
	return c.storeDir()
}
