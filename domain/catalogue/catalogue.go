package catalogue

import (
	"bytes"
	_ "embed"
	"encoding/json"

	"github.com/caseledger/caseledger/domain/workday"
)

//go:embed data/catalogue.json
var defaultData []byte

// defaultCatalogue is parsed once at start-up and never changed; a bad
// shipped file is a build defect, caught by the package's tests.
var defaultCatalogue = mustParse(defaultData)

// Default returns the catalogue shipped in the binary. It is shared: callers
// must not modify it.
func Default() *Catalogue { return defaultCatalogue }

// Catalogue is one version of the list of bundles (一件事) and the
// departments that handle their items.
type Catalogue struct {
	Version     string       `json:"version"`
	Departments []Department `json:"departments"`
	Bundles     []Bundle     `json:"bundles"`
}

// Department is a government department that handles items.
type Department struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

// Parse reads a catalogue from JSON and validates it (see Validate). Unknown
// fields are rejected so that a misspelt key cannot silently drop a rule
// such as a dependency.
func Parse(b []byte) (*Catalogue, error) {
	var c Catalogue
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, &ValidationError{Problems: []string{"not a catalogue JSON object: " + err.Error()}}
	}
	if dec.More() {
		return nil, &ValidationError{Problems: []string{"trailing data after the catalogue JSON object"}}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func mustParse(b []byte) *Catalogue {
	c, err := Parse(b)
	if err != nil {
		panic("catalogue: shipped catalogue: " + err.Error())
	}
	return c
}

// Bundle returns the bundle with the given code.
func (c *Catalogue) Bundle(code string) (*Bundle, bool) {
	for i := range c.Bundles {
		if c.Bundles[i].Code == code {
			return &c.Bundles[i], true
		}
	}
	return nil, false
}

// Department returns the department with the given code.
func (c *Catalogue) Department(code string) (*Department, bool) {
	for i := range c.Departments {
		if c.Departments[i].Code == code {
			return &c.Departments[i], true
		}
	}
	return nil, false
}

// Mode says whether a bundle's items run side by side where their
// dependencies allow (并联) or strictly one after the other (串联).
type Mode string

const (
	Parallel Mode = "parallel" // 并联
	Serial   Mode = "serial"   // 串联
)

// Bundle is one 一件事: the items of several departments handled as one
// matter, with one promised time limit.
type Bundle struct {
	Code           string `json:"code"`
	NameZH         string `json:"name_zh"`
	NameEN         string `json:"name_en"`
	LeadDepartment string `json:"lead_department"`
	Mode           Mode   `json:"mode"`
	// Promised is the time the bundle promises the applicant from acceptance
	// to the last result (承诺时限).
	Promised workday.Limit `json:"promised"`
	Items    []Item        `json:"items"`
	// Illustrative marks a composition that is plausible but not taken from
	// an official page; Source says where it comes from either way.
	Illustrative bool   `json:"illustrative"`
	Source       string `json:"source"`
}

// Item returns the item with the given code.
func (b *Bundle) Item(code string) (*Item, bool) {
	for i := range b.Items {
		if b.Items[i].Code == code {
			return &b.Items[i], true
		}
	}
	return nil, false
}

// CaseType is how an item is decided.
type CaseType string

const (
	Immediate CaseType = "immediate" // 即办件: decided on the spot
	Promised  CaseType = "promised"  // 承诺件: decided within a promised time
)

// Item is one department's service item (事项) within a bundle.
type Item struct {
	Code       string `json:"code"`
	NameZH     string `json:"name_zh"`
	NameEN     string `json:"name_en"`
	Department string `json:"department"`
	// CaseType is Immediate (Limit is zero) or Promised (Limit is positive).
	CaseType CaseType `json:"case_type"`
	// Limit is the item's time within the bundle, counted from the day its
	// dependencies have concluded (or from acceptance when it has none).
	Limit workday.Limit `json:"limit"`
	// MaxExtension is the longest extension (延长审批) the item may get; zero
	// when it may not be extended.
	MaxExtension workday.Limit `json:"max_extension"`
	// Commitment allows 告知承诺: granted at once on a signed commitment and
	// verified later.
	Commitment bool       `json:"commitment"`
	Materials  []Material `json:"materials"`
	// DependsOn lists codes of items of the same bundle that must conclude
	// before this item can be dispatched.
	DependsOn []string `json:"depends_on"`
}

// Material returns the material with the given code.
func (it *Item) Material(code string) (*Material, bool) {
	for i := range it.Materials {
		if it.Materials[i].Code == code {
			return &it.Materials[i], true
		}
	}
	return nil, false
}

// Source says where a material comes from.
type Source string

const (
	// FromApplicant: the applicant brings or uploads it.
	FromApplicant Source = "applicant"
	// Shared: the office pulls it by data sharing (an electronic licence or
	// another department's record); the applicant brings nothing.
	Shared Source = "shared"
)

// Material is a document an item needs.
type Material struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	// Key materials must be complete to accept; a missing minor one (Key
	// false) is eligible for 容缺受理.
	Key    bool   `json:"key"`
	Source Source `json:"source"`
}

func (m Mode) valid() bool     { return m == Parallel || m == Serial }
func (t CaseType) valid() bool { return t == Immediate || t == Promised }
func (s Source) valid() bool   { return s == FromApplicant || s == Shared }
