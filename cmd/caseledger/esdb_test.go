package main_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	main "github.com/caseledger/caseledger/cmd/caseledger"
)

// MustServeArgs starts serve with data dir data and extra flags, on port 0
// with the watcher off.
func MustServeArgs(tb testing.TB, data string, args ...string) *main.Main {
	tb.Helper()
	m, _ := newMain(map[string]string{"CASELEDGER_DATA": data},
		append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--watch-interval", "0"}, args...)...)
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

// Issue 6: instance B keeps its ledger in instance A's store through A's
// EventStoreDB endpoint; B's API reads its own writes, the events are A's,
// and verify --store checks the chains through the endpoint.
func TestAnInstanceServesOnAnotherInstancesEndpoint(t *testing.T) {
	dataA, dataB := t.TempDir(), t.TempDir()
	a := MustServeArgs(t, dataA, "--esdb-listen", "127.0.0.1:0", "--esdb-anonymous", "append")
	conn := "esdb://" + a.ESDBAddr() + "?tls=false"
	b := MustServeArgs(t, dataB, "--store", conn)

	status, body := call(t, http.MethodPost, b.URL()+"/v1/cases", mustToken(t, dataB, "--role", "applicant"), submitBody)
	if status != http.StatusCreated {
		t.Fatalf("submit through B: %d %s", status, body)
	}
	var created struct {
		CaseID   string `json:"case_id"`
		Position uint64 `json:"position"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	status, body = call(t, http.MethodGet, b.URL()+"/v1/cases/"+created.CaseID, mustToken(t, dataB, "--role", "applicant"), "")
	if status != http.StatusOK || !strings.Contains(body, `"status":"submitted"`) {
		t.Errorf("B's status of the case = %d %s, want 200 and submitted", status, body)
	}
	// B's read models fold A's log through a $all subscription; min_position
	// waits for them to hold the submission.
	supervisor := mustToken(t, dataB, "--role", "supervisor", "--region", "442000")
	status, body = call(t, http.MethodGet, fmt.Sprintf("%s/v1/items/overdue?min_position=%d", b.URL(), created.Position), supervisor, "")
	if status != http.StatusOK {
		t.Errorf("B's overdue list at the submission's position = %d %s, want 200", status, body)
	}

	online, err := run(t, map[string]string{"CASELEDGER_DATA": dataA}, "export", "--server", a.URL())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(online, "\n"), 2; got != want || !strings.Contains(online, "case-"+created.CaseID) {
		t.Errorf("A's log holds %d events (want %d) of case %s:\n%s", got, want, created.CaseID, online)
	}
	out, err := run(t, map[string]string{"CASELEDGER_DATA": t.TempDir()}, "verify", "--store", conn)
	if err != nil || !strings.Contains(out, "checked 2 events in 1 streams") || !strings.Contains(out, "ok: every chain verifies") {
		t.Errorf("verify --store through A's endpoint = %q, %v", out, err)
	}
	out, err = run(t, map[string]string{"CASELEDGER_DATA": dataB}, "export", "--store", conn)
	if got, want := out, online; err != nil || got != want {
		t.Errorf("export --store through A's endpoint differs from A's own export (%v):\n got %s\nwant %s", err, got, want)
	}
}

// The endpoint honours the API's tokens: over TLS an official client
// presents one as the password of its subject.
func TestTheEndpointGrantsAppendsToTheServiceAndReadsToSupervisorsAndAdmins(t *testing.T) {
	dataA := t.TempDir()
	cert, key := mustCertificate(t)
	a := MustServeArgs(t, dataA, "--esdb-listen", "127.0.0.1:0", "--esdb-tls-cert", cert, "--esdb-tls-key", key)
	conn := func(user, token string) string {
		u := url.URL{Scheme: "esdb", Host: a.ESDBAddr(), User: url.UserPassword(user, token),
			RawQuery: url.Values{"tls": {"true"}, "tlsCAFile": {cert}}.Encode()}
		return u.String()
	}
	other := t.TempDir()
	MustServeArgs(t, other).Close() // generates other's key
	tests := []struct {
		name               string
		user, token        string
		canRead, canSubmit bool
	}{
		{"the service identity appends", "caseledger-service", mustToken(t, dataA, "--role", "admin", "--sub", "caseledger-service"), true, true},
		{"another admin only reads", "ops", mustToken(t, dataA, "--role", "admin", "--sub", "ops"), true, false},
		{"a supervisor only reads", "sup", mustToken(t, dataA, "--role", "supervisor", "--sub", "sup", "--region", "442000"), true, false},
		{"an analyst gets nothing", "ana", mustToken(t, dataA, "--role", "analyst", "--sub", "ana"), false, false},
		{"a token of another key gets nothing", "caseledger-service", mustToken(t, other, "--role", "admin", "--sub", "caseledger-service"), false, false},
		{"a user name other than the subject gets nothing", "someone", mustToken(t, dataA, "--role", "admin", "--sub", "caseledger-service"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, map[string]string{"CASELEDGER_DATA": t.TempDir()}, "verify", "--store", conn(tt.user, tt.token))
			if got, want := err == nil, tt.canRead; got != want {
				t.Errorf("verify --store succeeded = %v, want %v (%v)", got, want, err)
			}
			if !tt.canRead {
				return
			}
			dataB := t.TempDir()
			b := MustServeArgs(t, dataB, "--store", conn(tt.user, tt.token))
			status, body := call(t, http.MethodPost, b.URL()+"/v1/cases", mustToken(t, dataB, "--role", "applicant"), submitBody)
			if got, want := status == http.StatusCreated, tt.canSubmit; got != want {
				t.Errorf("submit through B = %d %s; want created = %v", status, body, want)
			}
		})
	}
}

func TestServeRefusesAnEndpointItCannotOfferSafely(t *testing.T) {
	cert, key := mustCertificate(t)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"plain text off loopback", []string{"--esdb-listen", "0.0.0.0:0"}, "loopback"},
		{"anonymous access over TLS", []string{"--esdb-listen", "127.0.0.1:0", "--esdb-tls-cert", cert, "--esdb-tls-key", key, "--esdb-anonymous", "read"}, "plain-text loopback"},
		{"a certificate without its key", []string{"--esdb-listen", "127.0.0.1:0", "--esdb-tls-cert", cert}, "go together"},
		{"an unknown anonymous access", []string{"--esdb-listen", "127.0.0.1:0", "--esdb-anonymous", "write"}, "not none, read or append"},
		{"a store that is not esdb", []string{"--store", "postgres://db"}, "esdb://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, map[string]string{"CASELEDGER_DATA": t.TempDir()},
				append([]string{"serve", "--addr", "127.0.0.1:0", "--watch-interval", "0"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestStoreCommandsOnEventStoreDBSayWhatTheyCannotDo(t *testing.T) {
	dataA := t.TempDir()
	a := MustServeArgs(t, dataA, "--esdb-listen", "127.0.0.1:0", "--esdb-anonymous", "append")
	conn := "esdb://" + a.ESDBAddr() + "?tls=false"
	env := map[string]string{"CASELEDGER_DATA": t.TempDir(), "CASELEDGER_STORE": conn}

	_, err := run(t, env, "backup", "--to", filepath.Join(t.TempDir(), "bk"))
	if err == nil || !strings.Contains(err.Error(), "cluster's own backups") {
		t.Errorf("backup --store esdb:// error = %v, want a pointer to the cluster's backups", err)
	}
	_, err = run(t, env, "serve", "--addr", "127.0.0.1:0", "--esdb-listen", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "serves the embedded store") {
		t.Errorf("serve --store esdb:// --esdb-listen error = %v, want a refusal", err)
	}
	if status, body := call(t, http.MethodPost, a.URL()+"/v1/cases", mustToken(t, dataA, "--role", "applicant"), submitBody); status != http.StatusCreated {
		t.Fatalf("submit: %d %s", status, body)
	}
	dump := filepath.Join(t.TempDir(), "log.ndjson")
	if err := os.WriteFile(dump, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = run(t, env, "import", "--in", dump)
	if err == nil || !strings.Contains(err.Error(), "import needs an empty store") {
		t.Errorf("import into a non-empty esdb store: error = %v, want a refusal", err)
	}
}

// mustCertificate writes a self-signed certificate for 127.0.0.1 and its
// key, and returns their files.
func mustCertificate(tb testing.TB) (certFile, keyFile string) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "caseledger test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		tb.Fatal(err)
	}
	return certFile, keyFile
}
