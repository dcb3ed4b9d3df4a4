package embedded

// The ID filter is private and its growth needs more IDs than a test should
// append through the store, so it is tested from inside the package.

import (
	"testing"

	"github.com/google/uuid"
)

func TestIDFilterHasNoFalseNegativesAcrossGrowth(t *testing.T) {
	f := newIDFilter(0)
	n := bloomMinIDs + bloomMinIDs/2 // forces a second part
	if testing.Short() {
		n = bloomMinIDs + 1000
	}
	added := make([]uuid.UUID, n)
	for i := range added {
		added[i] = uuid.New()
		f.add(added[i])
	}
	if got := len(*f.parts.Load()); got < 2 {
		t.Fatalf("%d IDs left the filter in %d part, want it grown", n, got)
	}
	for _, id := range added {
		if !f.mayContain(id) {
			t.Fatalf("added ID %s reported absent", id)
		}
	}
	const probes = 100_000
	falsePositives := 0
	for range probes {
		if f.mayContain(uuid.New()) {
			falsePositives++
		}
	}
	// Ten bits per ID give about 1%; a filter that answers "maybe" too
	// often costs an index lookup per append.
	rate := float64(falsePositives) / probes
	t.Logf("false positive rate %.4f with %d IDs", rate, n)
	if rate > 0.03 {
		t.Fatalf("false positive rate %.3f, want at most 0.03", rate)
	}
}
