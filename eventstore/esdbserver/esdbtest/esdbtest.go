// Package esdbtest runs an EventStoreDB-compatible endpoint over a fresh
// embedded store for tests, on 127.0.0.1 and a free port, optionally with
// TLS and a service identity, the way a caseledger instance would serve it.
package esdbtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/eventstore/esdbserver"
)

// The identities of an endpoint with TLS: the service appends, the reader
// reads.
const (
	ServiceUser     = "caseledger"
	ServicePassword = "service-secret"
	ReaderUser      = "analyst"
	ReaderPassword  = "reader-secret"
)

// Config chooses how the endpoint is served.
type Config struct {
	// TLS serves with a fresh self-signed certificate and a StaticAuthorizer
	// that grants appends to ServiceUser and reads to ReaderUser. Without
	// it, the endpoint is plain text and anonymous callers may append,
	// because official clients send no credentials without TLS.
	TLS bool
	// Authorizer replaces the one chosen by TLS.
	Authorizer esdbserver.Authorizer
}

// Endpoint is a running endpoint and the store behind it.
type Endpoint struct {
	Store  eventstore.Store // the embedded store served
	Addr   string           // host:port
	CAFile string           // PEM of the server certificate when TLS is on

	t      testing.TB
	opts   esdbserver.Options
	cancel context.CancelFunc
	done   chan error
}

// Start serves a new, empty embedded store; the test's cleanup stops it.
func Start(t testing.TB, cfg Config) *Endpoint {
	t.Helper()
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatalf("embedded.Open: %v", err)
	}
	e := &Endpoint{Store: store, t: t}
	e.opts.Authorizer = esdbserver.StaticAuthorizer{Anonymous: esdbserver.AccessAppend}
	if cfg.TLS {
		e.opts.TLS, e.CAFile = selfSigned(t)
		e.opts.Authorizer = esdbserver.StaticAuthorizer{
			Passwords: map[string]string{ServiceUser: ServicePassword, ReaderUser: ReaderPassword},
			Service:   ServiceUser,
		}
	}
	if cfg.Authorizer != nil {
		e.opts.Authorizer = cfg.Authorizer
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	e.Addr = lis.Addr().String()
	e.serve(lis)
	t.Cleanup(func() {
		e.Stop()
		if err := store.Close(); err != nil {
			t.Errorf("closing the embedded store: %v", err)
		}
	})
	return e
}

func (e *Endpoint) serve(lis net.Listener) {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 1)
	srv := esdbserver.New(e.Store, e.opts)
	go func() { e.done <- srv.Serve(ctx, lis) }()
}

// Stop stops serving, dropping every connection; the store stays open.
func (e *Endpoint) Stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.cancel = nil
	if err := <-e.done; err != nil {
		e.t.Errorf("Serve: %v", err)
	}
}

// Restart serves again on the same address after Stop.
func (e *Endpoint) Restart() {
	e.t.Helper()
	var lis net.Listener
	var err error
	// The port was ours a moment ago; the kernel may take a moment to
	// release it.
	for range 50 {
		if lis, err = net.Listen("tcp", e.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		e.t.Fatalf("listen again on %s: %v", e.Addr, err)
	}
	e.serve(lis)
}

// ConnectionString returns an esdb:// connection string to the endpoint,
// with credentials when user is not empty.
func (e *Endpoint) ConnectionString(user, password string) string {
	u := url.URL{Scheme: "esdb", Host: e.Addr}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	q := url.Values{}
	if e.CAFile == "" {
		q.Set("tls", "false")
	} else {
		q.Set("tls", "true")
		q.Set("tlsCAFile", e.CAFile)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// selfSigned makes a certificate for 127.0.0.1 that is its own CA.
func selfSigned(t testing.TB) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "caseledger test endpoint"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS12,
	}
	return cfg, path
}

// String names the endpoint in test logs.
func (e *Endpoint) String() string { return fmt.Sprintf("esdb endpoint %s", e.Addr) }
