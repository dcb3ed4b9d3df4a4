//go:build invariants || race

package embedded

import "fmt"

// invariantsOn makes the self-checks of invariant (below) run; they are on
// in race builds, so every `go test -race` run checks them.
const invariantsOn = true

// invariant panics if ok is false: a broken invariant means the store would
// serve or write wrong data, and tests must see it at once.
func invariant(ok bool, format string, args ...any) {
	if !ok {
		panic("embedded: invariant broken: " + fmt.Sprintf(format, args...))
	}
}
