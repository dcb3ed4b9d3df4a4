package domain

import (
	"log/slog"
	"strings"
)

// SubjectRef is the opaque reference to an applicant or agent: a person or a
// company. Events carry only this reference and masked display values; the
// clear data (name, 身份证号, phone, address) lives outside the ledger in
// the personal-data vault of a later issue, keyed by SubjectRef. That seam
// keeps PIPL Art. 47 deletion possible without editing the append-only
// ledger: deleting the vault entry leaves events that name nobody.
type SubjectRef string

// SubjectKind tells persons from companies.
type SubjectKind string

const (
	Person  SubjectKind = "person"
	Company SubjectKind = "company"
)

// Subject is an applicant or agent as events record them.
type Subject struct {
	Ref  SubjectRef  `json:"ref"`
	Kind SubjectKind `json:"kind"`
	// MaskedName is a display value such as "张*" (see MaskName).
	MaskedName string `json:"masked_name,omitempty"`
	// MaskedID is the masked 身份证号 or 统一社会信用代码 (see MaskIDNumber).
	MaskedID string `json:"masked_id,omitempty"`
}

// LogValue logs the subject without the reference: masked values only.
func (s Subject) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("kind", string(s.Kind)),
		slog.String("ref", maskOpaque(string(s.Ref))),
		slog.String("name", s.MaskedName),
		slog.String("id", s.MaskedID),
	)
}

// MaskIDNumber keeps the first 6 and last 4 characters of an identity
// number and stars the rest (110105********1234), the common display mask.
// Inputs too short to keep anything hidden are fully starred.
func MaskIDNumber(id string) string {
	r := []rune(strings.TrimSpace(id))
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// MaskName keeps the first character of a name (张*, 张**).
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	return string(r[:1]) + strings.Repeat("*", max(len(r)-1, 1))
}

// ValidIDNumber reports whether id is an 18-character 身份证号 whose check
// character is right under ISO 7064 MOD 11-2: weights 2^(17-i) mod 11 over
// the first 17 digits, and check = (12 - sum mod 11) mod 11, with 10 written
// as X (x accepted).
func ValidIDNumber(id string) bool {
	if len(id) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return false
		}
		w := (1 << (17 - i)) % 11
		sum += int(c-'0') * w
	}
	check := (12 - sum%11) % 11
	last := id[17]
	if check == 10 {
		return last == 'X' || last == 'x'
	}
	return int(last) == '0'+check
}

// masked reports whether s's display values are masked: events must never
// carry a name or an identity number in clear, so a value without a star is
// refused rather than stored.
func masked(s Subject) bool {
	ok := func(v string) bool { return v == "" || strings.Contains(v, "*") }
	return ok(s.MaskedName) && ok(s.MaskedID)
}
