package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

var china = time.FixedZone("UTC+08:00", 8*60*60)

// warned names one warning: (case, item, level).
type warned struct{ caseID, item, level string }

// MustWatchedHistory writes a generated history without any warning into
// data's store and returns the warnings a watcher ticking at now must
// raise: now lies months after the history, so every item whose clock
// still runs is overdue, and overdue is the only level raised (a yellow
// warning is never raised after the overdue one).
func MustWatchedHistory(tb testing.TB, data string, now time.Time) map[warned]bool {
	tb.Helper()
	cfg := casegen.DefaultConfig()
	cfg.Cases = 30
	if testing.Short() {
		cfg.Cases = 12
	}
	cfg.From = time.Date(2025, 3, 3, 0, 0, 0, 0, china)
	cfg.To = time.Date(2025, 4, 15, 0, 0, 0, 0, china)
	gen, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	store, err := embedded.Open(filepath.Join(data, "store"), embedded.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	cases := map[string]bool{}
	for a := range gen.All() {
		if _, ok := a.Command.(*domain.RaiseWarning); ok {
			continue // the generator's own watcher: serve's must do this
		}
		// Any: the warnings held back shift the generated versions.
		if _, err := store.Append(ctx, a.Stream, eventstore.Any, a.Events...); err != nil {
			tb.Fatal(err)
		}
		cases[a.CaseID] = true
	}
	if err := gen.Err(); err != nil {
		tb.Fatal(err)
	}
	want := map[warned]bool{}
	today := workday.DateOf(now)
	for caseID := range cases {
		st := mustFold(tb, store, caseID)
		if st.Closed() {
			continue
		}
		for _, it := range st.Items {
			running := (it.Status == domain.ItemSent || it.Status == domain.ItemInProgress) &&
				!it.Suspended && it.Special == "" && !it.AwaitingSupplement
			if running && it.Due.Before(today) {
				want[warned{caseID, it.Code, string(domain.WarningOverdue)}] = true
			}
		}
	}
	if len(want) == 0 {
		tb.Fatal("the history has no running item; the test proves nothing")
	}
	return want
}

func mustFold(tb testing.TB, store eventstore.Store, caseID string) domain.State {
	tb.Helper()
	recs, err := store.ReadStream(context.Background(), "case-"+caseID, eventstore.ReadStreamOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	evs := make([]domain.Event, len(recs))
	for i, r := range recs {
		if evs[i], err = domain.DecodeRecorded(r); err != nil {
			tb.Fatal(err)
		}
	}
	return domain.Replay(evs)
}

// warningsIn counts the warnings recorded in data's stopped store.
func warningsIn(tb testing.TB, data string) map[warned]int {
	tb.Helper()
	store, err := embedded.Open(filepath.Join(data, "store"), embedded.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer store.Close()
	recs, err := store.ReadAll(context.Background(), eventstore.ReadAllOptions{
		Filter: eventstore.Filter{Types: []string{(*domain.WarningRaised)(nil).Type()}}})
	if err != nil {
		tb.Fatal(err)
	}
	got := map[warned]int{}
	for _, r := range recs {
		ev, err := domain.DecodeRecorded(r)
		if err != nil {
			tb.Fatal(err)
		}
		w := ev.(*domain.WarningRaised)
		got[warned{strings.TrimPrefix(r.Stream, "case-"), w.Item, string(w.Level)}]++
	}
	return got
}

// syncBuffer is a log destination the server writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// ticks returns the deadline watcher's tick lines logged so far.
func (s *syncBuffer) ticks(tb testing.TB) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(s.b.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "deadline watcher tick" {
			out = append(out, rec)
		}
	}
	return out
}

// serveUntilTick serves data on the clock now until the watcher has
// finished a tick, and returns that tick's log line.
func serveUntilTick(t *testing.T, data string, now time.Time) map[string]any {
	t.Helper()
	logs := &syncBuffer{}
	m := main.NewMain([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--log-level", "debug", "--watch-interval", "20ms"})
	m.Stdout, m.Stderr = &bytes.Buffer{}, logs
	m.Getenv = func(k string) string { return map[string]string{"CASELEDGER_DATA": data}[k] }
	m.Now = func() time.Time { return now }
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	deadline := time.Now().Add(time.Minute)
	for {
		if ticks := logs.ticks(t); len(ticks) > 0 {
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			return ticks[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("no deadline watcher tick within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServeRaisesTheWarningsThatCameDueOnceAcrossARestart(t *testing.T) {
	data := t.TempDir()
	now := time.Date(2025, 9, 1, 10, 0, 0, 0, china)
	want := MustWatchedHistory(t, data, now)

	t.Logf("%d items overdue with their clocks running", len(want))
	first := serveUntilTick(t, data, now)
	if got, want := first["raised"], float64(len(want)); got != want {
		t.Errorf("the first tick raised %v warnings, want %v", got, want)
	}
	checkWarnedOnce(t, warningsIn(t, data), want)

	again := serveUntilTick(t, data, now)
	if got := again["raised"]; got != float64(0) {
		t.Errorf("the first tick after a restart raised %v warnings, want 0", got)
	}
	checkWarnedOnce(t, warningsIn(t, data), want)
}

func checkWarnedOnce(t *testing.T, got map[warned]int, want map[warned]bool) {
	t.Helper()
	for w, n := range got {
		if n != 1 || !want[w] {
			t.Errorf("%s warning of %s/%s recorded %d times; want it once and only if its clock still ran", w.level, w.caseID, w.item, n)
		}
	}
	for w := range want {
		if got[w] == 0 {
			t.Errorf("%s warning of %s/%s missing", w.level, w.caseID, w.item)
		}
	}
}
