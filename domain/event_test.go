package domain_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/google/uuid"
)

// TestEventIDIsTheVersion5UUIDOfItsName pins the ledger's event IDs: the
// SHA-1 name-based UUID of case, command and index under the ledger's
// namespace, as uuid.NewSHA1 computes it (EventID hashes without it).
func TestEventIDIsTheVersion5UUIDOfItsName(t *testing.T) {
	namespace := uuid.MustParse("8b6f3c2e-4d1a-5e07-9c55-0a1e6f2b7d10")
	tests := []struct {
		name            string
		caseID, command string
		index           int
	}{
		{"first event", "0194260f-3c00-7a2b-8c3d-4e5f60718293", "cmd-1", 0},
		{"later event", "0194260f-3c00-7a2b-8c3d-4e5f60718293", "cmd-1", 12},
		{"empty IDs", "", "", 0},
		{"non-ASCII command ID", "case-1", "幂等-键", 3},
		{"names longer than the stack buffer", strings.Repeat("c", 100), strings.Repeat("k", 200), 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.caseID + "\x00" + tt.command + "\x00" + strconv.Itoa(tt.index)
			if got, want := domain.EventID(tt.caseID, tt.command, tt.index), uuid.NewSHA1(namespace, []byte(name)); got != want {
				t.Errorf("EventID = %s, want %s", got, want)
			}
		})
	}
}

// TestEncodeWritesMetadataAsJSONDoes checks the hand-written metadata
// encoding against encoding/json, on values json escapes.
func TestEncodeWritesMetadataAsJSONDoes(t *testing.T) {
	tests := []struct {
		name              string
		role              domain.Role
		person            string
		caseID, commandID string
	}{
		{"plain IDs", domain.RoleWindow, "w-1", "0194260f-3c00-7a2b-8c3d-4e5f60718293", "cmd-1"},
		{"HTML characters", domain.RoleDepartment, "<a&b>", "case&1", "<cmd>"},
		{"quotes, backslashes and controls", domain.RoleApplicant, `p"1\`, "case\n1", "cmd\t\x01"},
		{"non-ASCII and line separators", domain.RoleSupervisor, "张三", "case\u2028", "cmd\u2029"},
		{"invalid UTF-8", domain.RoleSystem, "p\xff", "case\xc3", "cmd"},
		{"no case or command", domain.RoleSystem, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &domain.StepRecorded{EventMeta: domain.EventMeta{CaseID: tt.caseID, CommandID: tt.commandID,
				Actor: domain.Actor{Role: tt.role, PersonID: tt.person}, OccurredAt: time.Unix(0, 0)}}
			_, _, got, err := domain.Encode(ev)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(eventstore.Metadata{Actor: string(tt.role) + ":" + tt.person,
				CorrelationID: tt.caseID, CausationID: tt.commandID, Schema: domain.SchemaVersion(ev.Type())})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("metadata = %s, want %s", got, want)
			}
		})
	}
}
