package main_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	main "github.com/caseledger/caseledger/cmd/caseledger"
)

// run runs one command line with env as the whole environment and returns
// its standard output.
func run(tb testing.TB, env map[string]string, args ...string) (string, error) {
	tb.Helper()
	m, out := newMain(env, args...)
	err := m.Run(context.Background())
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), err
}

func newMain(env map[string]string, args ...string) (*main.Main, *bytes.Buffer) {
	var out, logs bytes.Buffer
	m := main.NewMain(args)
	m.Stdout, m.Stderr = &out, &logs
	m.Getenv = func(k string) string { return env[k] }
	return m, &out
}

// MustServe starts serve on port 0 with data dir data.
func MustServe(tb testing.TB, data string) *main.Main {
	tb.Helper()
	m, _ := newMain(map[string]string{"CASELEDGER_DATA": data}, "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
	if err := m.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

func mustToken(tb testing.TB, data string, args ...string) string {
	tb.Helper()
	out, err := run(tb, map[string]string{"CASELEDGER_DATA": data}, append([]string{"token"}, args...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(out)
}

func call(tb testing.TB, method, url, token, body string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

const submitBody = `{"bundle_code":"enterprise_change","channel":"web",
 "applicant":{"ref":"dev-applicant","kind":"company"},"region":"442000",
 "provided":["change_application","shareholder_resolution","articles_amendment","legal_rep_id_card"]}`

func TestServeAnswersWithTokensMintedFromTheDataDirectory(t *testing.T) {
	data := t.TempDir()
	m := MustServe(t, data)
	tok := mustToken(t, data, "--role", "applicant")
	status, body := call(t, http.MethodPost, m.URL()+"/v1/cases", tok, submitBody)
	if got, want := status, http.StatusCreated; got != want {
		t.Fatalf("submit: status = %d, want %d: %s", got, want, body)
	}
	status, _ = call(t, http.MethodGet, m.URL()+"/healthz", "", "")
	if got, want := status, http.StatusOK; got != want {
		t.Errorf("healthz: status = %d, want %d", got, want)
	}
	mustBecomeReady(t, m.URL())
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := http.Get(m.URL() + "/healthz"); err == nil {
		t.Errorf("the server still answers after Close")
	}
}

func TestMaintenanceGoesThroughARunningServerOrDirectlyToAStoppedStore(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CASELEDGER_DATA": data}
	m := MustServe(t, data)
	for i := 0; i < 3; i++ {
		if status, body := call(t, http.MethodPost, m.URL()+"/v1/cases", mustToken(t, data, "--role", "applicant"), submitBody); status != http.StatusCreated {
			t.Fatalf("submit: %d %s", status, body)
		}
	}

	if _, err := run(t, env, "replay"); !errors.Is(err, main.ErrHeld) {
		t.Errorf("replay on a held store: error = %v, want ErrHeld", err)
	}
	if _, err := run(t, env, "verify"); !errors.Is(err, main.ErrHeld) {
		t.Errorf("verify on a held store: error = %v, want ErrHeld", err)
	}
	out, err := run(t, env, "verify", "--server", m.URL())
	if err != nil || !strings.Contains(out, "checked 6 events in 3 streams") {
		t.Errorf("verify through the server = %q, %v", out, err)
	}
	online, err := run(t, env, "export", "--server", m.URL())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(online, "\n"), 6; got != want {
		t.Errorf("exported lines = %d, want %d", got, want)
	}
	onlineCSV, err := run(t, env, "export", "--server", m.URL(), "--metrics", "--by", "region")
	if err != nil || !strings.HasPrefix(onlineCSV, "region,cases,") {
		t.Errorf("export --metrics through the server = %q, %v", onlineCSV, err)
	}
	filtered, err := run(t, env, "export", "--server", m.URL(), "--type", "CasePrechecked")
	if err != nil || strings.Count(filtered, "\n") != 3 {
		t.Errorf("filtered export = %d lines, %v; want 3", strings.Count(filtered, "\n"), err)
	}
	backup := filepath.Join(t.TempDir(), "bk")
	if _, err := run(t, env, "backup", "--server", m.URL(), "--to", backup); err != nil {
		t.Fatalf("online backup: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	out, err = run(t, env, "replay", "--only", "case_status,case_timeline")
	if err != nil || out != "rebuilt case_status\nrebuilt case_timeline\n" {
		t.Errorf("replay = %q, %v; want case_status and case_timeline rebuilt", out, err)
	}
	if _, err := run(t, env, "replay", "--only", "gossip"); err == nil {
		t.Errorf("replay of an unknown read model succeeded")
	}
	csv, err := run(t, env, "export", "--metrics", "--by", "region")
	// Metrics count cases that ended; these are all still open, so the
	// CSV is its header row (the http tests check rows).
	if err != nil || !strings.HasPrefix(csv, "region,cases,") || strings.Count(csv, "\n") != 1 {
		t.Errorf("export --metrics = %q, %v; want the header row only", csv, err)
	}
	stopped, err := run(t, env, "export")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stopped, online; got != want {
		t.Errorf("the stopped store's export differs from the online one")
	}
	fromBackup, err := run(t, map[string]string{"CASELEDGER_DATA": backup}, "export")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fromBackup, online; got != want {
		t.Errorf("the backup's export differs from the original's")
	}

	dump := filepath.Join(t.TempDir(), "log.ndjson")
	if err := os.WriteFile(dump, []byte(online), 0o644); err != nil {
		t.Fatal(err)
	}
	copyDir := t.TempDir()
	if out, err := run(t, map[string]string{"CASELEDGER_DATA": copyDir}, "import", "--in", dump); err != nil {
		t.Fatalf("import: %v (%s)", err, out)
	}
	imported, err := run(t, map[string]string{"CASELEDGER_DATA": copyDir}, "export")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := imported, online; got != want {
		t.Errorf("the imported log differs from the exported one:\n got %s\nwant %s", got, want)
	}
	if _, err := run(t, map[string]string{"CASELEDGER_DATA": copyDir}, "import", "--in", dump); err == nil {
		t.Errorf("a second import into a non-empty store succeeded")
	}
}

func TestImportRefusesATamperedExport(t *testing.T) {
	data := t.TempDir()
	m := MustServe(t, data)
	if status, body := call(t, http.MethodPost, m.URL()+"/v1/cases", mustToken(t, data, "--role", "applicant"), submitBody); status != http.StatusCreated {
		t.Fatalf("submit: %d %s", status, body)
	}
	m.Close()
	log, err := run(t, map[string]string{"CASELEDGER_DATA": data}, "export")
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(log, `"region":"442000"`, `"region":"110000"`, 1)
	if tampered == log {
		t.Fatal("the export has no region to tamper with")
	}
	dump := filepath.Join(t.TempDir(), "log.ndjson")
	os.WriteFile(dump, []byte(tampered), 0o644)
	_, err = run(t, map[string]string{"CASELEDGER_DATA": t.TempDir()}, "import", "--in", dump)
	if err == nil || !strings.Contains(err.Error(), "hash does not match") {
		t.Errorf("import of a tampered export: error = %v, want a hash mismatch", err)
	}
}

func TestSettingsComeFromFlagsThenEnvironmentThenFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "caseledger.json")
	if err := os.WriteFile(file, []byte(`{"log-format":"yaml"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"the file's bad value is used", nil, []string{"--config", file}, `"yaml" is not text or json`},
		{"the environment wins over the file", map[string]string{"CASELEDGER_LOG_FORMAT": "xml"}, []string{"--config", file}, `"xml" is not text or json`},
		{"a flag wins over both", map[string]string{"CASELEDGER_LOG_FORMAT": "xml"}, []string{"--config", file, "--log-format", "csv"}, `"csv" is not text or json`},
		{"the config file may come from the environment", map[string]string{"CASELEDGER_CONFIG": file}, nil, `"yaml" is not text or json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"CASELEDGER_DATA": dir}
			for k, v := range tt.env {
				env[k] = v
			}
			_, err := run(t, env, append([]string{"verify"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %s", err, tt.wantErr)
			}
		})
	}
}

func TestVersionAndUsage(t *testing.T) {
	out, err := run(t, nil, "version")
	if err != nil || !strings.HasPrefix(out, "caseledger ") {
		t.Errorf("version = %q, %v", out, err)
	}
	if _, err := run(t, nil, "launch"); err == nil {
		t.Errorf("an unknown command succeeded")
	}
	if _, err := run(t, nil, "serve", "--help"); err != nil {
		t.Errorf("serve --help: %v", err)
	}
}

// mustBecomeReady waits until /readyz answers 200: the read models catch
// up in the background. The deadline is generous; the test asserts that
// readiness comes, not how fast.
func mustBecomeReady(tb testing.TB, url string) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		status, body := call(tb, http.MethodGet, url+"/readyz", "", "")
		if status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("/readyz still %d after a minute: %s", status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
