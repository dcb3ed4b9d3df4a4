package embedded

import "testing"

// chunkOf returns a distinct chunk whose first byte is tag.
func chunkOf(tag byte) []byte {
	c := make([]byte, arenaChunk)
	c[0] = tag
	return c
}

func TestArenaPoolLendsBackOnlyChunksRecycledWhole(t *testing.T) {
	tests := []struct {
		name    string
		through uint64
		want    []byte // first bytes of the chunks get returns before a new one (0)
	}{
		{"nothing recycled", 0, []byte{0}},
		{"recycled up to inside the first chunk", 9, []byte{0}},
		{"recycled up to the first chunk's last event", 10, []byte{1, 0}},
		{"recycled up to inside the second chunk", 15, []byte{1, 0}},
		{"recycled past both", 20, []byte{2, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := arenaPool{recycling: true}
			p.retire(chunkOf(1), 10)
			p.retire(chunkOf(2), 20)
			p.recycle(tc.through)
			for i, want := range tc.want {
				if got := p.get()[0]; got != want {
					t.Fatalf("get %d: chunk %d, want %d (0: a new chunk)", i, got, want)
				}
			}
		})
	}
}

func TestArenaPoolKeepsNothingForACallerThatNeverRecycles(t *testing.T) {
	var p arenaPool
	for i := range 10 {
		p.retire(chunkOf(byte(i)), uint64(i+1))
	}
	if got := len(p.used); got != 0 {
		t.Fatalf("%d chunks kept for a caller that never recycled, want none", got)
	}
}

func TestArenaPoolForgetsChunksItIsNotGivenBack(t *testing.T) {
	p := arenaPool{recycling: true}
	for i := range maxUsedChunks + 10 {
		p.retire(chunkOf(byte(i)), uint64(i+1))
	}
	if got := len(p.used); got != maxUsedChunks {
		t.Fatalf("%d chunks kept for a caller that recycles late, want at most %d", got, maxUsedChunks)
	}
	p.recycle(1 << 62)
	if got := len(p.free); got != maxFreeChunks {
		t.Fatalf("%d recycled chunks kept, want at most %d", got, maxFreeChunks)
	}
}

func TestArenaWritesRecycledChunksAgain(t *testing.T) {
	a := byteArena{chunks: &arenaPool{recycling: true}}
	const n = arenaChunk / 4 // four events fill a chunk
	first := a.alloc(n, 1)
	for pos := uint64(2); pos <= 4; pos++ {
		a.alloc(n, pos)
	}
	second := a.alloc(n, 5)
	for pos := uint64(6); pos <= 8; pos++ {
		a.alloc(n, pos)
	}
	a.chunks.recycle(4) // the first chunk, positions 1 to 4
	if b := a.alloc(n, 9); &b[0] != &first[0] {
		t.Fatal("the arena took a new chunk while a recycled one was free")
	}
	// Recycling the positions of the chunk being written gives back only
	// the second: the first is still being written.
	a.chunks.recycle(10)
	for pos := uint64(10); pos <= 12; pos++ {
		a.alloc(n, pos)
	}
	if b := a.alloc(n, 13); &b[0] != &second[0] {
		t.Fatal("the arena did not write the second chunk again once recycled")
	}
	for pos := uint64(14); pos <= 16; pos++ {
		a.alloc(n, pos)
	}
	if b := a.alloc(n, 17); &b[0] == &first[0] {
		t.Fatal("the arena wrote over a chunk holding positions 9 to 12, recycled only to 10")
	}
}
