package asof_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections/asof"
)

func TestCorrectionsShowAsAnnotationsBesideTheRecordedValue(t *testing.T) {
	h := MustHistory(t, historyCases(), true)
	id, i := h.find(t, func(r recorded) bool { return r.typ == "EventCorrected" })
	events := h.events[id]
	cor := events[i].ev.(*domain.EventCorrected)
	var target recorded
	for _, r := range events {
		if r.ev.Meta().ID == cor.Corrects {
			target = r
		}
	}
	accepted, ok := target.ev.(*domain.CaseAccepted)
	if !ok || cor.Field != "acceptance_number" {
		t.Fatalf("the history corrects %s.%s; this test reads a corrected acceptance number", target.typ, cor.Field)
	}

	after := MustCase(t, h, id, asof.AtVersion(events[i].version))
	if got, want := len(after.Case.Corrections), 1; got != want {
		t.Fatalf("%d corrections, want %d", got, want)
	}
	got := after.Case.Corrections[0]
	want := asof.Correction{
		ID: cor.ID.String(), Version: events[i].version, OccurredAt: cor.OccurredAt, Actor: cor.Actor,
		Corrects: cor.Corrects.String(), CorrectsVersion: target.version, CorrectsType: "CaseAccepted",
		Field: "acceptance_number", Recorded: json.RawMessage(strconv.Quote(accepted.AcceptanceNumber)),
		Correction: cor.Correction, Reason: cor.Reason,
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("annotation\n got %s\nwant %s", gotJSON, wantJSON)
	}
	// The ledger keeps the wrong value: the state still shows it, and the
	// annotation shows the correction beside it.
	if got, want := after.Case.Acceptance.Number, accepted.AcceptanceNumber; got != want {
		t.Errorf("acceptance number %q, want the recorded %q", got, want)
	}

	before := MustCase(t, h, id, asof.AtVersion(events[i].version-1))
	if len(before.Case.Corrections) != 0 {
		t.Errorf("corrections before the correction: %+v", before.Case.Corrections)
	}
	c := asof.Diff(before, after)
	if len(c.Fields) != 1 || c.Fields[0].Path != "corrections["+cor.ID.String()+"]" || c.Fields[0].Before != nil {
		t.Errorf("diff across the correction: %+v, want the one added annotation", c.Fields)
	}
}
