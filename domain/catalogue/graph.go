package catalogue

import "strings"

// Order returns the bundle's item codes in a dependency order: every item
// after all items it depends on, ties broken by catalogue order, so the
// result is deterministic. It assumes a validated bundle (acyclic).
func (b *Bundle) Order() []string {
	order, _ := b.order()
	return order
}

// Ready returns, in catalogue order, the items that are not concluded and
// whose dependencies have all concluded: the items that can be dispatched
// now. concluded holds item codes; the caller decides what counts as
// concluded (for example, decided with a result dependents can use).
func (b *Bundle) Ready(concluded map[string]bool) []string {
	var ready []string
	for _, it := range b.Items {
		if concluded[it.Code] {
			continue
		}
		ok := true
		for _, dep := range it.DependsOn {
			if !concluded[dep] {
				ok = false
				break
			}
		}
		if ok {
			ready = append(ready, it.Code)
		}
	}
	return ready
}

// Stages groups the items by depth in the dependency graph: stage 0 has no
// dependencies, stage k items depend on some item of stage k-1 and none
// later. Items of one stage can run in parallel.
func (b *Bundle) Stages() [][]string {
	order, ok := b.order()
	if !ok {
		return nil
	}
	depth := make(map[string]int, len(order))
	var stages [][]string
	for _, code := range order {
		it, _ := b.Item(code)
		d := 0
		for _, dep := range it.DependsOn {
			d = max(d, depth[dep]+1)
		}
		depth[code] = d
		if d == len(stages) {
			stages = append(stages, nil)
		}
		stages[d] = append(stages[d], code)
	}
	return stages
}

// order is Kahn's algorithm, taking the earliest ready item in catalogue
// order each time. ok is false when a cycle (or an unknown dependency)
// leaves items unplaced.
func (b *Bundle) order() (order []string, ok bool) {
	placed := make(map[string]bool, len(b.Items))
	for len(order) < len(b.Items) {
		progress := false
		for _, it := range b.Items {
			if placed[it.Code] {
				continue
			}
			if all(it.DependsOn, placed) {
				placed[it.Code] = true
				order = append(order, it.Code)
				progress = true
				break // restart so that ties go to the earliest item
			}
		}
		if !progress {
			return order, false
		}
	}
	return order, true
}

func all(codes []string, set map[string]bool) bool {
	for _, c := range codes {
		if !set[c] {
			return false
		}
	}
	return true
}

// findCycle returns a dependency cycle as "a -> b -> a", or "" when there is
// none. Dependencies on unknown items are ignored here (reported elsewhere).
func (b *Bundle) findCycle() string {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(b.Items))
	var path []string
	var visit func(code string) string
	visit = func(code string) string {
		state[code] = onPath
		path = append(path, code)
		it, _ := b.Item(code)
		for _, dep := range it.DependsOn {
			if _, known := b.Item(dep); !known {
				continue
			}
			switch state[dep] {
			case onPath:
				i := len(path) - 1
				for path[i] != dep {
					i--
				}
				// path holds dependents before their dependencies; print the
				// cycle in "depends on" direction, closed on its first item.
				return strings.Join(append(append([]string{}, path[i:]...), dep), " -> ")
			case unseen:
				if c := visit(dep); c != "" {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[code] = done
		return ""
	}
	for _, it := range b.Items {
		if state[it.Code] == unseen {
			if c := visit(it.Code); c != "" {
				return c
			}
		}
	}
	return ""
}
