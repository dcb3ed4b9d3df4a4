package catalogue

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/caseledger/caseledger/domain/workday"
)

// ErrInvalid is matched (errors.Is) by every error Parse and Validate return.
var ErrInvalid = errors.New("invalid catalogue")

// Legal maxima from 行政许可法 (DOMAIN.md, "Time limits"). The law counts its
// limits in working days (Art. 82), and n natural days never exceed n
// working days, so comparing values is enough whatever a limit's unit.
const (
	// MaxExtension: an item decided by one department may be extended by at
	// most 10 days with approval (Art. 42).
	MaxExtension = 10
	// MaxPromised: joint or centralised handling by several departments must
	// finish within 45 days (Art. 42, without its 15-day extension); a
	// bundle's promise may not exceed it.
	MaxPromised = 45
)

// ValidationError lists every problem found in a catalogue, each naming the
// bundle, item or material concerned.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return "invalid catalogue: " + strings.Join(e.Problems, "; ")
}

// Is makes errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Validate checks the catalogue's rules and returns a *ValidationError
// listing every broken one:
//
//   - a version; codes of departments, bundles, items (within a bundle) and
//     materials (within an item) unique and matching [a-z][a-z0-9_]*; names
//     in both languages; known modes, case types and sources;
//   - departments referred to exist;
//   - limits valid; an immediate item has no limit, a promised item a
//     positive one; extensions within MaxExtension, promises within
//     MaxPromised;
//   - dependencies name other items of the same bundle, once each, and form
//     no cycle (the cycle is named); a serial bundle's items form one chain;
//   - the longest chain of dependent item limits fits the bundle's promise,
//     since dependents start only when their dependencies conclude;
//   - every bundle names its source.
func (c *Catalogue) Validate() error {
	v := &validator{}
	if c.Version == "" {
		v.add("catalogue has no version")
	}
	depts := make(map[string]bool, len(c.Departments))
	for _, d := range c.Departments {
		where := fmt.Sprintf("department %q", d.Code)
		v.code(where, d.Code, depts)
		v.names(where, d.NameZH, d.NameEN)
	}
	if len(c.Bundles) == 0 {
		v.add("catalogue has no bundles")
	}
	bundles := make(map[string]bool, len(c.Bundles))
	for i := range c.Bundles {
		v.bundle(&c.Bundles[i], depts, bundles)
	}
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

type validator struct{ problems []string }

func (v *validator) add(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *validator) code(where, code string, seen map[string]bool) {
	switch {
	case !codePattern.MatchString(code):
		v.add("%s: code must match [a-z][a-z0-9_]*", where)
	case seen[code]:
		v.add("%s: duplicate code", where)
	}
	seen[code] = true
}

func (v *validator) names(where, zh, en string) {
	if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" {
		v.add("%s: needs a Chinese and an English name", where)
	}
}

func (v *validator) limit(where, what string, l workday.Limit) {
	if err := l.Validate(); err != nil {
		v.add("%s: %s: %v", where, what, err)
	}
}

