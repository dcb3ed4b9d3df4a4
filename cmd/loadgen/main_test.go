package main_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// generated is one store generated for the tests that only reuse a store
// (generating one is most of a tiny run under -race); mustStore copies it.
var generated struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if generated.dir != "" {
		os.RemoveAll(generated.dir)
	}
	os.Exit(code)
}

// mustStore returns a fresh data directory holding a copy of the tests'
// generated 300-case store and its case list.
func mustStore(t *testing.T) string {
	t.Helper()
	generated.once.Do(func() {
		if generated.dir, generated.err = os.MkdirTemp("", "loadgen-test-store"); generated.err != nil {
			return
		}
		_, _, generated.err = run(t, tiny(generated.dir, "-phases", "status", "-duration", "100ms", "-warmup", "0s", "-views=false")...)
	})
	if generated.err != nil {
		t.Fatalf("generating the tests' store: %v", generated.err)
	}
	data := filepath.Join(t.TempDir(), "data")
	if err := os.CopyFS(data, os.DirFS(generated.dir)); err != nil {
		t.Fatal(err)
	}
	return data
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
	if !regexp.MustCompile(`(?m)^  the server's appends: [1-9]\d*, mean \d+\.\d\d ms each`).MatchString(out) {
		t.Errorf("the report does not give the server's appends during the command phase:\n%s", out)
	}
	if !strings.Contains(out, "status: primed the server with each of the 300 cases once") {
		t.Errorf("the report does not say the server was primed:\n%s", out)
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
	// The first run's commands appended after the list's head.
	if !strings.Contains(out, "cases: 300, listed in") || !strings.Contains(out, "(from cases.tsv and the log after position") {
		t.Errorf("the reuse run does not list the 300 cases from the file the first run wrote:\n%s", out)
	}
	if got := requests(t, out, "commands"); got == 0 {
		t.Errorf("reuse run: 0 commands measured, want some")
	}
}

func TestReuseListsTheCasesByScanningWhenTheListIsMissingOrStale(t *testing.T) {
	data := mustStore(t)
	list := filepath.Join(data, "cases.tsv")
	written, err := os.ReadFile(list)
	if err != nil {
		t.Fatalf("the case list: %v", err)
	}
	tests := []struct {
		name  string
		list  string // the file's content before the run; "" removes it
		scans bool
	}{
		{"the list as written", string(written), false},
		{"no list", "", true},
		{"a list of a larger store", "head 99999999\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.list == "" {
				os.Remove(list)
			} else if err := os.WriteFile(list, []byte(tt.list), 0o600); err != nil {
				t.Fatal(err)
			}
			out, stderr, err := run(t, tiny(data, "-reuse", "-phases", "status", "-duration", "100ms", "-warmup", "0s", "-views=false")...)
			if err != nil {
				t.Fatalf("run: %v\n%s%s", err, out, stderr)
			}
			if got, want := strings.Contains(out, "(scanning the whole log)"), tt.scans; got != want {
				t.Errorf("scanned the whole log: got %v, want %v:\n%s", got, want, out)
			}
			if !strings.Contains(out, "cases: 300, listed in") {
				t.Errorf("the run does not list 300 cases:\n%s", out)
			}
			// A scan lists the cases in log order, the generator in
			// submission order; concurrent appends make them differ.
			got, err := os.ReadFile(list)
			if err != nil || !slices.Equal(sortedLines(got), sortedLines(written)) {
				t.Errorf("the case list after the run holds other lines than the first one written (%v)", err)
			}
		})
	}
}

func TestAnOpenLoopSendsNoMoreThanItsRate(t *testing.T) {
	out, stderr, err := run(t, tiny(mustStore(t), "-reuse", "-status-rate", "200", "-command-rate", "100", "-views=false")...)
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, out, stderr)
	}
	// Each connection's schedule holds at most one request more than its
	// share of the rate over the measured second.
	for _, tt := range []struct {
		phase string
		rate  int
	}{{"status", 200}, {"commands", 100}} {
		got := requests(t, out, tt.phase)
		if limit := tt.rate + 8; got == 0 || got > limit {
			t.Errorf("%s: %d requests measured, want 1 to %d", tt.phase, got, limit)
		}
		if want := fmt.Sprintf("| %s | %d/s offered |", tt.phase, tt.rate); !strings.Contains(out, want) {
			t.Errorf("the table has no row starting %q:\n%s", want, out)
		}
	}
}

func TestRunRefusesWhatItCannotMeasure(t *testing.T) {
	full := mustStore(t)
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
		{"a negative rate", []string{"-data", t.TempDir(), "-command-rate", "-5"}, "must not be negative"},
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

func sortedLines(b []byte) []string {
	lines := strings.Split(string(b), "\n")
	slices.Sort(lines)
	return lines
}
