package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
)

// bindJSON decodes the request body into dst strictly: the body must be one
// JSON object of application/json, with no field dst does not declare and
// nothing after it. Request structs are separate from domain types and are
// mapped by hand after this, so the wire format can stay stable while the
// domain changes.
func bindJSON(c echo.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return domain.Errorf(domain.CodeInvalid, "the body must be application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return domain.Errorf(domain.CodeInvalid, "the body must hold exactly one JSON object")
	}
	return nil
}

// decodeError explains a json decoding failure without echoing the body.
func decodeError(err error) error {
	var he *echo.HTTPError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &he):
		return he // the body limit
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.CodeInvalid, "the body is empty; a JSON object is required")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.CodeInvalid, "the body is not valid JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return invalidField(field, "must be a JSON "+jsonKind(typ.Type.Kind()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalidField(name, "unknown field")
	}
	return domain.Errorf(domain.CodeInvalid, "the body could not be decoded")
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return "number"
}

// invalidField is a CodeInvalid error naming one field.
func invalidField(field, msg string) *domain.Error {
	return &domain.Error{
		Code:    domain.CodeInvalid,
		Message: fmt.Sprintf("invalid field %s: %s", field, msg),
		Fields:  []domain.FieldError{{Field: field, Message: msg}},
	}
}

// fieldErrors collects the offending fields of one request, so a client
// sees all its mistakes at once.
type fieldErrors []domain.FieldError

func (f *fieldErrors) add(field, msg string) {
	*f = append(*f, domain.FieldError{Field: field, Message: msg})
}

// err returns nil or a CodeInvalid error listing every field.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	names := make([]string, len(f))
	for i, fe := range f {
		names[i] = fe.Field
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: "invalid fields: " + strings.Join(names, ", "), Fields: f}
}

// parseUUID reads a canonical UUID; other spellings are refused so that one
// case has one URL.
func parseUUID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || id.String() != s {
		return uuid.Nil, invalidField(field, "must be a UUID such as 0b6f3c2e-4d1a-4e07-9c55-0a1e6f2b7d10")
	}
	return id, nil
}

// parseTime reads an RFC 3339 timestamp with an explicit offset.
func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, invalidField(field, "must be an RFC 3339 time such as 2026-02-12T09:30:00+08:00")
	}
	return t, nil
}

// queryInt reads an optional integer query parameter within [lo, hi].
func queryInt(c echo.Context, name string, def, lo, hi int) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, invalidField(name, fmt.Sprintf("must be an integer from %d to %d", lo, hi))
	}
	return n, nil
}

// queryUint reads an optional unsigned integer query parameter (0 when
// absent).
func queryUint(c echo.Context, name string) (uint64, error) {
	s := c.QueryParam(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, invalidField(name, "must be an integer of 0 or more")
	}
	return n, nil
}

// jsonEncode writes v as compact JSON followed by a newline.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeJSON answers status with v as application/json.
func writeJSON(c echo.Context, status int, v any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	c.Response().WriteHeader(status)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	return jsonEncode(c.Response(), v)
}