func (v *validator) bundle(b *Bundle, depts, seen map[string]bool) {
	where := fmt.Sprintf("bundle %q", b.Code)
	v.code(where, b.Code, seen)
	v.names(where, b.NameZH, b.NameEN)
	if !depts[b.LeadDepartment] {
		v.add("%s: unknown lead department %q", where, b.LeadDepartment)
	}
	if !b.Mode.valid() {
		v.add("%s: mode %q is neither %q nor %q", where, string(b.Mode), Parallel, Serial)
	}
	v.limit(where, "promised", b.Promised)
	if b.Promised.Value > MaxPromised {
		v.add("%s: promised %s exceeds the %d days of joint handling (行政许可法 Art. 42)", where, b.Promised, MaxPromised)
	}
	if strings.TrimSpace(b.Source) == "" {
		v.add("%s: has no source", where)
	}
	if len(b.Items) == 0 {
		v.add("%s: has no items", where)
	}
	items := make(map[string]bool, len(b.Items))
	for i := range b.Items {
		v.item(where, &b.Items[i], depts, items)
	}
	for _, it := range b.Items {
		deps := make(map[string]bool, len(it.DependsOn))
		for _, dep := range it.DependsOn {
			switch {
			case dep == it.Code:
				v.add("%s: item %q depends on itself", where, it.Code)
			case !items[dep]:
				v.add("%s: item %q depends on %q, which is not an item of this bundle", where, it.Code, dep)
			case deps[dep]:
				v.add("%s: item %q lists dependency %q twice", where, it.Code, dep)
			}
			deps[dep] = true
		}
	}
	if cycle := b.findCycle(); cycle != "" {
		v.add("%s: dependency cycle %s", where, cycle)
		return // the checks below need an order
	}
	if b.Mode == Serial {
		v.chain(where, b)
	}
	if n, path := b.longestPath(); b.Promised.Unit != "" && n > b.Promised.Value {
		v.add("%s: items %s take %d days in sequence, more than the promised %s",
			where, strings.Join(path, " -> "), n, b.Promised)
	}
}

func (v *validator) item(bundle string, it *Item, depts, seen map[string]bool) {
	where := fmt.Sprintf("%s item %q", bundle, it.Code)
	v.code(where, it.Code, seen)
	v.names(where, it.NameZH, it.NameEN)
	if !depts[it.Department] {
		v.add("%s: unknown department %q", where, it.Department)
	}
	v.limit(where, "limit", it.Limit)
	v.limit(where, "max_extension", it.MaxExtension)
	switch it.CaseType {
	case Immediate:
		if it.Limit.Value != 0 {
			v.add("%s: an immediate item (即办件) has no limit, got %s", where, it.Limit)
		}
		if it.MaxExtension.Value != 0 {
			v.add("%s: an immediate item (即办件) cannot be extended", where)
		}
	case Promised:
		if it.Limit.Value <= 0 {
			v.add("%s: a promised item (承诺件) needs a positive limit", where)
		}
	default:
		v.add("%s: case type %q is neither %q nor %q", where, string(it.CaseType), Immediate, Promised)
	}
	if it.MaxExtension.Value > MaxExtension {
		v.add("%s: max_extension %s exceeds the %d days allowed by 行政许可法 Art. 42",
			where, it.MaxExtension, MaxExtension)
	}
	if len(it.Materials) == 0 {
		v.add("%s: lists no materials", where)
	}
	mats := make(map[string]bool, len(it.Materials))
	for _, m := range it.Materials {
		mw := fmt.Sprintf("%s material %q", where, m.Code)
		v.code(mw, m.Code, mats)
		v.names(mw, m.NameZH, m.NameEN)
		if !m.Source.valid() {
			v.add("%s: source %q is neither %q nor %q", mw, string(m.Source), FromApplicant, Shared)
		}
	}
}

// chain checks that a serial bundle's dependency order is total: each item
// in order depends, directly or not, on the one before it.
func (v *validator) chain(where string, b *Bundle) {
	stages := b.Stages()
	for _, s := range stages {
		if len(s) > 1 {
			v.add("%s: serial bundle runs items %s side by side; chain them with depends_on",
				where, strings.Join(s, ", "))
			return
		}
	}
}

// longestPath returns the largest sum of item limit values along a
// dependency chain, and the chain. It assumes an acyclic bundle.
func (b *Bundle) longestPath() (int, []string) {
	best := make(map[string]int, len(b.Items))
	prev := make(map[string]string, len(b.Items))
	end := ""
	for _, code := range b.Order() {
		it, _ := b.Item(code)
		for _, dep := range it.DependsOn {
			if best[dep] > best[code] || prev[code] == "" {
				best[code], prev[code] = best[dep], dep
			}
		}
		best[code] += it.Limit.Value
		if end == "" || best[code] > best[end] {
			end = code
		}
	}
	var path []string
	for c := end; c != ""; c = prev[c] {
		path = append([]string{c}, path...)
	}
	return best[end], path
}
