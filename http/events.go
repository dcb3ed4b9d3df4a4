package http

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// eventJSON is a recorded event as auditors read it: everything the chain
// hash covers, so they can recompute it (eventstore rule 11).
type eventJSON struct {
	ID         string          `json:"id"`
	Stream     string          `json:"stream"`
	Version    uint64          `json:"version"`
	Position   uint64          `json:"position"`
	Type       string          `json:"type"`
	RecordedAt string          `json:"recorded_at"`
	Data       json.RawMessage `json:"data"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
	// The JSON encoder compacts data and metadata. When that changes their
	// bytes, the exact bytes (which the hash covers) travel in base64 too.
	DataBase64     string `json:"data_base64,omitempty"`
	MetadataBase64 string `json:"metadata_base64,omitempty"`
	Hash           string `json:"hash"`
}

func toEventJSON(e *eventstore.RecordedEvent) eventJSON {
	return eventJSON{
		ID: e.ID.String(), Stream: e.Stream, Version: e.Version, Position: e.Position, Type: e.Type,
		RecordedAt: e.RecordedAt.UTC().Format(time.RFC3339Nano),
		Data:       e.Data, Metadata: e.Metadata, Hash: hex.EncodeToString(e.Hash[:]),
		DataBase64: exactBytes(e.Data), MetadataBase64: exactBytes(e.Metadata),
	}
}

// exactBytes is "" when compacting raw leaves it unchanged, else its
// base64.
func exactBytes(raw []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil && bytes.Equal(b.Bytes(), raw) {
		return ""
	}
	return base64.StdEncoding.EncodeToString(raw)
}

type eventPage struct {
	Events     []eventJSON `json:"events"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// caseEvents serves GET /v1/cases/{id}/events: the raw events of one case,
// oldest first, a page at a time.
func (s *Server) caseEvents(c echo.Context) error {
	id, err := parseUUID("id", c.Param("id"))
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	from, err := decodeCursor(c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stream := caseStream(id.String())
	first, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Limit: 1})
	if err != nil {
		return err
	}
	if err := auditable(principal(c), first[0]); err != nil {
		return err
	}
	// One more than asked tells whether another page follows.
	events, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{From: from, Limit: limit + 1})
	if err != nil {
		return err
	}
	page := eventPage{Events: make([]eventJSON, 0, min(len(events), limit))}
	for i := range events[:min(len(events), limit)] {
		page.Events = append(page.Events, toEventJSON(&events[i]))
	}
	if len(events) > limit {
		page.NextCursor = encodeCursor(events[limit].Version)
	}
	return writeJSON(c, http.StatusOK, page)
}

// auditable decides whether p may read a case's raw events, given the
// case's first event: admins read every case, supervisors their region's.
// Anything else answers 404 so that a case's existence does not leak.
func auditable(p Principal, first eventstore.RecordedEvent) error {
	if p.Role == RoleAdmin {
		return nil
	}
	// Only the region of the opening event (domain.CaseSubmitted) matters
	// here; decoding just it keeps the check cheap on long cases.
	var submitted struct {
		Region string `json:"region"`
	}
	if err := json.Unmarshal(first.Data, &submitted); err != nil {
		return &domain.Error{Code: domain.CodeInternal, Message: "internal error", Err: err}
	}
	if p.Role == RoleSupervisor && inRegion(p.Region, submitted.Region) {
		return nil
	}
	return domain.Errorf(domain.CodeNotFound, "no such case")
}

// inRegion reports whether a case of region caseRegion lies in the region an
// officer works in: the same code, or a township (9 digits) of the county
// (6 digits).
func inRegion(officer, caseRegion string) bool {
	return officer != "" && len(caseRegion) >= len(officer) && caseRegion[:len(officer)] == officer
}

// caseStream is the event store stream of a case.
func caseStream(caseID string) string { return "case-" + caseID }

// Cursors are opaque to clients: base64url of "v<version>", so the format
// can change without breaking anyone who only passes them back.
func encodeCursor(version uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v" + strconv.FormatUint(version, 10)))
}

func decodeCursor(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && len(b) > 1 && b[0] == 'v' {
		if v, err := strconv.ParseUint(string(b[1:]), 10, 64); err == nil {
			return v, nil
		}
	}
	return 0, invalidField("cursor", "is not a cursor this API returned")
}
