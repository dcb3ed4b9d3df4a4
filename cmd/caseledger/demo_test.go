package main_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// demoNow is a working day, 10:00 in China.
var demoNow = time.Date(2026, 11, 18, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestDemoFillsAnEmptyStoreOnceAndPrintsWorkingTokensAndExamples(t *testing.T) {
	data := t.TempDir()
	// 40 cases take a few seconds; 10 leave no item running at the end
	// for the printed step, even with -short.
	cases := "40"
	// The watcher is off: its first tick may warn about items that came
	// due today (watch_test.go covers it), and this test compares heads.
	m, out := newMain(map[string]string{"CASELEDGER_DATA": data}, "serve", "--addr", "127.0.0.1:0", "--demo", "--demo-cases", cases, "--watch-interval", "0")
	// The history ends at the server's clock; a fixed one makes it the same
	// on every run, with items running at its end for the printed step.
	m.Now = func() time.Time { return demoNow }
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	tokens := map[string]string{}
	for _, match := range regexp.MustCompile(`(?m)^  (\w+) +(\S+\.\S+\.\S+)$`).FindAllStringSubmatch(out.String(), -1) {
		tokens[match[1]] = match[2]
	}
	for _, role := range []string{"applicant", "window", "department", "supervisor", "analyst", "admin"} {
		tok, ok := tokens[role]
		if !ok {
			t.Errorf("no %s token in the demo output:\n%s", role, out)
			continue
		}
		status, body := call(t, http.MethodGet, m.URL()+"/v1/me", tok, "")
		if status != http.StatusOK || !strings.Contains(body, `"role":"`+role+`"`) {
			t.Errorf("%s token: /v1/me = %d %s", role, status, body)
		}
	}
	if !strings.Contains(out.String(), m.URL()) {
		t.Errorf("the demo output lacks the URL %s", m.URL())
	}
	checkDemoExamples(t, out.String())
	status, body := call(t, http.MethodGet, m.URL()+"/healthz", "", "")
	if status != http.StatusOK || strings.Contains(body, `"head":0`) || !strings.Contains(body, `"head":`) {
		t.Fatalf("healthz after the demo = %d %s, want a non-empty log", status, body)
	}
	m.Close()

	again, out2 := newMain(map[string]string{"CASELEDGER_DATA": data}, "serve", "--addr", "127.0.0.1:0", "--demo", "--watch-interval", "0")
	if err := again.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { again.Close() })
	if strings.Contains(out2.String(), "Tokens") {
		t.Errorf("a second --demo on a filled store generated again")
	}
	status, body2 := call(t, http.MethodGet, again.URL()+"/healthz", "", "")
	if got, want := body2, body; status != http.StatusOK || got != want {
		t.Errorf("healthz after a second --demo = %s, want %s (nothing appended)", got, want)
	}
}

// TestDemoStartsWhenTodayIsPastTheShippedCalendar: the generator refuses
// years the calendar does not publish, so after the calendar's last year the
// demo history ends on that year's last day instead of failing to start.
func TestDemoStartsWhenTodayIsPastTheShippedCalendar(t *testing.T) {
	m, _ := newMain(map[string]string{"CASELEDGER_DATA": t.TempDir()}, "serve", "--addr", "127.0.0.1:0", "--demo", "--demo-cases", "20", "--watch-interval", "0")
	m.Now = func() time.Time { return time.Date(2027, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) }
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("serve --demo with a clock past the calendar: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	status, body := call(t, http.MethodGet, m.URL()+"/healthz", "", "")
	if status != http.StatusOK || strings.Contains(body, `"head":0`) {
		t.Fatalf("healthz = %d %s, want a filled store", status, body)
	}
}
