package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// importLog reads an NDJSON export into an empty, stopped store. Every
// event's chain hash is checked before anything is appended, and the
// imported log is verified after: an import either reproduces the exported
// chains exactly or fails.
//
// The store contract has no way to append an event with a given recorded-at
// (the store's clock is part of the hash), so the import drives the
// store's Clock option (the embedded and the esdb store both have one): it
// appends one original append at a time and sets the clock to that
// append's recorded-at first. Through caseledger's own EventStoreDB endpoint
// (serve --esdb-listen) the serving store records its own times, so such an
// import ends in the chain mismatch below: import into that server's data
// directory instead.
func (m *Main) importLog(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	in := fs.String("in", "-", "NDJSON file to read; - is standard input")
	if err := m.parseConfig(fs, args, "data", "store", "log-format", "log-level"); err != nil {
		return err
	}
	r := io.Reader(os.Stdin)
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	var clock atomic.Int64
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	var store eventstore.Store
	if m.cfg.esdbStore() {
		s, err := m.openESDB(ctx, false, now)
		if err != nil {
			return err
		}
		store = s
	} else {
		if err := os.MkdirAll(m.cfg.storeDir(), 0o755); err != nil {
			return err
		}
		s, err := m.openStopped(embedded.Options{Clock: now})
		if err != nil {
			return err
		}
		store = s
	}
	head, err := store.Head(ctx)
	if err != nil {
		return err
	}
	if head != 0 {
		return fmt.Errorf("import needs an empty store; %s holds events up to position %d", m.cfg.storeName(), head)
	}
	imp := importer{store: store, clock: &clock, tips: map[string]eventstore.RecordedEvent{}}
	if err := imp.read(ctx, r); err != nil {
		return err
	}
	rep, err := eventstore.Verify(ctx, store, eventstore.VerifyOptions{GaplessPositions: !m.cfg.esdbStore()})
	if err != nil {
		return fmt.Errorf("the imported log does not verify: %w", err)
	}
	if err := imp.sameTips(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "imported %d events in %d streams; every chain verifies\n", rep.Events, rep.Streams)
	return nil
}

type importer struct {
	store eventstore.Store
	clock *atomic.Int64
	tips  map[string]eventstore.RecordedEvent // last event read per stream
	batch []eventstore.RecordedEvent          // one original append
}

func (imp *importer) read(ctx context.Context, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		e, err := caseledgerhttp.DecodeEvent(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if err := imp.check(&e); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		// Events of one original append share stream and recorded-at and
		// follow each other; they go back in one append.
		if len(imp.batch) > 0 && (imp.batch[0].Stream != e.Stream || !imp.batch[0].RecordedAt.Equal(e.RecordedAt)) {
			if err := imp.flush(ctx); err != nil {
				return fmt.Errorf("line %d: %w", n, err)
			}
		}
		imp.batch = append(imp.batch, e)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return imp.flush(ctx)
}

// check verifies that e continues its stream's chain as read so far.
func (imp *importer) check(e *eventstore.RecordedEvent) error {
	var prev [32]byte
	want := uint64(0)
	if tip, ok := imp.tips[e.Stream]; ok {
		prev, want = tip.Hash, tip.Version+1
	}
	if e.Version != want {
		return fmt.Errorf("stream %s: version %d where %d was due (is the export filtered by type? only whole streams import)", e.Stream, e.Version, want)
	}
	if got := eventstore.ChainHash(prev, e); got != e.Hash {
		return fmt.Errorf("stream %s version %d: the hash does not match its content", e.Stream, e.Version)
	}
	imp.tips[e.Stream] = *e
	return nil
}

func (imp *importer) flush(ctx context.Context) error {
	if len(imp.batch) == 0 {
		return nil
	}
	first := imp.batch[0]
	expected := eventstore.NoStream
	if first.Version > 0 {
		expected = eventstore.Exact(first.Version - 1)
	}
	data := make([]eventstore.EventData, len(imp.batch))
	for i, e := range imp.batch {
		data[i] = eventstore.EventData{ID: e.ID, Type: e.Type, Data: e.Data, Metadata: e.Metadata}
	}
	imp.clock.Store(first.RecordedAt.UnixNano())
	if _, err := imp.store.Append(ctx, first.Stream, expected, data...); err != nil {
		return fmt.Errorf("appending %s version %d: %w", first.Stream, first.Version, err)
	}
	imp.batch = imp.batch[:0]
	return nil
}

// sameTips checks that each stream's last recorded hash is the exported
// one: with rule 11 that proves every event of the stream is identical.
func (imp *importer) sameTips(ctx context.Context) error {
	for stream, tip := range imp.tips {
		got, err := imp.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: eventstore.End, Limit: 1})
		if err != nil {
			return err
		}
		if got[0].Hash != tip.Hash {
			return fmt.Errorf("stream %s: the store recorded a different chain than the export's", stream)
		}
	}
	return nil
}
