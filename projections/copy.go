package projections

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// copyDirRE parses a copy's directory name (invariant 1).
var copyDirRE = regexp.MustCompile(`^([a-z][a-z0-9_]*)-v([0-9]+)\.([0-9]+)$`)

// copyID names one copy of a projection on disk.
type copyID struct {
	name       string
	version    int
	generation int
}

func (id copyID) dir() string {
	return fmt.Sprintf("%s-v%d.%d", id.name, id.version, id.generation)
}

func parseCopyDir(s string) (copyID, bool) {
	m := copyDirRE.FindStringSubmatch(s)
	if m == nil {
		return copyID{}, false
	}
	v, err1 := strconv.Atoi(m[2])
	g, err2 := strconv.Atoi(m[3])
	if err1 != nil || err2 != nil {
		return copyID{}, false
	}
	return copyID{name: m[1], version: v, generation: g}, true
}

// dbCopy is one open copy: a Pebble database holding a projection's state
// and its checkpoint (invariants 2 and 3).
type dbCopy struct {
	id   copyID
	path string
	db   *pebble.DB

	position atomic.Uint64 // last committed checkpoint
	live     atomic.Bool

	// readers counts reads in flight, so a retired copy is closed only once
	// the last of them is done (invariant 7).
	mu      sync.Mutex
	readers int
	retired bool
	idle    chan struct{} // closed when retired and readers reaches 0
}

func openCopy(path string, id copyID, cache *pebble.Cache, log *slog.Logger) (*dbCopy, error) {
	opts := &pebble.Options{
		Cache:  cache,
		Logger: pebbleLogger{log.With("copy", id.dir())},
		// A batch rewrites every object it touched, and cases come back
		// batch after batch: in a large memtable most rewrites replace one
		// another before a flush, so far less reaches the disk and the
		// compactions. Memtables start small and grow only when filled.
		MemTableSize: 64 << 20,
		// No write-ahead log: the event store is the durable record, and
		// a copy that loses its memtable in a crash resumes from its last
		// flushed checkpoint (invariant 4). Under command load the log
		// was half the disk's writes (every commit rewrites the objects
		// it touched), and its writeback made the store's fsyncs wait.
		DisableWAL: true,
	}
	// The first event of a case looks up a key that does not exist yet;
	// without filters that reads a block of every level.
	for i := range opts.Levels {
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(path, opts)
	if err != nil {
		return nil, fmt.Errorf("projections: open copy %s: %w", id.dir(), err)
	}
	c := &dbCopy{id: id, path: path, db: db}
	v, ok, err := get(db, keyCheckpoint)
	if err != nil {
		db.Close()
		return nil, err
	}
	if ok {
		if len(v) != 8 {
			db.Close()
			return nil, fmt.Errorf("projections: copy %s: corrupt checkpoint", id.dir())
		}
		c.position.Store(binary.BigEndian.Uint64(v))
	}
	_, live, err := get(db, keyLive)
	if err != nil {
		db.Close()
		return nil, err
	}
	c.live.Store(live)
	return c, nil
}

// markLive records that the copy serves reads, so a restart prefers it.
func (c *dbCopy) markLive() error {
	// With no write-ahead log only a flush makes the mark durable.
	if err := c.db.Set(keyLive, nil, pebble.NoSync); err != nil {
		return fmt.Errorf("projections: mark %s live: %w", c.id.dir(), err)
	}
	if err := c.flush(); err != nil {
		return err
	}
	c.live.Store(true)
	return nil
}

// acquire registers a reader; it fails once the copy is retired.
func (c *dbCopy) acquire() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.retired {
		return false
	}
	c.readers++
	return true
}

func (c *dbCopy) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readers--
	if c.retired && c.readers == 0 {
		close(c.idle)
	}
}

// retire refuses new readers and returns a channel closed when the last
// reader is done.
func (c *dbCopy) retire() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.retired {
		c.retired = true
		c.idle = make(chan struct{})
		if c.readers == 0 {
			close(c.idle)
		}
	}
	return c.idle
}

// view takes a snapshot and reads the checkpoint it holds.
func (c *dbCopy) view(fn func(*View) error) error {
	snap := c.db.NewSnapshot()
	defer snap.Close()
	v := &View{r: snap, version: c.id.version}
	b, ok, err := get(snap, keyCheckpoint)
	if err != nil {
		return err
	}
	if ok && len(b) == 8 {
		v.position = binary.BigEndian.Uint64(b)
	}
	return fn(v)
}

// flush writes the memtable out. Copies keep no write-ahead log
// (openCopy), so what a copy holds only in memory is folded again from the
// store after a crash; Close flushes so that a restart does not wait for
// that. Invariant 4 does not depend on it.
func (c *dbCopy) flush() error {
	if err := c.db.Flush(); err != nil {
		return fmt.Errorf("projections: flush copy %s: %w", c.id.dir(), err)
	}
	return nil
}

func (c *dbCopy) close() error {
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("projections: close copy %s: %w", c.id.dir(), err)
	}
	return nil
}

func (c *dbCopy) remove() error {
	err := c.close()
	if rmErr := os.RemoveAll(c.path); rmErr != nil && err == nil {
		err = fmt.Errorf("projections: remove copy %s: %w", c.id.dir(), rmErr)
	}
	return err
}

// listCopies returns the copies of name found in dir.
func listCopies(dir, name string) ([]copyID, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("projections: list %s: %w", dir, err)
	}
	var ids []copyID
	for _, e := range entries {
		if id, ok := parseCopyDir(e.Name()); ok && e.IsDir() && id.name == name {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func copyPath(dir string, id copyID) string { return filepath.Join(dir, id.dir()) }

// pebbleLogger sends Pebble's messages to slog; its informational chatter
// (compactions, flushes) goes to debug. Fatalf keeps Pebble's contract of not
// returning.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
