package embedded

import (
	"fmt"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
)

// blockSize is the uncompressed size of the index's sstable data blocks; the
// package comment ("Tuning") says why.
const blockSize = 16 << 10

// pebbleOptions turns Options into the index's pebble options.
func pebbleOptions(o *Options) *pebble.Options {
	cache := pebble.NewCache(o.BlockCacheSize)
	po := &pebble.Options{
		FS:                 o.FS,
		Cache:              cache,
		MemTableSize:       o.MemTableSize,
		Logger:             pebbleLogger{o.Logger},
		FormatMajorVersion: pebble.FormatNewest,
		// The log is the index's write-ahead log (invariant 2).
		DisableWAL: true,
	}
	// Point lookups (the event-ID index of rule 7) mostly miss or hit one
	// level; bloom filters let them skip the others.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		po.Levels[i].BlockSize = blockSize
	}
	po.EnsureDefaults()
	return po
}

// pebbleLogger sends pebble's log lines to slog.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Info(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

// Fatalf is called by pebble on unrecoverable corruption; pebble expects it
// not to return.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg, "component", "pebble")
	panic("embedded: pebble: " + msg)
}
