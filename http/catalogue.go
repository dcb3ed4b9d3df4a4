package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
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
	cat := s.catalogueInForce()
	if cat == nil {
		return domain.Errorf(domain.CodeUnavailable, "the catalogue cannot be read at the moment")
	}
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
	cat := s.catalogueInForce()
	if cat == nil {
		return domain.Errorf(domain.CodeUnavailable, "the catalogue cannot be read at the moment")
	}
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

// Publishing: admins replace the catalogue by appending CataloguePublished
// to one stream. Its last event is the catalogue in force; the shipped one
// (catalogue.Default) is in force until the first publish. The stream's
// category is not "case", so the read models never see it. Cases already
// submitted keep their rules: the domain snapshots the bundle into each
// case at submission.

const (
	catalogueStream    = "catalogue-national"
	cataloguePublished = "CataloguePublished"
	// maxCatalogueBody caps a published catalogue. The shipped one is about
	// 80 KB, over the 64K default of every other route.
	maxCatalogueBody = 1 << 20
	catalogueBodyKey = "caseledger.catalogueBody"
	// catalogueRoute is the publishing route, exempt from the common body
	// limit (routes.go).
	catalogueRoute = "/v1/admin/catalogue"
)

// inForce is the catalogue new submissions are decided with, and the
// version of catalogueStream that recorded it (exists false: the shipped
// catalogue, no stream yet).
type inForce struct {
	cat     *catalogue.Catalogue
	version uint64
	exists  bool
}

// publishedData is a CataloguePublished event's data. Catalogue holds the
// request body byte for byte.
type publishedData struct {
	Version   string          `json:"version"`
	Catalogue json.RawMessage `json:"catalogue"`
}

type publishResponse struct {
	Version       string `json:"version"`
	StreamVersion uint64 `json:"stream_version"`
	Position      uint64 `json:"position"`
	Replayed      bool   `json:"replayed"`
}

// catalogueInForce is the catalogue new submissions are decided with, nil
// while it cannot be read from the store: deciding with another one would
// be wrong, and Decide refuses a nil catalogue as an internal error.
func (s *Server) catalogueInForce() *catalogue.Catalogue {
	if f := s.catalogue.Load(); f != nil {
		return f.cat
	}
	if f := s.loadCatalogue(); f != nil {
		return f.cat
	}
	return nil
}

// loadCatalogue reads the catalogue in force and puts it in force, or logs
// why it cannot: a store that fails at start must not stop the server from
// starting (readiness and the other routes tell), so the next use retries.
func (s *Server) loadCatalogue() *inForce {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	f, err := readCatalogue(ctx, s.store)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "cannot read the catalogue in force", slog.String("error", err.Error()))
		return nil
	}
	s.setCatalogue(f)
	return s.catalogue.Load()
}

// readCatalogue reads the catalogue in force from the store. A recorded
// catalogue that no longer parses is an error rather than a silent fall
// back to another one.
func readCatalogue(ctx context.Context, store eventstore.Store) (*inForce, error) {
	evs, err := store.ReadStream(ctx, catalogueStream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: eventstore.End, Limit: 1})
	if errors.Is(err, eventstore.ErrStreamNotFound) || err == nil && len(evs) == 0 {
		return &inForce{cat: catalogue.Default()}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("http: reading the published catalogue: %w", err)
	}
	ev := evs[0]
	var d publishedData
	if ev.Type != cataloguePublished || json.Unmarshal(ev.Data, &d) != nil {
		return nil, fmt.Errorf("http: %s version %d is not a %s event", catalogueStream, ev.Version, cataloguePublished)
	}
	cat, err := catalogue.Parse(d.Catalogue)
	if err != nil {
		return nil, fmt.Errorf("http: the catalogue published at %s version %d: %w", catalogueStream, ev.Version, err)
	}
	return &inForce{cat: cat, version: ev.Version, exists: true}, nil
}

// setCatalogue puts f in force unless a later publish already is: two
// publishes (or a publish and a lazy load) may finish in either order.
func (s *Server) setCatalogue(f *inForce) {
	for {
		cur := s.catalogue.Load()
		if cur != nil && (cur.exists && cur.version >= f.version || !f.exists) {
			return
		}
		if s.catalogue.CompareAndSwap(cur, f) {
			return
		}
	}
}

