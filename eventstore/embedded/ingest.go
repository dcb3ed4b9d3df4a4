package embedded

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/google/uuid"
)

// ingestPrefix names the tables the flusher writes into the index directory
// before pebble takes them in. Pebble links an ingested table under a name
// of its own and then removes this one, so a file still bearing the prefix
// was never ingested (or was, and the crash came before its old name went):
// Open removes it either way, and the log still holds everything it held.
const ingestPrefix = "caseledger-pending-"

// ingest writes p into the index as one sorted table and has pebble take
// it in whole (see "Index" in the package comment). The entries are sorted
// here, where their shapes are known, rather than by pebble's generic
// comparator, and they skip pebble's memtable and flush altogether.
func (s *Store) ingest(p *pendingIndex) error {
	fs := s.opts.FS
	path := fs.PathJoin(s.dir, indexDir, fmt.Sprintf("%s%020d.sst", ingestPrefix, p.tip.pos))
	if err := s.writeTable(path, p); err != nil {
		_ = fs.Remove(path)
		return fmt.Errorf("write index table: %w", err)
	}
	if err := s.db.Ingest(context.Background(), []string{path}); err != nil {
		_ = fs.Remove(path)
		return fmt.Errorf("ingest index table: %w", err)
	}
	// Pebble linked the table under its own name and removed this one.
	return nil
}

// writeTable writes p's entries, in key order, to a new table at path and
// syncs it. Key prefixes order the kinds: frames ('f'), the tip ('h'),
// IDs ('i'), streams ('s').
func (s *Store) writeTable(path string, p *pendingIndex) error {
	f, err := s.opts.FS.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	w := sstable.NewWriter(objstorageprovider.NewFileWritable(f), s.tableOpts)
	key := make([]byte, 0, 64)
	val := make([]byte, 0, locSize)
	set := func() error { return w.Set(key, val) }
	err = func() error {
		for _, fr := range p.frames {
			key, val = appendFrameKey(key[:0], fr.first), appendSpan(val[:0], fr.sp)
			if err := set(); err != nil {
				return err
			}
		}
		key, val = append(key[:0], tipKey...), appendTip(val[:0], p.tip)
		if err := set(); err != nil {
			return err
		}
		for _, e := range sortedIDs(p.ids) {
			key, val = appendIDKey(key[:0], e.id), appendLoc(val[:0], e.l)
			if err := set(); err != nil {
				return err
			}
		}
		// Stream keys order as their names do: a name that is a prefix
		// of another ends in 0x00, below any printable byte (keys.go).
		streams := make([]string, 0, len(p.streams))
		for stream := range p.streams {
			streams = append(streams, stream)
		}
		slices.SortFunc(streams, strings.Compare)
		for _, stream := range streams {
			for _, e := range p.streams[stream] {
				key, val = appendStreamKey(key[:0], stream, e.version), appendLoc(val[:0], e.l)
				if err := set(); err != nil {
					return err
				}
			}
		}
		return nil
	}()
	if err != nil {
		w.Close()
		return err
	}
	// Close finishes the table and syncs it before pebble may link it.
	return w.Close()
}

// sortedIDs returns ids' entries in key order.
func sortedIDs(ids map[uuid.UUID]loc) []idEntry {
	out := make([]idEntry, 0, len(ids))
	for id, l := range ids {
		out = append(out, idEntry{id: id, l: l})
	}
	slices.SortFunc(out, func(a, b idEntry) int { return bytes.Compare(a.id[:], b.id[:]) })
	return out
}

// removeIngestLeftovers removes the tables a crash left before (or just
// after) pebble took them in; see ingestPrefix.
func removeIngestLeftovers(fs vfs.FS, dir string) error {
	names, err := fs.List(dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		if strings.HasPrefix(name, ingestPrefix) {
			if err := fs.Remove(fs.PathJoin(dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// tableWriterOptions are the options of the tables the flusher writes: the
// ones pebble would use for a table of its own at L0, in the newest format
// the index takes.
func tableWriterOptions(po *pebble.Options, db *pebble.DB) sstable.WriterOptions {
	return po.MakeWriterOptions(0, db.TableFormat())
}
