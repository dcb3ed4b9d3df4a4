package timeline_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/timeline"
)

func TestTimelineHoldsEveryEventOfItsCaseInOrder(t *testing.T) {
	f := sharedFixture(t)
	store, ids, head, r := f.store, f.ids, f.head, f.r
	ctx := testContext(t)
	cal := workday.Default()
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

	seen := map[string]bool{}
	for _, id := range ids {
		got, err := timeline.Get(ctx, r, id, head, end, cal, nil)
		if err != nil {
			t.Fatal(err)
		}
		recs, evs, want := readCase(t, store, id)
		if len(got.Steps) != len(recs) {
			t.Fatalf("case %s: %d steps, want %d", id, len(got.Steps), len(recs))
		}
		for i := range recs {
			checkStep(t, id, got.Steps[i], &recs[i], evs[i], recs)
			seen[got.Steps[i].Type] = true
		}
		if got.Region != want.Region || got.Bundle != want.Bundle.Code {
			t.Errorf("case %s: region %s bundle %s, want %s %s", id, got.Region, got.Bundle, want.Region, want.Bundle.Code)
		}
		checkItems(t, id, got, want)
		for _, it := range got.Items {
			seen["state:"+string(it.State)] = true
			if len(it.Pauses) > 0 {
				seen["paused"] = true
			}
		}
	}
	// The history must have exercised the interesting paths, or the
	// comparisons above prove little.
	for _, want := range []string{"SpecialProcedureStarted", "SupplementReceived", "DubanIssued",
		"WarningRaised", "CaseWithdrawn", "state:overdue", "state:on_time", "paused"} {
		if !seen[want] {
			t.Errorf("no case in the history shows %q; got %v", want, seen)
		}
	}
}

func TestEveryDomainEventTypeHasAStepCode(t *testing.T) {
	known := timeline.KnownTypes()
	for _, typ := range domain.EventTypes() {
		if !slices.Contains(known, typ) {
			t.Errorf("event type %s has no step code: the projection would stop on it", typ)
		}
	}
}

// checkStep compares a step with its event, read independently of the
// projection's mapping: through the event's JSON field names.
func checkStep(t *testing.T, id string, got timeline.Step, rec *eventstore.RecordedEvent, ev domain.Event, recs []eventstore.RecordedEvent) {
	t.Helper()
	m := ev.Meta()
	if got.Version != rec.Version || got.Position != rec.Position || got.Type != rec.Type ||
		!got.OccurredAt.Equal(m.OccurredAt) || !got.RecordedAt.Equal(rec.RecordedAt.Truncate(time.Microsecond)) || got.Actor != m.Actor {
		t.Errorf("case %s step %d: %d@%d %s %v %v %+v, want %d@%d %s %v %v %+v", id, rec.Version,
			got.Version, got.Position, got.Type, got.OccurredAt, got.RecordedAt, got.Actor,
			rec.Version, rec.Position, rec.Type, m.OccurredAt, rec.RecordedAt, m.Actor)
	}
	var data map[string]any
	if err := json.Unmarshal(rec.Data, &data); err != nil {
		t.Fatal(err)
	}
	str := func(k string) string { s, _ := data[k].(string); return s }
	if got, want := got.Item, str("item"); got != want {
		t.Errorf("case %s step %d %s: item %q, want %q", id, rec.Version, rec.Type, got, want)
	}
	if got, want := got.Department, str("department"); got != want {
		t.Errorf("case %s step %d %s: department %q, want %q", id, rec.Version, rec.Type, got, want)
	}
	wantDue := str("due")
	if rec.Type == "CaseAccepted" {
		wantDue = str("promised_due")
	}
	if wantDue != "" && got.Due.String() != wantDue {
		t.Errorf("case %s step %d %s: due %s, want %s", id, rec.Version, rec.Type, got.Due, wantDue)
	}
	wantBasis := str("legal_basis")
	if rec.Type == "DubanIssued" {
		wantBasis = str("reference")
	}
	if got.LegalBasis != wantBasis {
		t.Errorf("case %s step %d %s: legal basis %q, want %q", id, rec.Version, rec.Type, got.LegalBasis, wantBasis)
	}
	for _, k := range []string{"opinion", "reason", "result", "notes", "summary", "answer", "grounds"} {
		if w := str(k); w != "" && got.Text != w {
			t.Errorf("case %s step %d %s: text %q, want %s %q", id, rec.Version, rec.Type, got.Text, k, w)
		}
	}
	for _, k := range []string{"notice_number", "acceptance_number", "approval_ref", "duban_id", "complaint_id", "correction"} {
		if w := str(k); w != "" && got.Ref != w {
			t.Errorf("case %s step %d %s: ref %q, want %s %q", id, rec.Version, rec.Type, got.Ref, k, w)
		}
	}
	if c, ok := ev.(*domain.EventCorrected); ok {
		want := slices.IndexFunc(recs, func(r eventstore.RecordedEvent) bool { return r.ID == c.Corrects })
		if got.Corrects != want || got.CorrectsID != c.Corrects {
			t.Errorf("case %s step %d: corrects %d (%s), want %d (%s)", id, rec.Version, got.Corrects, got.CorrectsID, want, c.Corrects)
		}
	} else if got.Corrects != -1 {
		t.Errorf("case %s step %d %s: corrects %d, want -1", id, rec.Version, rec.Type, got.Corrects)
	}
}

