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
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
)

// ErrLocked: another Store, in this process or another, has the directory
// open.
var ErrLocked = errors.New("embedded: directory is locked by another store")

// Defaults for the tuning knobs; the package comment ("Tuning") says how
// they were chosen.
const (
	DefaultMemTableSize   = 16 << 20
	DefaultBlockCacheSize = 512 << 20
	DefaultMaxGroupSize   = 1024
	DefaultHeadCacheSize  = 1 << 18
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

	// MemTableSize is pebble's memtable size in bytes (DefaultMemTableSize).
	MemTableSize uint64
	// BlockCacheSize is the size of pebble's block cache in bytes
	// (DefaultBlockCacheSize).
	BlockCacheSize int64
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
}

// Store is the embedded event store. It implements eventstore.Store and
// eventstore.Backuper. All methods are safe for concurrent use.
type Store struct {
	dir  string
	opts Options
	db   *pebble.DB
	lock io.Closer
	log  *slog.Logger

	// ids filters event IDs before the ID index is read (see idFilter).
	ids *idFilter

	// head is the last acknowledged position: every event at or before it
	// is durable, and readers never look past it (invariant 6).
	head atomic.Uint64

	notifyMu sync.Mutex
	notify   chan struct{} // closed and replaced whenever head advances

	queue   chan *appendReq // unbuffered: see writer.run
	closing chan struct{}   // closed by Close: no new appends
	closed  chan struct{}   // closed once the writer has stopped
	wdone   chan struct{}   // closed when the writer and acker have exited

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
// wrapping ErrLocked if another store holds dir.
func Open(dir string, opts Options) (*Store, error) {
	opts.setDefaults()
	if err := opts.FS.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("embedded: create %s: %w", dir, err)
	}
	lock, err := opts.FS.Lock(opts.FS.PathJoin(dir, "caseledger.lock"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrLocked, dir, err)
	}
	po := pebbleOptions(&opts)
	db, err := pebble.Open(dir, po)
	// pebble took its own reference to the cache in Open (or failed).
	po.Cache.Unref()
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("embedded: open %s: %w", dir, err)
	}
	s := &Store{
		dir:     dir,
		opts:    opts,
		db:      db,
		lock:    lock,
		log:     opts.Logger,
		notify:  make(chan struct{}),
		queue:   make(chan *appendReq),
		closing: make(chan struct{}),
		closed:  make(chan struct{}),
		wdone:   make(chan struct{}),
	}
	s.appliedCond = sync.NewCond(&s.appliedMu)
	head, err := s.recover()
	if err != nil {
		db.Close()
		lock.Close()
		return nil, fmt.Errorf("embedded: open %s: %w", dir, err)
	}
	s.head.Store(head)
	if s.ids, err = loadIDFilter(db, head); err != nil {
		db.Close()
		lock.Close()
		return nil, fmt.Errorf("embedded: open %s: load event IDs: %w", dir, err)
	}
	w := newWriter(s, head)
	go w.run()
	s.log.Info("event store open", "dir", dir, "head", head)
	return s, nil
}

// recover checks the format marker, writing it into a new directory, and
// returns the last recorded position. pebble replays its WAL on open, and a
// batch is replayed whole or not at all, so the last log key is the last
// acknowledged-or-durable append (invariant 5).
func (s *Store) recover() (uint64, error) {
	v, closer, err := s.db.Get(metaFormatKey)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		if err := s.db.Set(metaFormatKey, []byte(formatName), pebble.Sync); err != nil {
			return 0, err
		}
	case err != nil:
		return 0, err
	default:
		got := string(v)
		closer.Close()
		if got != formatName {
			return 0, fmt.Errorf("unknown format %q, want %q", got, formatName)
		}
	}
	lower, upper := logBounds(1, ^uint64(0))
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Last() {
		return 0, it.Error()
	}
	return positionOfLogKey(it.Key()), nil
}

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

// Close stops accepting appends, lets the queued ones complete, ends every
// subscription and closes the database.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.wdone
		close(s.closed)
		s.readMu.Lock()
		s.dbClosed = true
		s.closeErr = errors.Join(s.db.Close(), s.lock.Close())
		s.readMu.Unlock()
		s.log.Info("event store closed", "dir", s.dir, "head", s.head.Load())
	})
	return s.closeErr
}

// Backup writes a consistent copy of the store into dir, which must not
// exist, while appends go on. The copy holds every append acknowledged
// before Backup was called, and opens with Open.
func (s *Store) Backup(ctx context.Context, dir string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	// WithFlushedWAL syncs the WAL first, so the copy holds everything
	// acknowledged so far; pebble copies whole batches only (invariant 5).
	if err := s.db.Checkpoint(dir, pebble.WithFlushedWAL()); err != nil {
		return fmt.Errorf("embedded: backup to %s: %w", dir, err)
	}
	return nil
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

// publish advances head and wakes subscriptions waiting for it.
func (s *Store) publish(head uint64) {
	s.head.Store(head)
	s.notifyMu.Lock()
	close(s.notify)
	s.notify = make(chan struct{})
	s.notifyMu.Unlock()
}
