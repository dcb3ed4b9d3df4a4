package asof_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections/asof"
)

// changed returns the change at path, if any.
func changed(c asof.Changes, path string) (asof.Change, bool) {
	i := slices.IndexFunc(c.Fields, func(ch asof.Change) bool { return ch.Path == path })
	if i < 0 {
		return asof.Change{}, false
	}
	return c.Fields[i], true
}

func TestDiffAcrossAcceptanceNamesStatusAndDispatchedItems(t *testing.T) {
	h := MustHistory(t, historyCases(), true)
	checked := 0
	for _, id := range h.cases {
		events := h.events[id]
		i := slices.IndexFunc(events, func(r recorded) bool { return r.typ == "CaseAccepted" })
		if i < 0 {
			continue
		}
		// The acceptance and the dispatches it made possible are one append.
		end := i
		var dispatched []string
		for end+1 < len(events) && events[end+1].batch == events[i].batch {
			end++
			if d, ok := events[end].ev.(*domain.ItemDispatched); ok {
				dispatched = append(dispatched, d.Item)
			}
		}
		before := MustCase(t, h, id, asof.AtVersion(events[i].version-1))
		after := MustCase(t, h, id, asof.AtVersion(events[end].version))
		c := asof.Diff(before, after)

		st, ok := changed(c, "status")
		if !ok || st.Before != domain.StatusSubmitted || st.After != domain.StatusAccepted {
			t.Errorf("case %s: status change %+v (found %t), want submitted -> accepted", id, st, ok)
		}
		if _, ok := changed(c, "acceptance.number"); !ok {
			t.Errorf("case %s: no change of acceptance.number in %+v", id, c.Fields)
		}
		for _, code := range dispatched {
			ch, ok := changed(c, "items["+code+"].status")
			if !ok || ch.Before != domain.ItemWaiting || ch.After != domain.ItemSent {
				t.Errorf("case %s: item %s status change %+v (found %t), want waiting -> dispatched", id, code, ch, ok)
			}
			if _, ok := changed(c, "items["+code+"].due"); !ok {
				t.Errorf("case %s: item %s got no due date", id, code)
			}
		}
		if got, want := c.Items, bundleOrder(after, dispatched); !slices.Equal(got, want) {
			t.Errorf("case %s: changed items %v, want the dispatched ones %v", id, got, want)
		}
		if got, want := c.From.Version, before.Version; got != want {
			t.Errorf("case %s: from version %d, want %d", id, got, want)
		}
		if got, want := c.To.Events, after.Events; got != want {
			t.Errorf("case %s: to events %d, want %d", id, got, want)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no accepted case in the history")
	}
}

// bundleOrder returns codes in the order of the snapshot's items.
func bundleOrder(s asof.Snapshot, codes []string) []string {
	out := []string{}
	for _, it := range s.Case.Items {
		if slices.Contains(codes, it.Code) {
			out = append(out, it.Code)
		}
	}
	return out
}

// itemOf names the item an item event is about.
func itemOf(ev domain.Event) (string, bool) {
	switch e := ev.(type) {
	case *domain.ItemDispatched:
		return e.Item, true
	case *domain.ItemAccepted:
		return e.Item, true
	case *domain.StepRecorded:
		return e.Item, true
	case *domain.ItemSuspended:
		return e.Item, true
	case *domain.ItemResumed:
		return e.Item, true
	case *domain.SpecialProcedureStarted:
		return e.Item, true
	case *domain.SpecialProcedureEnded:
		return e.Item, true
	case *domain.DeadlineExtended:
		return e.Item, true
	case *domain.ItemDecided:
		return e.Item, true
	case *domain.CertificateIssued:
		return e.Item, true
	case *domain.WarningRaised:
		return e.Item, true
	}
	return "", false
}

// touchesItems are the case events that change items: withdrawals end
// them, a supplement notice stops their clocks and its receipt restarts them.
var touchesItems = map[string]bool{"CaseWithdrawn": true, "ItemsWithdrawn": true,
	"SupplementRequested": true, "SupplementReceived": true}

func TestDiffOfEachEventNamesTheItemItConcerns(t *testing.T) {
	h := MustHistory(t, historyCases(), true)
	seen := map[string]int{}
	for _, id := range h.cases {
		events := h.events[id]
		prev := MustCase(t, h, id, asof.AtVersion(0))
		for _, r := range events[1:] {
			next := MustCase(t, h, id, asof.AtVersion(r.version))
			c := asof.Diff(prev, next)
			if code, ok := itemOf(r.ev); ok {
				seen[r.typ]++
				if !slices.Contains(c.Items, code) {
					t.Errorf("case %s version %d (%s): changed items %v lack %s; fields %+v", id, r.version, r.typ, c.Items, code, c.Fields)
				}
			} else if len(c.Items) != 0 && !touchesItems[r.typ] {
				t.Errorf("case %s version %d (%s) changed items %v", id, r.version, r.typ, c.Items)
			}
			for _, ch := range c.Fields {
				if reflect.DeepEqual(ch.Before, ch.After) {
					t.Errorf("case %s version %d: %s listed with equal sides %v", id, r.version, ch.Path, ch.Before)
				}
			}
			prev = next
		}
	}
	for _, typ := range []string{"ItemDispatched", "ItemAccepted", "StepRecorded", "ItemDecided", "CertificateIssued"} {
		if seen[typ] == 0 {
			t.Errorf("the history has no %s: the check above proved nothing for it", typ)
		}
	}
}

func TestDiffIsDeterministicAndEmptyForEqualPoints(t *testing.T) {
	h := MustHistory(t, 10, true)
	id, _ := h.find(t, func(r recorded) bool { return r.typ == "BundleCompleted" })
	first := MustCase(t, h, id, asof.AtVersion(0))
	last := MustCase(t, h, id, asof.Latest())
	again := MustCase(t, h, id, asof.Latest())

	a, err := json.Marshal(asof.Diff(first, last))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := json.Marshal(asof.Diff(MustCase(t, h, id, asof.AtVersion(0)), again))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("two diffs of the same points differ:\n%s\n%s", a, b)
		}
	}
	if c := asof.Diff(last, again); len(c.Fields) != 0 || len(c.Items) != 0 {
		t.Errorf("diff of a snapshot with an equal one: %+v", c)
	}
	// Backwards, every change swaps its sides.
	fwd, back := asof.Diff(first, last), asof.Diff(last, first)
	if len(fwd.Fields) != len(back.Fields) {
		t.Fatalf("%d changes forwards, %d backwards", len(fwd.Fields), len(back.Fields))
	}
	for i, f := range fwd.Fields {
		b := back.Fields[i]
		if f.Path != b.Path || !reflect.DeepEqual(f.Before, b.After) || !reflect.DeepEqual(f.After, b.Before) {
			t.Errorf("change %d forwards %+v, backwards %+v", i, f, b)
		}
	}
}
