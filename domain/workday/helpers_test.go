package workday_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain/workday"
)

// mustDate parses "2006-01-02" or fails the test.
func mustDate(tb testing.TB, s string) workday.Date {
	tb.Helper()
	d, err := workday.ParseDate(s)
	if err != nil {
		tb.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// mustParse parses calendar data or fails the test.
func mustParse(tb testing.TB, data string) *workday.Calendar {
	tb.Helper()
	c, err := workday.Parse([]byte(data))
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return c
}
