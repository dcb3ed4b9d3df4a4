package asof

import (
	"reflect"
	"strings"
)

// Changes is what changed between two snapshots (rule 9).
type Changes struct {
	From Point `json:"from"`
	To   Point `json:"to"`
	// Fields are the changed fields, in the View's field order.
	Fields []Change `json:"fields"`
	// Items are the codes of the items with a changed field, in the order
	// of the case's bundle.
	Items []string `json:"items"`
}

// Point names the snapshot at one end of a diff.
type Point struct {
	At       At     `json:"at"`
	Version  uint64 `json:"version"`
	Position uint64 `json:"position"`
	Events   int    `json:"events"`
}

// Change is one changed field. Before or After is null for an element
// (an item, a complaint, ...) that exists on one side only.
type Change struct {
	Path   string `json:"path"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// keyed elements are matched by key across the two sides of a diff.
type keyed interface{ diffKey() string }

var (
	keyedType = reflect.TypeFor[keyed]()
	// ownPkg: only structs of this package are compared field by field;
	// other values (dates, limits, certificates) are compared whole.
	ownPkg = reflect.TypeFor[View]().PkgPath()
)

// Diff returns what changed from a to b, usually an earlier and a later
// snapshot of one case.
func Diff(a, b Snapshot) Changes {
	d := differ{items: map[string]bool{}}
	d.value("", reflect.ValueOf(a.Case), reflect.ValueOf(b.Case))
	out := Changes{From: point(a), To: point(b), Fields: d.changes, Items: []string{}}
	if out.Fields == nil {
		out.Fields = []Change{}
	}
	// Bundle order: items come from the bundle snapshot, in its order, on
	// both sides; an item only one side has (a diff across the submission)
	// follows.
	for _, side := range [][]Item{b.Case.Items, a.Case.Items} {
		for _, it := range side {
			if d.items[it.Code] {
				out.Items = append(out.Items, it.Code)
				delete(d.items, it.Code)
			}
		}
	}
	return out
}

func point(s Snapshot) Point {
	return Point{At: s.At, Version: s.Version, Position: s.Position, Events: s.Events}
}

type differ struct {
	changes []Change
	// items collects the codes of changed items.
	items map[string]bool
}

func (d *differ) value(path string, a, b reflect.Value) {
	t := a.Type()
	switch {
	case t.Kind() == reflect.Struct && t.PkgPath() == ownPkg:
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			d.value(join(path, name), a.Field(i), b.Field(i))
		}
	case t.Kind() == reflect.Pointer && t.Elem().PkgPath() == ownPkg && !a.IsNil() && !b.IsNil():
		d.value(path, a.Elem(), b.Elem())
	case t.Kind() == reflect.Slice && t.Elem().Implements(keyedType):
		d.keyed(path, a, b)
	case t.Kind() == reflect.Slice:
		if a.Len() != 0 || b.Len() != 0 {
			d.leaf(path, a, b)
		}
	default:
		d.leaf(path, a, b)
	}
}

// keyed matches the elements of two lists by key: first those of a, in
// a's order, then those only b has, in b's order.
func (d *differ) keyed(path string, a, b reflect.Value) {
	index := make(map[string]int, b.Len())
	for j := range b.Len() {
		index[b.Index(j).Interface().(keyed).diffKey()] = j
	}
	seen := make(map[string]bool, a.Len())
	for i := range a.Len() {
		ea := a.Index(i)
		k := ea.Interface().(keyed).diffKey()
		seen[k] = true
		p := path + "[" + k + "]"
		if j, ok := index[k]; ok {
			n := len(d.changes)
			d.value(p, ea, b.Index(j))
			d.noteItem(path, k, n)
			continue
		}
		d.changes = append(d.changes, Change{Path: p, Before: ea.Interface()})
		d.noteItem(path, k, len(d.changes)-1)
	}
	for j := range b.Len() {
		eb := b.Index(j)
		k := eb.Interface().(keyed).diffKey()
		if !seen[k] {
			d.changes = append(d.changes, Change{Path: path + "[" + k + "]", After: eb.Interface()})
			d.noteItem(path, k, len(d.changes)-1)
		}
	}
}

// noteItem records item k as changed if changes were added since n.
func (d *differ) noteItem(path, k string, n int) {
	if path == "items" && len(d.changes) > n {
		d.items[k] = true
	}
}

// leaf records a change of a value compared whole.
func (d *differ) leaf(path string, a, b reflect.Value) {
	if reflect.DeepEqual(a.Interface(), b.Interface()) {
		return
	}
	d.changes = append(d.changes, Change{Path: path, Before: a.Interface(), After: b.Interface()})
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
