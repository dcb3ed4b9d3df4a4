package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers. The http package maps each code to
// one status, in one table; nothing else decides statuses.
type Code string

const (
	// CodeInvalid: the input is malformed or out of range (HTTP 400).
	CodeInvalid Code = "invalid"
	// CodeUnauthorized: no valid identity (HTTP 401).
	CodeUnauthorized Code = "unauthorized"
	// CodeForbidden: the actor may not do this (HTTP 403).
	CodeForbidden Code = "forbidden"
	// CodeNotFound: no such thing, or not visible to the actor (HTTP 404).
	CodeNotFound Code = "not_found"
	// CodeConflict: the command breaks a rule given the case's state (HTTP 409).
	CodeConflict Code = "conflict"
	// CodeStale: the caller's version of the case is out of date (HTTP 412).
	CodeStale Code = "stale"
	// CodeUnavailable: try again later (HTTP 503).
	CodeUnavailable Code = "unavailable"
	// CodeInternal: a fault of ours; details are logged, never shown (HTTP 500).
	CodeInternal Code = "internal"
)

// Error is caseledger's one error type.
type Error struct {
	Code Code
	// Rule names the invariant or rule that refused the command, for example
	// "C4 no decision before acceptance"; empty when none applies.
	Rule string
	// Message is safe to show to the user who caused the error.
	Message string
	// Fields lists offending input fields for CodeInvalid.
	Fields []FieldError
	// Err is the underlying cause; never shown to users.
	Err error
}

// FieldError names one offending input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Rule != "" {
		s += " [" + e.Rule + "]"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RuleError returns a CodeConflict *Error naming the rule it enforces.
func RuleError(rule, format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: its *Error's code, or CodeInternal.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
