package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
)

// ErrLocked: another Store, in this process or another, has the directory
// open.
var ErrLocked = errors.New("embedded: directory is locked by another store")

// Defaults for the tuning knobs; the package comment ("Tuning") says how
// they were chosen.
const (
	DefaultMemTableSize   = 64 << 20
	DefaultBlockCacheSize = 256 << 20
	DefaultMaxGroupSize   = 1024
	DefaultHeadCacheSize  = 1 << 18
	DefaultSegmentSize    = 256 << 20
)

// Options configure Open. The zero value is ready for production use.
type Options struct {
	// FS is the file system; nil means the disk.
	FS vfs.FS
	// Clock gives recorded-at times; nil means time.Now. Times are stored in
	// UTC with nanosecond precision.
	Clock func() time.Time
	// Logger receives the store's and pebble's log lines; nil discards them.
	Logger *slog.Logger

	// MemTableSize is the index's memtable size in bytes
	// (DefaultMemTableSize).
	MemTableSize uint64
	// BlockCacheSize is the size of the index's block cache in bytes
	// (DefaultBlockCacheSize); the log is read through the OS page cache.
	BlockCacheSize int64
	// SegmentSize is the size in bytes past which the log starts a new
	// segment file (DefaultSegmentSize).
	SegmentSize int64
	// MaxGroupSize bounds how many appends one group commit takes
	// (DefaultMaxGroupSize).
	MaxGroupSize int
	// HeadCacheSize bounds how many stream heads the writer keeps in memory
	// (DefaultHeadCacheSize); heads it dropped are reloaded from disk.
	HeadCacheSize int
}

func (o *Options) setDefaults() {
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = DefaultMemTableSize
	}
	if o.BlockCacheSize == 0 {
		o.BlockCacheSize = DefaultBlockCacheSize
	}
	if o.MaxGroupSize <= 0 {
		o.MaxGroupSize = DefaultMaxGroupSize
	}
	if o.HeadCacheSize <= 0 {
		o.HeadCacheSize = DefaultHeadCacheSize
	}
	if o.SegmentSize <= 0 {
		o.SegmentSize = DefaultSegmentSize
	}
}

// Store is the embedded event store. It implements eventstore.Store and
// eventstore.Backuper. All methods are safe for concurrent use.
type Store struct {
	dir    string
	opts   Options
	db     *pebble.DB  // the index (see the package comment)
	log    *segmentLog // the log
	lock   io.Closer
	logger *slog.Logger

	// ids filters event IDs before the ID index is read (see idFilter).
	ids *idFilter
	// pending is the index's part not yet in pebble; sealBytes is the size
	// at which the indexer hands it to the flusher.
	pending   *pending
	sealBytes int
	// tableOpts are the options of the tables the flusher ingests.
	tableOpts sstable.WriterOptions

	// head is the last acknowledged position: every event at or before it
	// is durable, and readers never look past it (invariant 6). end is the
	// log offset just past head's frame; it is stored before head, so a
	// reader that loads head and then end may read the log up to end.
	head atomic.Uint64
	end  atomic.Int64

	notifyMu sync.Mutex
	notify   chan struct{} // closed and replaced whenever head advances

	queue   *appendQueue
	closing chan struct{} // closed by Close: no new appends
	closed  chan struct{} // closed once the writer has stopped
	wdone   chan struct{} // closed when the writer and acker have exited

	// applied is the generation of the last group applied to pebble;
	// appliedCond signals its changes and failure (see waitApplied).
	applied     atomic.Uint64
	appliedMu   sync.Mutex
	appliedCond *sync.Cond

	failure atomic.Pointer[error] // set once a commit fails; the store is then read-only

	// readMu guards db against Close: readers hold it shared while they use
	// db, Close takes it exclusively before closing db.
	readMu    sync.RWMutex
	dbClosed  bool
	closeOnce sync.Once
	closeErr  error
}

var (
	_ eventstore.Store    = (*Store)(nil)
	_ eventstore.Backuper = (*Store)(nil)
)

