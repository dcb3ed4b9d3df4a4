package embedded

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// segment is one file of the log. Offsets in the log are global: a
// segment's file holds the log's bytes from start on, and its name is start
// (invariant 10).
type segment struct {
	start int64
	f     vfs.File
	// written is the log offset just past the last frame written into the
	// file; the syncer reads it before an fsync to know what the fsync
	// covers.
	written atomic.Int64
	// zeroed is the file offset up to which the file holds written bytes,
	// frames or zeros: writes below it overwrite blocks the file system
	// has already allocated. Open sets it; then only the writer uses it.
	zeroed int64
}

// segmentLog is the set of segment files. The list is replaced, never
// changed, so readers take it without a lock.
type segmentLog struct {
	fs   vfs.FS
	dir  string
	segs atomic.Pointer[[]*segment]
}

const segmentSuffix = ".log"

func segmentName(start int64) string { return fmt.Sprintf("%020d%s", start, segmentSuffix) }

// openSegments opens every segment file in dir, oldest first, creating the
// first one in an empty directory.
func openSegments(fs vfs.FS, dir string) (*segmentLog, error) {
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	names, err := fs.List(dir)
	if err != nil {
		return nil, err
	}
	l := &segmentLog{fs: fs, dir: dir}
	var segs []*segment
	for _, name := range names {
		digits, ok := strings.CutSuffix(name, segmentSuffix)
		if !ok {
			continue
		}
		start, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || segmentName(start) != name {
			return nil, fmt.Errorf("%w: unexpected log file %s", errCorrupt, name)
		}
		f, err := fs.OpenReadWrite(fs.PathJoin(dir, name), vfs.WriteCategoryUnspecified)
		if err != nil {
			closeSegments(segs)
			return nil, err
		}
		segs = append(segs, &segment{start: start, f: f})
	}
	slices.SortFunc(segs, func(a, b *segment) int { return int(a.start - b.start) })
	l.segs.Store(&segs)
	if len(segs) == 0 {
		if _, err := l.create(0); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// create adds a new, empty last segment starting at start and makes its
// directory entry durable.
func (l *segmentLog) create(start int64) (*segment, error) {
	f, err := l.fs.Create(l.fs.PathJoin(l.dir, segmentName(start)), vfs.WriteCategoryUnspecified)
	if err != nil {
		return nil, err
	}
	if err := syncDir(l.fs, l.dir); err != nil {
		f.Close()
		return nil, err
	}
	seg := &segment{start: start, f: f}
	seg.written.Store(start)
	segs := append(slices.Clone(*l.segs.Load()), seg)
	l.segs.Store(&segs)
	return seg, nil
}

func (l *segmentLog) last() *segment {
	segs := *l.segs.Load()
	return segs[len(segs)-1]
}

// find returns the segment holding off and the offset where the next one
// starts (or the maximum for the last).
func (l *segmentLog) find(off int64) (*segment, int64) {
	segs := *l.segs.Load()
	i, found := slices.BinarySearchFunc(segs, off, func(s *segment, off int64) int {
		return cmp.Compare(s.start, off)
	})
	if !found {
		i--
	}
	if i < 0 {
		return nil, 0
	}
	limit := int64(1<<63 - 1)
	if i+1 < len(segs) {
		limit = segs[i+1].start
	}
	return segs[i], limit
}

// readAt fills p from the log at off; p must lie within one segment.
func (l *segmentLog) readAt(p []byte, off int64) error {
	seg, limit := l.find(off)
	if seg == nil || off+int64(len(p)) > limit {
		return fmt.Errorf("%w: log range %d+%d crosses a segment", errCorrupt, off, len(p))
	}
	n, err := seg.f.ReadAt(p, off-seg.start)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = fmt.Errorf("%w: log range %d+%d is past the end of its segment", errCorrupt, off, len(p))
	}
	return err
}

func (l *segmentLog) close() error { return closeSegments(*l.segs.Load()) }

func closeSegments(segs []*segment) error {
	var first error
	for _, s := range segs {
		if err := s.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// syncDir makes dir's entries durable: a new file is not there after a
// crash until its directory is synced.
func syncDir(fs vfs.FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
