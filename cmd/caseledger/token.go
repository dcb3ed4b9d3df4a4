package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// token mints a development token signed with the data directory's key
// (or --key-file), which a server on that directory accepts.
func (m *Main) token(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	role := fs.String("role", "", "role: applicant, window, department, supervisor, analyst or admin (required)")
	sub := fs.String("sub", "", "subject: the opaque account reference (default dev-<role>)")
	unit := fs.String("unit", "", "service centre (window) or department code (department)")
	region := fs.String("region", "", "行政区划代码 the holder works in (officers, supervisors)")
	ttl := fs.Duration("ttl", defaultTokenTTL, "how long the token is valid")
	if err := m.parseConfig(fs, args, "data", "key-file", "log-format", "log-level"); err != nil {
		return err
	}
	if *sub == "" {
		*sub = "dev-" + *role
	}
	key, err := loadKey(m.cfg.keyFile(), false)
	if err != nil {
		return err
	}
	p := caseledgerhttp.Principal{Subject: *sub, Role: caseledgerhttp.Role(*role), Unit: *unit, Region: *region}
	tok, err := caseledgerhttp.MintToken(key, p, time.Now(), *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, tok)
	return nil
}