// catalogueBody reads the body of PUT /v1/admin/catalogue, up to
// maxCatalogueBody. It is route middleware after the role check, so only an
// authenticated admin can make the server read that much.
func catalogueBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, maxCatalogueBody))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return domain.Errorf(domain.CodeInvalid, "the catalogue exceeds 1 MiB")
		}
		if err != nil {
			return domain.Errorf(domain.CodeInvalid, "the body could not be read")
		}
		c.Set(catalogueBodyKey, body)
		r.Body, r.ContentLength = http.NoBody, 0
		return next(c)
	}
}

// putCatalogue serves PUT /v1/admin/catalogue: it validates the catalogue,
// refuses a version published before (versions are names, ordered by
// their place in the log), and records it for new submissions.
func (s *Server) putCatalogue(c echo.Context) error {
	body, _ := c.Get(catalogueBodyKey).([]byte)
	if mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); err != nil || mt != echo.MIMEApplicationJSON {
		return domain.Errorf(domain.CodeInvalid, "the body must be application/json")
	}
	cat, err := catalogue.Parse(body)
	if err != nil {
		return invalidCatalogue(err)
	}
	key, err := commandID(c)
	if err != nil {
		return err
	}
	id := uuid.MustParse(key)
	ctx := c.Request().Context()
	history, err := s.store.ReadStream(ctx, catalogueStream, eventstore.ReadStreamOptions{})
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return err
	}
	expected, replay := eventstore.NoStream, false
	if n := len(history); n > 0 {
		expected = eventstore.Exact(history[n-1].Version)
	}
	published := []string{catalogue.Default().Version}
	for _, ev := range history {
		var d publishedData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return fmt.Errorf("http: %s version %d: %w", catalogueStream, ev.Version, err)
		}
		published = append(published, d.Version)
		replay = replay || ev.ID == id
	}
	// A retry is re-sent as it was: the store answers with the original
	// append (or refuses a key reused for another catalogue), whatever the
	// stream's version is now.
	if !replay && slices.Contains(published, cat.Version) {
		return domain.Errorf(domain.CodeConflict, "catalogue version %q was published before; a new catalogue needs a new version", cat.Version)
	}
	meta, err := json.Marshal(eventstore.Metadata{Actor: string(principal(c).Role) + ":" + principal(c).Subject, CausationID: key, Schema: 1})
	if err != nil {
		return err
	}
	res, err := s.store.Append(ctx, catalogueStream, expected, eventstore.EventData{ID: id, Type: cataloguePublished,
		Data: publishedJSON(cat.Version, body), Metadata: meta})
	if err != nil {
		return err
	}
	if !replay {
		s.setCatalogue(&inForce{cat: cat, version: res.LastVersion, exists: true})
		s.log.LogAttrs(ctx, slog.LevelInfo, "catalogue published", slog.String("version", cat.Version),
			slog.Uint64("stream_version", res.LastVersion))
	}
	return writeJSON(c, http.StatusOK, publishResponse{Version: cat.Version, StreamVersion: res.LastVersion,
		Position: res.LastPosition, Replayed: replay})
}

// publishedJSON spells publishedData by hand: json.Marshal would compact
// and re-escape the catalogue, and the event keeps the bytes the admin sent.
func publishedJSON(version string, raw []byte) json.RawMessage {
	v, _ := json.Marshal(version) // a string always marshals
	out := append([]byte(`{"version":`), v...)
	out = append(out, `,"catalogue":`...)
	out = append(out, raw...)
	return append(out, '}')
}

// invalidCatalogue lists every problem Parse found as a field error. A
// problem about one department, bundle, item or material begins with it,
// its code quoted (`bundle "x" item "y": ...`): that is its field; any
// other problem is about the whole catalogue.
func invalidCatalogue(err error) error {
	var ve *catalogue.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("the catalogue is invalid (%d problems; see fields)", len(ve.Problems))}
	for _, p := range ve.Problems {
		field, msg, ok := strings.Cut(p, ": ")
		if !ok || !strings.Contains(field, `"`) {
			field, msg = "catalogue", p
		}
		out.Fields = append(out.Fields, domain.FieldError{Field: field, Message: msg})
	}
	return out
}
