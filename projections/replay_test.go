package projections_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
)

func TestReplayStopsAtItsBound(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var now atomic.Int64
	store := MustStore(t, embedded.Options{Clock: func() time.Time { return time.Unix(0, now.Load()) }})
	// 100 events on each of three days.
	for day := range 3 {
		now.Store(start.AddDate(0, 0, day).UnixNano())
		MustAppend(t, store, 7, 100, "Noted")
	}

	tests := []struct {
		name      string
		opts      projections.ReplayOptions
		wantTotal uint64
	}{
		{"whole log", projections.ReplayOptions{}, 300},
		{"up to a position", projections.ReplayOptions{UpTo: 123}, 123},
		{"up to a position past the head", projections.ReplayOptions{UpTo: 1000}, 300},
		{"until the end of the first day", projections.ReplayOptions{Until: start.Add(12 * time.Hour)}, 100},
		{"until the second day's first event", projections.ReplayOptions{Until: start.AddDate(0, 0, 1)}, 200},
		{"until before anything", projections.ReplayOptions{Until: start.Add(-time.Second)}, 0},
		{"position before time", projections.ReplayOptions{UpTo: 50, Until: start.AddDate(0, 0, 1)}, 50},
		{"one event per batch", projections.ReplayOptions{UpTo: 20, BatchSize: 1}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reports []projections.Progress
			tt.opts.Progress = func(p projections.Progress) { reports = append(reports, p) }
			c, err := projections.Replay(context.Background(), store, &counter{name: "counter", version: 1}, filepath.Join(t.TempDir(), "copy"), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var got uint64
			if err := c.Read(func(v *projections.View) error { got = total(t, v); return nil }); err != nil {
				t.Fatal(err)
			}
			if got != tt.wantTotal {
				t.Errorf("total = %d, want %d", got, tt.wantTotal)
			}
			// Positions are gapless here, so the copy stops exactly at the
			// last event it folded.
			if got := c.Position(); got != tt.wantTotal {
				t.Errorf("Position = %d, want %d", got, tt.wantTotal)
			}
			if len(reports) == 0 {
				t.Fatal("no progress reported")
			}
			for i := 1; i < len(reports); i++ {
				if reports[i].Position < reports[i-1].Position {
					t.Errorf("progress went back: %+v after %+v", reports[i], reports[i-1])
				}
			}
			if last := reports[len(reports)-1]; last.Position != tt.wantTotal {
				t.Errorf("last progress = %+v, want position %d", last, tt.wantTotal)
			}
		})
	}
}

func TestReplayRefusesAUsedDirectory(t *testing.T) {
	store := MustStore(t, embedded.Options{})
	MustAppend(t, store, 1, 3, "Noted")
	dir := filepath.Join(t.TempDir(), "copy")
	c, err := projections.Replay(context.Background(), store, &counter{name: "counter", version: 1}, dir, projections.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if c, err := projections.Replay(context.Background(), store, &counter{name: "counter", version: 1}, dir, projections.ReplayOptions{}); err == nil {
		c.Close()
		t.Error("Replay into a used directory succeeded, want an error")
	}
}
