package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// admin calls an admin route of the server at --server with a short-lived
// admin token signed by the data directory's key, and hands the body of a
// 200 answer to read (nil discards it). Problems are reported by their
// detail.
func (m *Main) admin(ctx context.Context, method, path string, body io.Reader, read func(io.Reader) error) error {
	return m.adminAccepting(ctx, method, path, "application/json", body, read)
}

// adminAccepting is admin asking for the media type accept.
func (m *Main) adminAccepting(ctx context.Context, method, path, accept string, body io.Reader, read func(io.Reader) error) error {
	key, err := loadKey(m.cfg.keyFile(), false)
	if err != nil {
		return err
	}
	tok, err := caseledgerhttp.MintToken(key, caseledgerhttp.Principal{Subject: "caseledger-cli", Role: caseledgerhttp.RoleAdmin},
		time.Now(), 5*time.Minute+adminTimeout)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(m.cfg.Server, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", accept)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("server %s: %w", m.cfg.Server, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var p struct{ Detail string }
		json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&p)
		return fmt.Errorf("server %s: %s: %s", m.cfg.Server, res.Status, p.Detail)
	}
	if read == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	return read(res.Body)
}

// jsonInto reads a JSON body into v.
func jsonInto(v any) func(io.Reader) error {
	return func(r io.Reader) error { return json.NewDecoder(r).Decode(v) }
}
