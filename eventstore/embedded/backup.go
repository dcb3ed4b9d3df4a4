package embedded

import (
	"context"
	"fmt"
	"io"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Backup writes a consistent copy of the store into dir, which must not
// exist, while appends go on. The copy holds every append acknowledged
// before Backup was called, and opens with Open.
//
// It checkpoints the index first and copies the log after, up to what the
// writer had written by then: the copy's log reaches at least as far as its
// index (invariant 2), and its Open indexes the rest. The log is copied up
// to the end of a whole frame, so it ends on an append boundary.
func (s *Store) Backup(ctx context.Context, dir string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	fs := s.opts.FS
	if _, err := fs.Stat(dir); err == nil {
		return fmt.Errorf("embedded: backup to %s: the directory exists", dir)
	}
	if err := s.backup(ctx, fs, dir); err != nil {
		return fmt.Errorf("embedded: backup to %s: %w", dir, err)
	}
	return nil
}

func (s *Store) backup(ctx context.Context, fs vfs.FS, dir string) error {
	if err := fs.MkdirAll(fs.PathJoin(dir, logDir), 0o755); err != nil {
		return err
	}
	// A flush first keeps what the copy's Open has to index short.
	if err := s.db.Flush(); err != nil {
		return err
	}
	if err := s.db.Checkpoint(fs.PathJoin(dir, indexDir)); err != nil {
		return err
	}
	segs := *s.log.segs.Load()
	end := segs[len(segs)-1].written.Load()
	for i, seg := range segs {
		if err := ctx.Err(); err != nil {
			return err
		}
		limit := end
		if i+1 < len(segs) {
			limit = segs[i+1].start
		}
		if err := copySegment(fs, fs.PathJoin(dir, logDir, segmentName(seg.start)), seg.f, limit-seg.start); err != nil {
			return err
		}
	}
	if err := syncDir(fs, fs.PathJoin(dir, logDir)); err != nil {
		return err
	}
	return syncDir(fs, dir)
}

// copySegment copies the first n bytes of src into a new file at path and
// syncs it.
func copySegment(fs vfs.FS, path string, src vfs.File, n int64) error {
	dst, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, io.NewSectionReader(src, 0, n))
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}
