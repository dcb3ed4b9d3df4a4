package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	ID   string
	Data map[string]any
}

// readEvents parses events from r until n have arrived.
func readEvents(tb testing.TB, sc *bufio.Scanner, n int) []sseEvent {
	tb.Helper()
	var out []sseEvent
	var cur sseEvent
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			cur.ID = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.Data); err != nil {
				tb.Fatalf("data %q: %v", line, err)
			}
		case line == "" && cur.ID != "":
			out = append(out, cur)
			cur = sseEvent{}
		}
	}
	if len(out) < n {
		tb.Fatalf("the stream ended after %d events, want %d: %v", len(out), n, sc.Err())
	}
	return out
}

func openLive(tb testing.TB, ts *testServer, url, tok, lastID string) (*bufio.Scanner, func()) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		tb.Fatalf("live: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return bufio.NewScanner(res.Body), func() { cancel(); res.Body.Close() }
}

func TestLiveProgressStreamsHistoryThenNewEvents(t *testing.T) {
	ts := MustServer(t)
	if err := ts.Open("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.Close(context.Background()) })
	caseID := mustSubmit(t, ts, "live")
	url := ts.URL() + "/v1/cases/" + caseID + "/live"

	sc, done := openLive(t, ts, url, ts.Token(t, applicant), "")
	defer done()
	history := readEvents(t, sc, 2)
	if got, want := history[0].Data["type"], "CaseSubmitted"; got != want {
		t.Errorf("first event = %v, want %v", got, want)
	}
	res := ts.Do(t, request{Method: http.MethodPost, Path: "/v1/cases/" + caseID + "/accept", Token: ts.Token(t, window), Body: `{"acceptance_number":"ZS-9"}`})
	if res.Status != http.StatusOK {
		t.Fatalf("accept: %d %s", res.Status, res.Body)
	}
	next := readEvents(t, sc, 1)[0]
	if got, want := next.ID, "2"; got != want {
		t.Errorf("next event id = %s, want %s", got, want)
	}
	if got, want := next.Data["status"], "accepted"; got != want {
		t.Errorf("status after acceptance = %v, want %v", got, want)
	}

	resumed, done2 := openLive(t, ts, url, ts.Token(t, applicant), "1")
	defer done2()
	if got, want := readEvents(t, resumed, 1)[0].ID, "2"; got != want {
		t.Errorf("after Last-Event-ID 1 the first event is %s, want %s", got, want)
	}

	// Close ends the streams, so the graceful shutdown does not wait for
	// clients that never leave.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.Close(ctx); err != nil {
		t.Fatalf("Close with live streams open: %v", err)
	}
}
