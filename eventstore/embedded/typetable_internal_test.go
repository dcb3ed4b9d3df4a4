package embedded

import (
	"fmt"
	"sync"
	"testing"
	"unsafe"
)

func TestTypeTableSharesOneStringPerName(t *testing.T) {
	var tt typeTable
	first := tt.get([]byte("CaseSubmitted"))
	again := tt.get([]byte("CaseSubmitted"))
	if first != "CaseSubmitted" || again != first {
		t.Fatalf("got %q and %q, want CaseSubmitted twice", first, again)
	}
	if unsafe.StringData(first) != unsafe.StringData(again) {
		t.Fatal("the second lookup made a new string, want the table's")
	}
	if got := tt.get([]byte("ItemDispatched")); got != "ItemDispatched" {
		t.Fatalf("got %q, want ItemDispatched", got)
	}
}

func TestTypeTableStopsGrowingAtItsBound(t *testing.T) {
	var tt typeTable
	for i := range maxEventTypes + 10 {
		name := fmt.Sprintf("Type%d", i)
		if got := tt.get([]byte(name)); got != name {
			t.Fatalf("got %q, want %q", got, name)
		}
	}
	if got := len(*tt.m.Load()); got != maxEventTypes {
		t.Fatalf("the table holds %d names, want %d", got, maxEventTypes)
	}
	if got := tt.get([]byte("Type5")); got != "Type5" {
		t.Fatalf("got %q, want Type5", got)
	}
}

func TestTypeTableIsSafeForConcurrentReads(t *testing.T) {
	var tt typeTable
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				name := fmt.Sprintf("Type%d", (g+i)%50)
				if got := tt.get([]byte(name)); got != name {
					t.Errorf("got %q, want %q", got, name)
					return
				}
			}
		})
	}
	wg.Wait()
}
