package embedded

// The recent-ID window is private; invariant 8 rests on what it keeps, so it
// is tested from inside the package.

import (
	"testing"

	"github.com/google/uuid"
)

func TestRecentIDsKeepAtLeastHalfTheWindow(t *testing.T) {
	const max, gens = 8, 30
	r := newRecentIDs(max)
	if !r.covers(0) {
		t.Fatal("an empty window does not cover generation 0")
	}
	ids := make([]uuid.UUID, gens+1)
	for g := uint64(1); g <= gens; g++ {
		ids[g] = uuid.New()
		r.add(g, map[uuid.UUID]pendingEvent{ids[g]: {}})
		for old := uint64(1); old <= g; old++ {
			kept := r.has(ids[old])
			if g-old < max/2 && !kept {
				t.Fatalf("after generation %d the ID of generation %d is gone; the last %d must stay", g, old, max/2)
			}
			if g-old >= max && kept {
				t.Fatalf("after generation %d the ID of generation %d is still held; the window is %d", g, old, max)
			}
			// covers(old-1) promises that every generation from old on is
			// held.
			if r.covers(old-1) && !kept {
				t.Fatalf("after generation %d the window covers generation %d but lost its ID", g, old-1)
			}
		}
		if g >= max/2 && !r.covers(g-max/2) {
			t.Fatalf("after generation %d the window does not cover generation %d", g, g-max/2)
		}
	}
}
