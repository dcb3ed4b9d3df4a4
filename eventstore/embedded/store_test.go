package embedded_test

import (
	"context"
	"errors"
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
