package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
)

// The catalogue as the API shows it: mapped by hand from the domain's
// types, so that renaming a field there cannot silently change the API, and
// every list is [] rather than null.

type catalogueJSON struct {
	Version     string           `json:"version"`
	Departments []departmentJSON `json:"departments"`
	Bundles     []bundleJSON     `json:"bundles"`
}

type departmentJSON struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

type limitJSON struct {
	Value int    `json:"value"`
	Unit  string `json:"unit"`
}

type bundleJSON struct {
	Code           string     `json:"code"`
	NameZH         string     `json:"name_zh"`
	NameEN         string     `json:"name_en"`
	LeadDepartment string     `json:"lead_department"`
	Mode           string     `json:"mode"`
	Promised       limitJSON  `json:"promised"`
	Items          []itemJSON `json:"items"`
	Illustrative   bool       `json:"illustrative"`
	Source         string     `json:"source"`
}

type itemJSON struct {
	Code         string         `json:"code"`
	NameZH       string         `json:"name_zh"`
	NameEN       string         `json:"name_en"`
	Department   string         `json:"department"`
	CaseType     string         `json:"case_type"`
	Limit        limitJSON      `json:"limit"`
	MaxExtension limitJSON      `json:"max_extension"`
	Commitment   bool           `json:"commitment"`
	Materials    []materialJSON `json:"materials"`
	DependsOn    []string       `json:"depends_on"`
}

type materialJSON struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	Key    bool   `json:"key"`
	Source string `json:"source"`
}

// getCatalogue serves GET /v1/catalogue: the catalogue new submissions are
// decided with. Every authenticated role may read it: applicants choose a
// bundle and gather its materials from it.
func (s *Server) getCatalogue(c echo.Context) error {
	cat := s.env().Catalogue
	out := catalogueJSON{Version: cat.Version, Departments: make([]departmentJSON, len(cat.Departments)),
		Bundles: make([]bundleJSON, len(cat.Bundles))}
	for i, d := range cat.Departments {
		out.Departments[i] = departmentJSON{Code: d.Code, NameZH: d.NameZH, NameEN: d.NameEN}
	}
	for i := range cat.Bundles {
		out.Bundles[i] = bundleOf(&cat.Bundles[i])
	}
	return writeJSON(c, http.StatusOK, out)
}

// getBundle serves GET /v1/catalogue/bundles/{code}: one bundle of the
// catalogue in force, with the catalogue's version.
func (s *Server) getBundle(c echo.Context) error {
	cat := s.env().Catalogue
	b, ok := cat.Bundle(c.Param("code"))
	if !ok {
		return domain.Errorf(domain.CodeNotFound, "the catalogue %s has no such bundle", cat.Version)
	}
	return writeJSON(c, http.StatusOK, struct {
		Version string     `json:"version"`
		Bundle  bundleJSON `json:"bundle"`
	}{cat.Version, bundleOf(b)})
}

func bundleOf(b *catalogue.Bundle) bundleJSON {
	out := bundleJSON{Code: b.Code, NameZH: b.NameZH, NameEN: b.NameEN, LeadDepartment: b.LeadDepartment, Mode: string(b.Mode),
		Promised: limitOf(b.Promised), Items: make([]itemJSON, len(b.Items)), Illustrative: b.Illustrative, Source: b.Source}
	for i, it := range b.Items {
		item := itemJSON{Code: it.Code, NameZH: it.NameZH, NameEN: it.NameEN, Department: it.Department,
			CaseType: string(it.CaseType), Limit: limitOf(it.Limit), MaxExtension: limitOf(it.MaxExtension),
			Commitment: it.Commitment, Materials: make([]materialJSON, len(it.Materials)), DependsOn: nonNil(it.DependsOn)}
		for j, m := range it.Materials {
			item.Materials[j] = materialJSON{Code: m.Code, NameZH: m.NameZH, NameEN: m.NameEN, Key: m.Key, Source: string(m.Source)}
		}
		out.Items[i] = item
	}
	return out
}

// limitOf spells a time limit; the zero limit (an immediate item, no
// extension) is {"value":0,"unit":""}.
func limitOf(l workday.Limit) limitJSON { return limitJSON{Value: l.Value, Unit: string(l.Unit)} }
