package domain_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/domain"
)

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"110105199001011234", "110105********1234"},
		{"11010519900101123X", "110105********123X"},
		{"91440300MA5F1234XY", "914403********34XY"}, // 统一社会信用代码
		{"1234567890", "**********"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := domain.MaskIDNumber(tc.in); got != tc.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{{"张三", "张*"}, {"欧阳娜娜", "欧***"}, {"李", "李*"}, {"", ""}}
	for _, tc := range tests {
		if got := domain.MaskName(tc.in); got != tc.want {
			t.Errorf("MaskName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidIDNumber(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"11010519491231002X", true}, // the GB 11643 example
		{"11010519491231002x", true},
		{"110105194912310021", false}, // wrong check digit
		{"440524188001010014", true},
		{"440524188001010015", false},
		{"11010519491231002", false}, // 17 characters
		{"1101051949123100AX", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := domain.ValidIDNumber(tc.id); got != tc.want {
			t.Errorf("ValidIDNumber(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestLogValuesMaskPersonalData(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("acted",
		"actor", domain.Actor{Role: domain.RoleDepartment, PersonID: "officer-73519", Unit: "police", Region: "440300"},
		"subject", domain.Subject{Ref: "subj-8842771", Kind: domain.Person, MaskedName: "张*", MaskedID: "110105********1234"})
	out := buf.String()
	for _, secret := range []string{"officer-73519", "subj-8842771"} {
		if strings.Contains(out, secret) {
			t.Errorf("log line %q contains %q", out, secret)
		}
	}
	for _, kept := range []string{"police", "440300", "110105********1234", "offi****"} {
		if !strings.Contains(out, kept) {
			t.Errorf("log line %q lacks %q", out, kept)
		}
	}
}
