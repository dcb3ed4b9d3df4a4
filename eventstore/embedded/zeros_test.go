package embedded_test

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// TestOpenKeepsTheZerosAheadOfTheLog checks the zeros the writer writes
// past the last frame, so that fsyncs overwrite blocks instead of growing
// the file: they are zeros, a clean Close leaves them, and Open neither
// rewrites nor reports them as a torn write.
func TestOpenKeepsTheZerosAheadOfTheLog(t *testing.T) {
	fs := vfs.NewMem()
	var logged bytes.Buffer
	opts := embedded.Options{FS: fs, Logger: slog.New(slog.NewTextHandler(&logged, nil))}
	s := MustOpenWith(t, "/db", opts)
	appendSome(t, s, 50)
	want := MustReadAll(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	segs := segmentFiles(t, fs, "/db")
	last := segs[len(segs)-1]
	end, size := logEnd(t, fs, last), fileSize(t, fs, last)
	if size <= end {
		t.Fatalf("the segment ends at its last frame (%d bytes): no zeros ahead", end)
	}
	f, err := fs.Open(last)
	if err != nil {
		t.Fatal(err)
	}
	tail := make([]byte, size-end)
	_, err = f.ReadAt(tail, end)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(tail, func(b byte) bool { return b != 0 }); i >= 0 {
		t.Fatalf("byte %d after the log is %#x, want zero", end+int64(i), tail[i])
	}

	r := MustOpenWith(t, "/db", opts)
	if strings.Contains(logged.String(), "torn") {
		t.Fatalf("Open reported the zeros as a torn write: %s", logged.String())
	}
	MustAppend(t, r, "case-new", eventstore.NoStream, newEvent("Filed", 0))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	got := MustReadAll(t, MustOpen(t, fs, "/db"))
	if len(got) != len(want)+1 {
		t.Fatalf("the log holds %d events, want %d", len(got), len(want)+1)
	}
	checkLog(t, got)
}

// writeAt writes b at off in the file at path.
func writeAt(t *testing.T, fs vfs.FS, path string, off int64, b []byte) {
	t.Helper()
	f, err := fs.OpenReadWrite(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// fileSize is the size of the file at path.
func fileSize(t *testing.T, fs vfs.FS, path string) int64 {
	t.Helper()
	st, err := fs.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// logEnd is the offset just past the last frame in the segment file at
// path: the writer's zeros may follow it (see "Log" in the package
// comment). It follows the frames' headers from the file's start (magic,
// checksum, body length, count, first position; a 4-byte trailer).
func logEnd(t *testing.T, fs vfs.FS, path string) int64 {
	t.Helper()
	f, err := fs.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var off int64
	h := make([]byte, 24)
	for {
		if _, err := f.ReadAt(h, off); err != nil || binary.BigEndian.Uint32(h) != 0xCA5E1ED6 {
			return off
		}
		off += 24 + int64(binary.BigEndian.Uint32(h[8:])) + 4
	}
}