// Open opens the store in dir, creating it if needed. It fails with an error
// wrapping ErrLocked if another store holds dir. After a crash it brings the
// index up to the log before it returns (see "Recovery" in the package
// comment).
func Open(dir string, opts Options) (*Store, error) {
	opts.setDefaults()
	fs := opts.FS
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded: create %s: %w", dir, err)
	}
	// A new directory is not there after a power loss until its parent is
	// synced, and with it everything acknowledged inside.
	if err := syncDir(fs, fs.PathDir(dir)); err != nil {
		return nil, fmt.Errorf("embedded: sync the parent of %s: %w", dir, err)
	}
	lock, err := fs.Lock(fs.PathJoin(dir, "caseledger.lock"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrLocked, dir, err)
	}
	s, err := open(dir, opts, lock)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("embedded: open %s: %w", dir, err)
	}
	w := newWriter(s, tip{pos: s.head.Load(), end: s.end.Load()})
	go w.run()
	s.logger.Info("event store open", "dir", dir, "head", s.head.Load())
	return s, nil
}

func open(dir string, opts Options, lock io.Closer) (*Store, error) {
	fs := opts.FS
	if _, err := fs.Stat(fs.PathJoin(dir, "CURRENT")); err == nil {
		return nil, fmt.Errorf("the directory holds the v1 layout (pebble in its root), which this version does not read; export it with the version that wrote it and import it here")
	}
	po := pebbleOptions(&opts)
	db, err := pebble.Open(fs.PathJoin(dir, indexDir), po)
	// pebble took its own reference to the cache in Open (or failed).
	po.Cache.Unref()
	if err != nil {
		return nil, err
	}
	err = removeIngestLeftovers(fs, fs.PathJoin(dir, indexDir))
	var log *segmentLog
	if err == nil {
		log, err = openSegments(fs, fs.PathJoin(dir, logDir))
	}
	if err == nil {
		err = syncDir(fs, dir)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{
		dir:     dir,
		opts:    opts,
		db:      db,
		log:     log,
		lock:    lock,
		logger:  opts.Logger,
		pending: newPending(),
		// Half the memtable: the size past which pebble takes a batch
		// as a table of its own (see flushLoop).
		sealBytes: int(opts.MemTableSize / 2),
		tableOpts: tableWriterOptions(po, db),
		notify:    make(chan struct{}),
		queue:     newAppendQueue(),
		closing:   make(chan struct{}),
		closed:    make(chan struct{}),
		wdone:     make(chan struct{}),
	}
	s.appliedCond = sync.NewCond(&s.appliedMu)
	t, err := s.recover()
	if err == nil {
		s.end.Store(t.end)
		s.head.Store(t.pos)
		if s.ids, err = loadIDFilter(db, t.pos); err != nil {
			err = fmt.Errorf("load event IDs: %w", err)
		}
	}
	if err != nil {
		db.Close()
		log.close()
		return nil, err
	}
	return s, nil
}

// The directory's two parts.
const (
	indexDir = "index"
	logDir   = "log"
)

// Head returns the last acknowledged position.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	select {
	case <-s.closed:
		return 0, eventstore.ErrClosed
	default:
	}
	return s.head.Load(), nil
}

// Close stops accepting appends, lets the queued ones complete and their
// pending index entries reach pebble, ends every subscription, flushes the
// index so that the next Open has nothing to replay, and closes the files.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.wdone
		close(s.closed)
		s.readMu.Lock()
		s.dbClosed = true
		s.closeErr = errors.Join(s.db.Flush(), s.db.Close(), s.log.close(), s.lock.Close())
		s.readMu.Unlock()
		s.logger.Info("event store closed", "dir", s.dir, "head", s.head.Load())
	})
	return s.closeErr
}

// acquire makes db safe to use until release; it fails once the store is
// closed.
func (s *Store) acquire() error {
	s.readMu.RLock()
	if s.dbClosed {
		s.readMu.RUnlock()
		return eventstore.ErrClosed
	}
	return nil
}

func (s *Store) release() { s.readMu.RUnlock() }

// notifyChan returns a channel closed at the next advance of head.
func (s *Store) notifyChan() <-chan struct{} {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	return s.notify
}

// publish advances head, and end with it, and wakes subscriptions waiting
// for it.
func (s *Store) publish(head uint64, end int64) {
	s.end.Store(end)
	s.head.Store(head)
	s.notifyMu.Lock()
	close(s.notify)
	s.notify = make(chan struct{})
	s.notifyMu.Unlock()
}
