package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdbserver"
)

// serveESDB serves the EventStoreDB protocol over the embedded store on
// --esdb-listen, in the background until Close. Without TLS it listens on
// loopback only: tokens would cross the network in clear, and official
// clients send no credentials at all on plain text (so there only
// --esdb-anonymous lets them in).
func (m *Main) serveESDB(store eventstore.Store, key ed25519.PublicKey) error {
	if m.cfg.ESDBListen == "" {
		return nil
	}
	if m.cfg.esdbStore() {
		return errESDBOnESDB
	}
	anonymous, err := parseAccess(m.cfg.ESDBAnonymous)
	if err != nil {
		return err
	}
	opts := esdbserver.Options{
		Authorizer: newTokenAuthorizer(key, m.now, splitList(m.cfg.ESDBWriters), anonymous),
		Logger:     m.log.With("component", "esdb-endpoint"),
	}
	secure := m.cfg.ESDBTLSCert != "" || m.cfg.ESDBTLSKey != ""
	if secure {
		if m.cfg.ESDBTLSCert == "" || m.cfg.ESDBTLSKey == "" {
			return errors.New("--esdb-tls-cert and --esdb-tls-key go together")
		}
		if anonymous != esdbserver.AccessNone {
			return errors.New("--esdb-anonymous is for the plain-text loopback endpoint only; over TLS clients present tokens")
		}
		cert, err := tls.LoadX509KeyPair(m.cfg.ESDBTLSCert, m.cfg.ESDBTLSKey)
		if err != nil {
			return fmt.Errorf("EventStoreDB endpoint certificate: %w", err)
		}
		opts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	lis, err := net.Listen("tcp", m.cfg.ESDBListen)
	if err != nil {
		return fmt.Errorf("EventStoreDB endpoint: %w", err)
	}
	if addr, ok := lis.Addr().(*net.TCPAddr); !secure && (!ok || !addr.IP.IsLoopback()) {
		lis.Close()
		return fmt.Errorf("--esdb-listen %s: without --esdb-tls-cert and --esdb-tls-key the EventStoreDB endpoint listens on a loopback address only", m.cfg.ESDBListen)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- esdbserver.New(store, opts).Serve(ctx, lis) }()
	m.esdbAddr = lis.Addr().String()
	m.stopESDB = func() error {
		cancel()
		return <-done
	}
	m.log.Info("serving the EventStoreDB protocol", slog.String("addr", m.esdbAddr), slog.Bool("tls", secure),
		slog.String("anonymous", m.cfg.ESDBAnonymous))
	return nil
}

// ESDBAddr is the address of the running EventStoreDB endpoint, if any.
func (m *Main) ESDBAddr() string { return m.esdbAddr }
