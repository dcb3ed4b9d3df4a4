//go:build !(invariants || race)

package embedded

// invariantsOn is false outside invariants and race builds; see
// invariants_on.go.
const invariantsOn = false

func invariant(bool, string, ...any) {}
