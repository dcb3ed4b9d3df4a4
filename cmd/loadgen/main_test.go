package main_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	main "github.com/caseledger/caseledger/cmd/loadgen"
)

// run runs one command line and returns its standard output and error
// output.
func run(tb testing.TB, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	m := main.NewMain(args)
	m.Stdout, m.Stderr = &out, &errOut
	err = m.Run(context.Background())
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), errOut.String(), err
}

// tiny is a run small enough for every test run: 300 cases (the seeded
// history leaves 4 items open) and phases of a second.
func tiny(data string, extra ...string) []string {
	return append([]string{"-data", data, "-cases", "300", "-warmup", "200ms", "-duration", "1s", "-concurrency", "8"}, extra...)
}

// requests reads how many requests a phase's summary line reports.
func requests(tb testing.TB, out string, phase string) int {
	tb.Helper()
	m := regexp.MustCompile(`(?m)^` + phase + `: (\d+) requests .* (\d+) errors`).FindStringSubmatch(out)
	if m == nil {
		tb.Fatalf("no %s line in the report:\n%s", phase, out)
	}
	if m[2] != "0" {
		tb.Errorf("%s: %s errors, want 0:\n%s", phase, m[2], out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestRunGeneratesAStoreAndLoadsItWithoutErrors(t *testing.T) {
	data := t.TempDir()
	profile := filepath.Join(t.TempDir(), "cpu")
	out, stderr, err := run(t, tiny(data, "-cpuprofile", profile)...)
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, out, stderr)
	}
	if !strings.Contains(out, "store: generated 300 cases") {
		t.Errorf("the report does not say the store was generated:\n%s", out)
	}
	for _, phase := range []string{"status", "commands"} {
		if got := requests(t, out, phase); got == 0 {
			t.Errorf("%s: 0 requests measured, want some", phase)
		}
		if !strings.Contains(out, "| "+phase+" |") {
			t.Errorf("the table has no %s row:\n%s", phase, out)
		}
		fi, err := os.Stat(profile + "." + phase)
		if err != nil || fi.Size() == 0 {
			t.Errorf("CPU profile of %s: %v, want a non-empty file", phase, err)
		}
	}

	// A second run on the same store acts again on the same open items:
	// the first run's steps left them open, and new Idempotency-Keys make
	// every command a new decision rather than a replay. It runs without
	// the read models, the way large stores are measured.
	out, stderr, err = run(t, tiny(data, "-reuse", "-phases", "commands", "-views=false")...)
	if err != nil {
		t.Fatalf("reuse run: %v\n%s%s", err, out, stderr)
	}
	if !strings.Contains(out, "store: reusing") {
		t.Errorf("the reuse run does not say it reused the store:\n%s", out)
	}
	if got := requests(t, out, "commands"); got == 0 {
		t.Errorf("reuse run: 0 commands measured, want some")
	}
}

func TestRunRefusesWhatItCannotMeasure(t *testing.T) {
	full := t.TempDir()
	if _, _, err := run(t, tiny(full, "-phases", "status", "-duration", "100ms", "-warmup", "0s")...); err != nil {
		t.Fatalf("preparing a store: %v", err)
	}
	tests := []struct {
		name string
		args []string
		want string // in the error or the error output
	}{
		{"reuse of an empty directory", tiny(t.TempDir(), "-reuse"), "holds no store"},
		{"a full directory without reuse", tiny(full), "pass -reuse"},
		{"an unknown phase", tiny(t.TempDir(), "-phases", "status,writes"), `unknown phase "writes"`},
		{"no cases", []string{"-data", t.TempDir(), "-cases", "0"}, "must be positive"},
		{"no measured time", []string{"-data", t.TempDir(), "-duration", "0s"}, "-duration must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := run(t, tt.args...)
			if err == nil {
				t.Fatalf("run succeeded, want an error:\n%s", out)
			}
			if got := err.Error() + "\n" + stderr; !strings.Contains(got, tt.want) {
				t.Errorf("error %q, want it to mention %q", got, tt.want)
			}
		})
	}
}
