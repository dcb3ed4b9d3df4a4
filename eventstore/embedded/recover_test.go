package embedded_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// appendSome appends n two-event appends round-robin to a few streams and
// returns the appends' events by stream, in order.
func appendSome(t *testing.T, s eventstore.Store, n int) map[string][][]eventstore.EventData {
	t.Helper()
	byStream := map[string][][]eventstore.EventData{}
	for i := range n {
		stream := fmt.Sprintf("case-%d", i%7)
		evs := []eventstore.EventData{newEvent("Filed", i), newEvent("Noted", i)}
		MustAppend(t, s, stream, eventstore.Any, evs...)
		byStream[stream] = append(byStream[stream], evs)
	}
	return byStream
}

// segmentFiles lists the log's segment files of the store in dir, oldest
// first.
func segmentFiles(t *testing.T, fs vfs.FS, dir string) []string {
	t.Helper()
	names, err := fs.List(fs.PathJoin(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	for i := range names {
		names[i] = fs.PathJoin(dir, "log", names[i])
	}
	return names
}

// TestOpenIndexesTheLogAfterAPowerLoss loses everything not synced: the
// index keeps no WAL, so what it had only in memory is gone, and Open must
// index it again from the log, across segments, before it serves.
func TestOpenIndexesTheLogAfterAPowerLoss(t *testing.T) {
	ctx := context.Background()
	fs := vfs.NewCrashableMem()
	opts := embedded.Options{FS: fs, SegmentSize: 4 << 10}
	s, err := embedded.Open("/db", opts)
	if err != nil {
		t.Fatal(err)
	}
	byStream := appendSome(t, s, 150)
	want := MustReadAll(t, s)
	image := fs.CrashClone(vfs.CrashCloneCfg{})
	s.Close()

	opts.FS = image
	r := MustOpenWith(t, "/db", opts)
	got := MustReadAll(t, r)
	if len(got) != len(want) {
		t.Fatalf("after the power loss the log holds %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Hash != want[i].Hash {
			t.Fatalf("position %d differs after the power loss", want[i].Position)
		}
	}
	for stream, appends := range byStream {
		evs, err := r.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatalf("read %s: %v", stream, err)
		}
		if got, want := len(evs), 2*len(appends); got != want {
			t.Fatalf("%s holds %d events, want %d", stream, got, want)
		}
		// The ID index was rebuilt too: a retried append is recognised.
		res, err := r.Append(ctx, stream, eventstore.Exact(0), appends[0]...)
		if err != nil {
			t.Fatalf("retry of the first append to %s: %v", stream, err)
		}
		if got, want := res.FirstPosition, evs[0].Position; got != want {
			t.Fatalf("retry of the first append to %s answered position %d, want %d", stream, got, want)
		}
	}
	// The heads were rebuilt: the chains go on.
	MustAppend(t, r, "case-0", eventstore.StreamExists, newEvent("Closed", 0))
	checkLog(t, MustReadAll(t, r))
	if _, err := eventstore.Verify(ctx, r, eventstore.VerifyOptions{GaplessPositions: true}); err != nil {
		t.Fatal(err)
	}
}

// TestOpenDropsATornTail writes what a crash in the middle of a write
// leaves at the end of the log: the start of a frame. Open must keep every
// whole frame, drop the rest, and go on appending where the whole frames
// end, and a later Open must not mistake the dropped bytes for a frame.
func TestOpenDropsATornTail(t *testing.T) {
	for _, tail := range []struct {
		name  string
		bytes []byte
	}{
		{"a frame header promising more than there is", []byte{0xCA, 0x5E, 0x1E, 0xD6, 1, 2, 3, 4, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 'x'}},
		{"garbage", []byte(strings.Repeat("torn write ", 40))},
		{"half a magic number", []byte{0xCA, 0x5E}},
	} {
		for _, where := range []struct {
			name string
			off  func(t *testing.T, fs vfs.FS, path string) int64
		}{
			{"right after the last frame", logEnd},
			{"after the zeros the writer wrote ahead", fileSize},
		} {
			t.Run(tail.name+" "+where.name, func(t *testing.T) {
				fs := vfs.NewMem()
				s := MustOpen(t, fs, "/db")
				appendSome(t, s, 20)
				want := MustReadAll(t, s)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				segs := segmentFiles(t, fs, "/db")
				last := segs[len(segs)-1]
				writeAt(t, fs, last, where.off(t, fs, last), tail.bytes)

				r, err := embedded.Open("/db", embedded.Options{FS: fs})
				if err != nil {
					t.Fatalf("open after a torn write: %v", err)
				}
				if got := MustReadAll(t, r); len(got) != len(want) {
					t.Fatalf("after a torn write the log holds %d events, want %d", len(got), len(want))
				}
				res := MustAppend(t, r, "case-new", eventstore.NoStream, newEvent("Filed", 0))
				if got, want := res.FirstPosition, uint64(len(want)+1); got != want {
					t.Fatalf("the next append got position %d, want %d", got, want)
				}
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
				again := MustOpen(t, fs, "/db")
				all := MustReadAll(t, again)
				if got, want := len(all), len(want)+1; got != want {
					t.Fatalf("after a second reopen the log holds %d events, want %d", got, want)
				}
				checkLog(t, all)
			})
		}
	}
}

// appendTo writes b at the end of the file at path.
func appendTo(t *testing.T, fs vfs.FS, path string, b []byte) {
	t.Helper()
	f, err := fs.OpenReadWrite(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	writeAt(t, fs, path, st.Size(), b)
}

// TestOpenRefusesDamage opens directories that no crash can produce and
// wants a clear error, not a store that serves less than was acknowledged.
func TestOpenRefusesDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, fs vfs.FS)
		want   string
	}{
		{
			"a log shorter than its index",
			func(t *testing.T, fs vfs.FS) {
				segs := segmentFiles(t, fs, "/db")
				last := segs[len(segs)-1]
				copyPrefix(t, fs, last, logEnd(t, fs, last)-10)
			},
			"the index reaches log offset",
		},
		{
			"a missing segment",
			func(t *testing.T, fs vfs.FS) {
				segs := segmentFiles(t, fs, "/db")
				if err := fs.Remove(segs[0]); err != nil {
					t.Fatal(err)
				}
			},
			"first segment starts at",
		},
		{
			"the layout of version 1",
			func(t *testing.T, fs vfs.FS) {
				f, err := fs.Create("/db/CURRENT", vfs.WriteCategoryUnspecified)
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
			},
			"v1 layout",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMem()
			s, err := embedded.Open("/db", embedded.Options{FS: fs, SegmentSize: 1 << 10})
			if err != nil {
				t.Fatal(err)
			}
			appendSome(t, s, 20)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			tc.damage(t, fs)
			r, err := embedded.Open("/db", embedded.Options{FS: fs})
			if err == nil {
				r.Close()
				t.Fatalf("a directory with %s opened", tc.name)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("open: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// copyPrefix replaces the file at path with its first n bytes.
func copyPrefix(t *testing.T, fs vfs.FS, path string, n int64) {
	t.Helper()
	src, err := fs.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	_, err = src.ReadAt(b, 0)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	dst, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := dst.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestOpenDoesNotResurrectAFrameBehindATornOne damages the second-to-last
// frame, as a power loss does when it keeps a later block and not an earlier
// one. Open drops both frames; the next append then writes a frame of the
// same length in the same place, so the dropped last frame sits right after
// it and starts at the next position. A later Open must not take it back.
func TestOpenDoesNotResurrectAFrameBehindATornOne(t *testing.T) {
	crashable := vfs.NewCrashableMem()
	s, err := embedded.Open("/db", embedded.Options{FS: crashable})
	if err != nil {
		t.Fatal(err)
	}
	appendSome(t, s, 5)
	// Two appends of the same size to the same stream: frames of the same
	// length.
	MustAppend(t, s, "case-x", eventstore.NoStream, newEvent("Filed", 1))
	MustAppend(t, s, "case-x", eventstore.Exact(0), newEvent("Filed", 2))
	all := MustReadAll(t, s)
	// A power loss: the index, which has no WAL, forgets all of it, and
	// Open replays the log from its start.
	fs := crashable.CrashClone(vfs.CrashCloneCfg{})
	s.Close()
	segs := segmentFiles(t, fs, "/db")
	last := segs[len(segs)-1]
	frameLen := frameLength(t, fs, last, all)
	flipByte(t, fs, last, logEnd(t, fs, last)-2*frameLen+40)

	r, err := embedded.Open("/db", embedded.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(MustReadAll(t, r)), len(all)-2; got != want {
		t.Fatalf("after the damage the log holds %d events, want %d", got, want)
	}
	MustAppend(t, r, "case-x", eventstore.NoStream, newEvent("Filed", 3))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	again := MustOpen(t, fs, "/db")
	got := MustReadAll(t, again)
	if len(got) != len(all)-1 {
		t.Fatalf("a later open holds %d events, want %d: the dropped frame came back", len(got), len(all)-1)
	}
	checkLog(t, got)
}

// frameLength is the length of the last frame in the segment at path, which
// holds one event of the same size as the one before: the difference of the
// file's size before and after it, found from the events' sizes.
func frameLength(t *testing.T, fs vfs.FS, path string, all []eventstore.RecordedEvent) int64 {
	t.Helper()
	// A frame is a 24-byte header, a one-byte record length, the record
	// and a 4-byte trailer: the record is a version byte, two length-prefixed names, version, ID,
	// recorded-at, hash, index, count, length-prefixed metadata, data.
	e := all[len(all)-1]
	rec := 1 + 1 + len(e.Stream) + 1 + len(e.Type) + 8 + 16 + 8 + 32 + 1 + 1 + 1 + len(e.Metadata) + len(e.Data)
	if rec >= 128 {
		rec++ // the record's length takes two bytes
	}
	return int64(24 + 1 + rec + 4)
}

// flipByte inverts the byte at off in the file at path.
func flipByte(t *testing.T, fs vfs.FS, path string, off int64) {
	t.Helper()
	f, err := fs.OpenReadWrite(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// TestOpenRemovesATableLeftBeforeItsIngestion leaves what a crash while the
// flusher writes a sealed index leaves in the index directory: a table
// pebble never took in, here half written. Open must remove it and index
// the events it held again from the log.
func TestOpenRemovesATableLeftBeforeItsIngestion(t *testing.T) {
	fs := vfs.NewMem()
	// A small memtable, so that sealed indexes are ingested as tables
	// while the appends go on.
	opts := embedded.Options{FS: fs, MemTableSize: 16 << 10}
	s := MustOpenWith(t, "/db", opts)
	appendSome(t, s, 200)
	want := MustReadAll(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	leftover := fs.PathJoin("/db", "index", "caseledger-pending-00000000000000999999.sst")
	appendTo(t, fs, leftover, []byte("half a table"))

	r := MustOpenWith(t, "/db", opts)
	if _, err := fs.Stat(leftover); err == nil {
		t.Fatalf("Open left %s in place", leftover)
	}
	MustAppend(t, r, "case-0", eventstore.StreamExists, newEvent("Closed", 0))
	got := MustReadAll(t, r)
	if len(got) != len(want)+1 {
		t.Fatalf("the log holds %d events, want %d", len(got), len(want)+1)
	}
	checkLog(t, got)
}
