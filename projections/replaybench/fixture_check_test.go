package replaybench_test

import (
	"context"
	"slices"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// TestFixture builds small fixtures the way the benchmarks build the large
// one, so the default test run checks the builder and its reuse.
func TestFixture(t *testing.T) {
	dir := t.TempDir()
	const n = 3000

	f, built, err := openFixture(dir, n)
	if err != nil {
		t.Fatal(err)
	}
	if !built {
		t.Fatal("an empty directory was not built")
	}
	t.Run("holds the generated history up to its cap", func(t *testing.T) {
		if f.Head == 0 || f.Head > n || f.Head < n*9/10 {
			t.Errorf("head %d, want at most %d and close to it", f.Head, n)
		}
		evs, err := f.store.ReadAll(context.Background(), eventstore.ReadAllOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := uint64(len(evs)), f.Head; got != want {
			t.Errorf("the store holds %d events, want %d", got, want)
		}
		var submitted []string
		for _, e := range evs {
			if e.Type == (*domain.CaseSubmitted)(nil).Type() {
				submitted = append(submitted, e.Stream[len("case-"):])
			}
		}
		slices.Sort(submitted)
		cases := slices.Sorted(slices.Values(f.Cases))
		if !slices.Equal(cases, submitted) {
			t.Errorf("the manifest lists %d cases, the store has %d submissions, and they differ", len(cases), len(submitted))
		}
	})
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("reopens a complete fixture of the same size", func(t *testing.T) {
		g, built, err := openFixture(dir, n)
		if err != nil {
			t.Fatal(err)
		}
		defer g.store.Close()
		if built {
			t.Error("a complete fixture was built again")
		}
		if got, want := g.Head, f.Head; got != want {
			t.Errorf("head %d, want %d", got, want)
		}
		if !slices.Equal(g.Cases, f.Cases) {
			t.Error("the reopened manifest lists other cases")
		}
	})
	t.Run("rebuilds a fixture of another size", func(t *testing.T) {
		g, built, err := openFixture(dir, n/2)
		if err != nil {
			t.Fatal(err)
		}
		defer g.store.Close()
		if !built {
			t.Error("a fixture of another size was reused")
		}
		if g.Head > n/2 {
			t.Errorf("head %d, want at most %d", g.Head, n/2)
		}
	})
}
