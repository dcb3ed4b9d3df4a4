package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewMem()
	s, err := embedded.Open("/db", embedded.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	streams := []string{"case-a", "case-b", "notice-1"}
	for i := range 30 {
		MustAppend(t, s, streams[i%3], eventstore.Any, newEvent("Filed", i), newEvent("Noted", i))
	}
	before := MustReadAll(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = MustOpen(t, fs, "/db")
	after := MustReadAll(t, s)
	if got, want := len(after), len(before); got != want {
		t.Fatalf("after reopen %d events, want %d", got, want)
	}
	for i := range before {
		if got, want := after[i].Hash, before[i].Hash; got != want {
			t.Fatalf("event %d hash changed across reopen", i)
		}
	}
	checkLog(t, after)
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := head, uint64(60); got != want {
		t.Fatalf("head %d, want %d", got, want)
	}
	// The heads are reloaded from disk: appends continue each chain.
	res := MustAppend(t, s, "case-a", eventstore.Exact(19), newEvent("Closed", 0))
	if got, want := res.FirstPosition, uint64(61); got != want {
		t.Fatalf("first position after reopen %d, want %d", got, want)
	}
	checkLog(t, MustReadAll(t, s))
}

func TestSecondOpenFailsWithErrLocked(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   vfs.FS
		dir  string
	}{
		{"memory", vfs.NewMem(), "/db"},
		{"disk", vfs.Default, t.TempDir()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			MustOpen(t, tc.fs, tc.dir)
			_, err := embedded.Open(tc.dir, embedded.Options{FS: tc.fs})
			if !errors.Is(err, embedded.ErrLocked) {
				t.Fatalf("second open: got %v, want ErrLocked", err)
			}
			if got := err.Error(); !strings.Contains(got, tc.dir) {
				t.Fatalf("error %q does not name the directory %s", got, tc.dir)
			}
		})
	}
}

// lockChildEnv names the directory TestLockHelperProcess opens when the
// test binary runs as the child of TestSecondOpenFromAnotherProcessFails.
const lockChildEnv = "CASELEDGER_LOCK_CHILD_DIR"

func TestSecondOpenFromAnotherProcessFails(t *testing.T) {
	dir := t.TempDir()
	MustOpen(t, vfs.Default, dir)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	if got, want := string(out), "locked: "+dir; !strings.Contains(got, want) {
		t.Fatalf("child said %q, want it to report %q", got, want)
	}
}

// TestLockHelperProcess is the child of TestSecondOpenFromAnotherProcessFails:
// it opens the directory the parent holds and reports what happened.
func TestLockHelperProcess(t *testing.T) {
	dir := os.Getenv(lockChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestSecondOpenFromAnotherProcessFails")
	}
	s, err := embedded.Open(dir, embedded.Options{})
	switch {
	case err == nil:
		s.Close()
		fmt.Println("opened a directory another process holds")
	case errors.Is(err, embedded.ErrLocked) && strings.Contains(err.Error(), dir):
		fmt.Println("locked: " + dir)
	default:
		fmt.Println("unexpected error:", err)
	}
}