// checkItems compares the items after every step with the domain's fold.
func checkItems(t *testing.T, id string, got timeline.Timeline, want domain.State) {
	t.Helper()
	if len(got.Items) != len(want.Items) {
		t.Fatalf("case %s: %d items, want %d", id, len(got.Items), len(want.Items))
	}
	for i, it := range got.Items {
		w := want.Items[i]
		if it.Code != w.Code || it.Department != w.Department || it.Status != w.Status || it.Due != w.Due ||
			it.DispatchedOn != w.DispatchedOn || it.Paused != w.Paused() || len(it.Pauses) != len(w.Pauses) {
			t.Errorf("case %s item %d: %s/%s %s due %s dispatched %s paused %v %v, want %s/%s %s due %s dispatched %s paused %v %v",
				id, i, it.Code, it.Department, it.Status, it.Due, it.DispatchedOn, it.Paused, it.Pauses,
				w.Code, w.Department, w.Status, w.Due, w.DispatchedOn, w.Paused(), w.Pauses)
			continue
		}
		for j, p := range it.Pauses {
			if p.From != w.Pauses[j].From || p.To != w.Pauses[j].To || p.Kind == "" {
				t.Errorf("case %s item %s pause %d: %+v, want %+v", id, it.Code, j, p, w.Pauses[j])
			}
		}
		if it.DispatchedOn.IsZero() && (it.WorkingDays != 0 || it.State != "") {
			t.Errorf("case %s item %s: never dispatched, yet %d working days, state %q", id, it.Code, it.WorkingDays, it.State)
		}
	}
}

func TestStoredBytesPerCase(t *testing.T) {
	f := sharedFixture(t)
	ids, head, r := f.ids, f.head, f.r
	var sizes = map[string]int{}
	var largest, words int
	err := r.Read(testContext(t), timeline.Name, head, func(v *projections.View) error {
		return v.Scan(nil, func(key, val []byte) error {
			kind, _, _ := strings.Cut(string(key), "/")
			sizes[kind] += len(key) + len(val)
			if kind == "case" {
				largest = max(largest, len(key)+len(val))
			}
			if strings.HasPrefix(string(key), "d/i/") {
				words++
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range sizes {
		total += n
	}
	// The dictionary grows with the vocabulary (officers above all), not
	// with cases: it is reported, and the bound is on what each case adds.
	perCase := (total - sizes["d"]) / len(ids)
	t.Logf("%d cases, %d events: %d bytes per case stored, keys included (documents %d, due index %d, 督办 %d, largest document %d); "+
		"dictionary of %d words, %d bytes per case at this size; all together %d bytes per case",
		len(ids), head, perCase, sizes["case"]/len(ids), sizes["due"]/len(ids), sizes["duban"]/len(ids), largest,
		words, sizes["d"]/len(ids), total/len(ids))
	// The status model holds about 1.15 KB per case with its key; both
	// together must stay under 2 KB.
	if perCase > 850 {
		t.Errorf("%d bytes per case stored, want at most 850", perCase)
	}
}
