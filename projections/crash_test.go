package projections_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
)

// crashChildEnv names the data directory when the test binary runs as the
// child that is killed.
const crashChildEnv = "CASELEDGER_PROJECTIONS_CRASH_DIR"

// TestCrashChild is the child's body: it appends and projects until killed.
// Run directly, without the environment variable, it does nothing.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestKilledProcessResumesExactly")
	}
	store, err := embedded.Open(filepath.Join(dir, "store"), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := projections.Open(store, filepath.Join(dir, "views"), projections.Options{BatchSize: 37}, &counter{name: "counter", version: 1})
	if err != nil {
		t.Fatal(err)
	}
	for {
		pos := MustAppend(t, store, 13, 20, "Noted")
		// Some waits, so the projection keeps up and commits often.
		if pos%3 == 0 {
			MustWait(t, r, "counter", pos)
		}
		if pos > 1_000_000 {
			return
		}
	}
}

// TestKilledProcessResumesExactly kills a process that appends and projects
// at arbitrary moments, then checks that the reopened projection holds every
// event exactly once: the counter fails on a repeated or skipped version,
// and its total must equal the log's length.
func TestKilledProcessResumesExactly(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("this is the child")
	}
	dir := t.TempDir()
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it run a varying while; the kill lands wherever it lands.
		time.Sleep(time.Duration(300+round*200) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		store, err := embedded.Open(filepath.Join(dir, "store"), embedded.Options{})
		if err != nil {
			t.Fatal(err)
		}
		head, err := store.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r, err := projections.Open(store, filepath.Join(dir, "views"), projections.Options{}, &counter{name: "counter", version: 1})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := MustTotal(t, r, "counter", head)
		r.Close()
		store.Close()
		if got != head {
			t.Fatalf("round %d: total after the kill = %d, want %d (every event once)", round, got, head)
		}
		t.Logf("round %d: %s events, all folded once", round, strconv.FormatUint(head, 10))
	}
}
