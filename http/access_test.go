package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain/catalogue"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// The access matrix: every route, every role. Each row brings a fresh
// case of the applicant into the state the route needs (setup), then every
// role calls the route, each allowed role on a case of its own. Allowed roles must succeed, the others must be
// refused, and no response to the applicant may carry another applicant's
// data.

// officer returns a department officer of the case region.
func officer(dept string) caseledgerhttp.Principal {
	return caseledgerhttp.Principal{Subject: "acct-" + dept + "-01", Role: caseledgerhttp.RoleDepartment, Unit: dept, Region: "442000"}
}

// submitFor is a submission of bundle with every applicant material but
// those omitted.
func submitFor(tb testing.TB, bundle string, omit ...string) string {
	tb.Helper()
	b, ok := catalogue.Default().Bundle(bundle)
	if !ok {
		tb.Fatalf("no bundle %s", bundle)
	}
	var provided []string
	for _, it := range b.Items {
		for _, m := range it.Materials {
			if m.Source == catalogue.FromApplicant && !slices.Contains(provided, m.Code) && !slices.Contains(omit, m.Code) {
				provided = append(provided, m.Code)
			}
		}
	}
	p, _ := json.Marshal(provided)
	return fmt.Sprintf(`{"bundle_code":%q,"channel":"window","applicant":{"ref":"%s","kind":"company","name":"中山示例公司"},"region":"442000","provided":%s}`,
		bundle, applicant.Subject, p)
}

// step is one call; {id} in path stands for the row's case.
type step struct {
	who          caseledgerhttp.Principal
	method, path string
	body         string
	stream       bool // a streaming route: the call ends after a moment
}

func post(who caseledgerhttp.Principal, path, body string) step {
	return step{who: who, method: http.MethodPost, path: path, body: body}
}

// itemDone accepts and approves an item as its department.
func itemDone(dept, item string) []step {
	return []step{
		post(officer(dept), "/v1/cases/{id}/items/"+item+"/accept", `{}`),
		post(officer(dept), "/v1/cases/{id}/items/"+item+"/decide", `{"outcome":"approved","opinion":"符合条件"}`),
	}
}

const certificate = `{"name":"营业执照","number":"91442000MA00000001","issuing_unit":"中山市市场监督管理局","valid_from":"2026-02-12"}`

var (
	acceptCase = post(window, "/v1/cases/{id}/accept", `{"acceptance_number":"ZS-2026-0001"}`)
	startItem  = post(market, "/v1/cases/{id}/items/registration_change/accept", `{}`)
)

type accessRow struct {
	route  string   // as Server.Routes spells it
	bundle string   // the case's bundle; enterprise_change when empty
	omit   []string // applicant materials the submission lacks
	views  bool     // the route reads the read models
	setup  []step
	call   step // who is ignored: every role calls
	allow  map[caseledgerhttp.Role]int
}

func accessRows() []accessRow {
	all := func(status int) map[caseledgerhttp.Role]int {
		m := map[caseledgerhttp.Role]int{}
		for _, r := range caseledgerhttp.Roles {
			m[r] = status
		}
		return m
	}
	completed := []step{acceptCase}
	completed = append(completed, itemDone("market", "registration_change")...)
	completed = append(completed, post(market, "/v1/cases/{id}/items/registration_change/certificate", certificate))
	for _, it := range [][2]string{{"tax", "tax_update"}, {"hrss", "social_insurance_update"}, {"medical_insurance", "medical_insurance_update"}, {"housing_fund", "housing_fund_update"}} {
		completed = append(completed, itemDone(it[0], it[1])...)
	}
	badRating := slices.Concat(completed, []step{post(applicant, "/v1/cases/{id}/rating", `{"label":"不满意","reason_tags":["等候时间长"],"channel":"web"}`)})
	callBack := post(supervisor, "/v1/cases/{id}/rating/callback", `{"notes":"已电话回访"}`)
	triage := func(verdict string) step {
		return post(supervisor, "/v1/cases/{id}/rating/triage", `{"verdict":"`+verdict+`","reason":"核实"}`)
	}
	A, W, D, S, N := caseledgerhttp.RoleApplicant, caseledgerhttp.RoleWindow, caseledgerhttp.RoleDepartment, caseledgerhttp.RoleSupervisor, caseledgerhttp.RoleAdmin
	return []accessRow{
		{route: "GET /v1/me", call: step{method: http.MethodGet, path: "/v1/me"}, allow: all(200)},
		{route: "GET /v1/catalogue", call: step{method: http.MethodGet, path: "/v1/catalogue"}, allow: all(200)},
		{route: "GET /v1/catalogue/bundles/{code}", call: step{method: http.MethodGet, path: "/v1/catalogue/bundles/enterprise_change"}, allow: all(200)},
		{route: "GET /v1/cases", views: true, setup: []step{acceptCase}, call: step{method: http.MethodGet, path: "/v1/cases?min_position={lastpos}"}, allow: map[caseledgerhttp.Role]int{A: 200, W: 200, D: 200, S: 200}},
		{route: "GET /v1/cases/{id}", views: true, setup: []step{acceptCase}, call: step{method: http.MethodGet, path: "/v1/cases/{id}?min_position={lastpos}"}, allow: map[caseledgerhttp.Role]int{A: 200, W: 200, D: 200, S: 200, N: 200}},
		{route: "GET /v1/cases/{id}/live", call: step{method: http.MethodGet, path: "/v1/cases/{id}/live", stream: true}, allow: map[caseledgerhttp.Role]int{A: 200, W: 200, D: 200, S: 200, N: 200}},
		{route: "GET /v1/cases/{id}/timeline", views: true, setup: []step{acceptCase}, call: step{method: http.MethodGet, path: "/v1/cases/{id}/timeline?min_position={lastpos}"}, allow: map[caseledgerhttp.Role]int{A: 200, W: 200, D: 200, S: 200, N: 200}},
		{route: "GET /v1/cases/{id}/diff", setup: []step{acceptCase}, call: step{method: http.MethodGet, path: "/v1/cases/{id}/diff?from=1"}, allow: map[caseledgerhttp.Role]int{A: 200, W: 200, D: 200, S: 200, N: 200}},
		{route: "GET /v1/items/overdue", views: true, setup: []step{acceptCase}, call: step{method: http.MethodGet, path: "/v1/items/overdue?on=2026-06-01"}, allow: map[caseledgerhttp.Role]int{W: 200, D: 200, S: 200, N: 200}},
		{route: "GET /v1/items/warnings", views: true, setup: []step{acceptCase}, call: step{method: http.MethodGet, path: "/v1/items/warnings"}, allow: map[caseledgerhttp.Role]int{W: 200, D: 200, S: 200, N: 200}},
		{route: "GET /v1/stats", views: true, setup: []step{acceptCase}, call: step{method: http.MethodGet, path: "/v1/stats?by=department"}, allow: map[caseledgerhttp.Role]int{caseledgerhttp.RoleAnalyst: 200, S: 200, N: 200}},
		{route: "GET /v1/disputes", views: true, setup: []step{acceptCase}, call: step{method: http.MethodGet, path: "/v1/disputes?region=442000"}, allow: map[caseledgerhttp.Role]int{S: 200, N: 200}},
		{route: "GET /v1/disputes/{id}", views: true, setup: []step{acceptCase, post(applicant, "/v1/cases/{id}/complaints", `{"department":"market","summary":"答复不清楚"}`)},
			call: step{method: http.MethodGet, path: "/v1/disputes/{last}?min_position={lastpos}"}, allow: map[caseledgerhttp.Role]int{S: 200, N: 200}},
		{route: "GET /v1/cases/{id}/events", call: step{method: http.MethodGet, path: "/v1/cases/{id}/events"}, allow: map[caseledgerhttp.Role]int{S: 200, N: 200}},
		{route: "GET /v1/admin/verify", call: step{method: http.MethodGet, path: "/v1/admin/verify"}, allow: map[caseledgerhttp.Role]int{N: 200}},
		{route: "GET /v1/admin/export", call: step{method: http.MethodGet, path: "/v1/admin/export"}, allow: map[caseledgerhttp.Role]int{N: 200}},
		{route: "PUT /v1/admin/catalogue", call: step{method: http.MethodPut, path: "/v1/admin/catalogue", body: "{catalogue}"}, allow: map[caseledgerhttp.Role]int{N: 200}},
		{route: "POST /v1/admin/backup", call: post(admin, "/v1/admin/backup", `{"dir":"{tmp}"}`), allow: map[caseledgerhttp.Role]int{N: 200}},
		// Submission: the applicant for themselves; the window officer for
		// them (a second submission is another case).
		{route: "POST /v1/cases", call: post(admin, "/v1/cases", "{submit}"), allow: map[caseledgerhttp.Role]int{A: 201, W: 201}},
		{route: "POST /v1/cases/{id}/refuse", call: post(admin, "/v1/cases/{id}/refuse", `{"reason":"不属于受理范围","legal_basis":"行政许可法第三十二条","notice_number":"BY-1"}`), allow: map[caseledgerhttp.Role]int{W: 200}},
		{route: "POST /v1/cases/{id}/accept", call: acceptCase, allow: map[caseledgerhttp.Role]int{W: 200}},
		{route: "POST /v1/cases/{id}/supplement-request", bundle: "restaurant_opening", omit: []string{"staff_health_certificates"}, call: post(admin, "/v1/cases/{id}/supplement-request", "{missing}"), allow: map[caseledgerhttp.Role]int{W: 200, D: 403}},
		{route: "POST /v1/cases/{id}/supplements", bundle: "restaurant_opening", omit: []string{"staff_health_certificates"}, setup: []step{post(window, "/v1/cases/{id}/supplement-request", "{missing}")},
			call: post(admin, "/v1/cases/{id}/supplements", "{supplied}"), allow: map[caseledgerhttp.Role]int{W: 200, D: 403}},
		{route: "POST /v1/cases/{id}/withdraw", call: post(admin, "/v1/cases/{id}/withdraw", `{"reason":"不再需要"}`), allow: map[caseledgerhttp.Role]int{A: 200}},
		{route: "POST /v1/cases/{id}/deliver", setup: completed, call: post(admin, "/v1/cases/{id}/deliver", `{"method":"pickup","items":["registration_change"]}`), allow: map[caseledgerhttp.Role]int{W: 200}},
		{route: "POST /v1/cases/{id}/rating", setup: completed, call: post(admin, "/v1/cases/{id}/rating", `{"label":"满意","channel":"web"}`), allow: map[caseledgerhttp.Role]int{A: 200}},
		{route: "POST /v1/cases/{id}/complaints", setup: []step{acceptCase}, call: post(admin, "/v1/cases/{id}/complaints", `{"department":"market","summary":"窗口答复不清楚"}`), allow: map[caseledgerhttp.Role]int{A: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/accept", setup: []step{acceptCase}, call: startItem, allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/steps", setup: []step{acceptCase, startItem}, call: post(admin, "/v1/cases/{id}/items/registration_change/steps", `{"step":"承办","action":"通过","opinion":"材料齐全"}`), allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/suspend", setup: []step{acceptCase, startItem}, call: post(admin, "/v1/cases/{id}/items/registration_change/suspend", `{"reason":"等待外部核查"}`), allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/resume", setup: []step{acceptCase, startItem, post(market, "/v1/cases/{id}/items/registration_change/suspend", `{"reason":"等待外部核查"}`)},
			call: post(admin, "/v1/cases/{id}/items/registration_change/resume", `{}`), allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/extend", bundle: "restaurant_opening",
			setup: append([]step{acceptCase}, append(itemDone("market", "business_licence_check"), post(market, "/v1/cases/{id}/items/food_business_permit/accept", `{}`))...),
			call:  post(admin, "/v1/cases/{id}/items/food_business_permit/extend", `{"by":{"value":5,"unit":"G"},"approval_ref":"YC-2026-7","reason":"现场核查"}`), allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/decide", setup: []step{acceptCase, startItem}, call: post(admin, "/v1/cases/{id}/items/registration_change/decide", `{"outcome":"approved","opinion":"符合条件"}`), allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/tolerance-materials", bundle: "restaurant_opening", omit: []string{"staff_health_certificates"},
			setup: []step{post(window, "/v1/cases/{id}/accept", `{"acceptance_number":"ZS-2026-0002","tolerance":{"commitment_ref":"CN-1","due_by":"2026-02-16","credit_check":{"ref":"XY-1","dishonest":false}}}`)},
			call:  post(admin, "/v1/cases/{id}/tolerance-materials", "{supplied}"), allow: map[caseledgerhttp.Role]int{W: 200}},
		{route: "POST /v1/cases/{id}/withdraw-items", setup: append([]step{acceptCase}, itemDone("market", "registration_change")...),
			call: post(admin, "/v1/cases/{id}/withdraw-items", `{"items":["tax_update"],"reason":"已自行办理"}`), allow: map[caseledgerhttp.Role]int{A: 200}},
		{route: "POST /v1/cases/{id}/terminate", setup: []step{acceptCase}, call: post(admin, "/v1/cases/{id}/terminate", `{"reason":"申请人死亡","legal_basis":"行政许可法第七十条"}`),
			allow: map[caseledgerhttp.Role]int{W: 200, S: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/special-procedure", setup: []step{acceptCase, startItem},
			call: post(admin, "/v1/cases/{id}/items/registration_change/special-procedure", `{"kind":"实地核查","reason":"核查经营场所"}`), allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/special-procedure/end", setup: []step{acceptCase, startItem, post(market, "/v1/cases/{id}/items/registration_change/special-procedure", `{"kind":"实地核查","reason":"核查经营场所"}`)},
			call: post(admin, "/v1/cases/{id}/items/registration_change/special-procedure/end", `{"result":"场所属实"}`), allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/rating/callback", setup: badRating, call: post(admin, "/v1/cases/{id}/rating/callback", `{"notes":"已电话回访"}`),
			allow: map[caseledgerhttp.Role]int{S: 200, D: 200}},
		{route: "POST /v1/cases/{id}/rating/triage", setup: slices.Concat(badRating, []step{callBack}), call: post(admin, "/v1/cases/{id}/rating/triage", `{"verdict":"true","reason":"等候时间过长属实"}`),
			allow: map[caseledgerhttp.Role]int{S: 200}},
		{route: "POST /v1/cases/{id}/rating/rectification", setup: slices.Concat(badRating, []step{callBack, triage("true")}), call: post(admin, "/v1/cases/{id}/rating/rectification", `{"summary":"增设窗口"}`),
			allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/rating/appeal", setup: slices.Concat(badRating, []step{callBack, triage("malicious")}), call: post(admin, "/v1/cases/{id}/rating/appeal", `{"grounds":"评价与事实不符"}`),
			allow: map[caseledgerhttp.Role]int{D: 200}},
		{route: "POST /v1/cases/{id}/rating/appeal-decision", setup: slices.Concat(badRating, []step{callBack, triage("malicious"), post(market, "/v1/cases/{id}/rating/appeal", `{"grounds":"评价与事实不符"}`)}),
			call: post(admin, "/v1/cases/{id}/rating/appeal-decision", `{"upheld":true,"reason":"申诉成立"}`), allow: map[caseledgerhttp.Role]int{S: 200}},
		{route: "POST /v1/cases/{id}/rating/sign-off", setup: slices.Concat(badRating, []step{callBack, triage("true"), post(market, "/v1/cases/{id}/rating/rectification", `{"summary":"增设窗口"}`)}),
			call: post(admin, "/v1/cases/{id}/rating/sign-off", `{"notes":"整改到位"}`), allow: map[caseledgerhttp.Role]int{S: 200}},
		{route: "POST /v1/cases/{id}/complaints/{complaint}/answer", setup: []step{acceptCase, post(applicant, "/v1/cases/{id}/complaints", `{"department":"market","summary":"答复不清楚"}`)},
			call: post(admin, "/v1/cases/{id}/complaints/{last}/answer", `{"answer":"已重新说明"}`), allow: map[caseledgerhttp.Role]int{D: 200, S: 200}},
		{route: "POST /v1/cases/{id}/dubans", setup: []step{acceptCase}, call: post(admin, "/v1/cases/{id}/dubans", `{"item":"registration_change","reason":"临近时限","reference":"DB-1"}`),
			allow: map[caseledgerhttp.Role]int{S: 200}},
		{route: "POST /v1/cases/{id}/dubans/{duban}/close", setup: []step{acceptCase, post(supervisor, "/v1/cases/{id}/dubans", `{"reason":"临近时限","reference":"DB-1"}`)},
			call: post(admin, "/v1/cases/{id}/dubans/{last}/close", `{"result":"已办结"}`), allow: map[caseledgerhttp.Role]int{S: 200}},
		{route: "POST /v1/cases/{id}/corrections", setup: []step{acceptCase}, call: post(admin, "/v1/cases/{id}/corrections", `{"event_id":"{last}","field":"acceptance_number","correction":"ZS-2026-0009","reason":"录入错误"}`),
			allow: map[caseledgerhttp.Role]int{W: 200, D: 200, S: 200}},
		{route: "POST /v1/cases/{id}/items/{item}/certificate", setup: append([]step{acceptCase}, itemDone("market", "registration_change")...),
			call: post(admin, "/v1/cases/{id}/items/registration_change/certificate", certificate), allow: map[caseledgerhttp.Role]int{D: 200}},
	}
}

func TestEveryRouteForEveryRole(t *testing.T) {
	rows := accessRows()
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.route] = true
	}
	for _, r := range MustServer(t).Routes() {
		if strings.HasPrefix(r, "GET /v1") || strings.HasPrefix(r, "POST /v1") || strings.HasPrefix(r, "PUT /v1") {
			if !covered[r] {
				t.Errorf("route %s has no row in the access matrix", r)
			}
		}
	}
	principals := map[caseledgerhttp.Role]caseledgerhttp.Principal{
		caseledgerhttp.RoleApplicant: applicant, caseledgerhttp.RoleWindow: window, caseledgerhttp.RoleDepartment: market,
		caseledgerhttp.RoleSupervisor: supervisor, caseledgerhttp.RoleAnalyst: analyst, caseledgerhttp.RoleAdmin: admin,
	}
	for _, row := range rows {
		t.Run(row.route, func(t *testing.T) {
			// Rows mostly wait for fsyncs; two at a time halve the wall time.
			t.Parallel()
			var opts []serverOption
			if row.views {
				opts = append(opts, withViews(t))
			}
			ts := MustServer(t, opts...)
			bundle := row.bundle
			if bundle == "" {
				bundle = "enterprise_change"
			}
			// newCase is a case of the applicant brought into the row's
			// state; last is the first event ID of its last setup step.
			newCase := func() (caseID, last string) {
				caseID = mustCreate(t, ts, applicant, submitFor(t, bundle, row.omit...))
				for _, s := range row.setup {
					res := ts.Do(t, fill(t, ts, s, s.who, caseID, bundle, last))
					if res.Status >= 300 {
						t.Fatalf("setup %s %s as %s: %d %s", s.method, s.path, s.who.Role, res.Status, res.Body)
					}
					body := res.JSON(t)
					last = fmt.Sprintf("%s@%v", body["events"].([]any)[0].(map[string]any)["id"], body["position"])
				}
				return caseID, last
			}
			// Another applicant's case, to which nothing may leak.
			theirs := mustCreate(t, ts, other, strings.ReplaceAll(submitFor(t, bundle, row.omit...), applicant.Subject, other.Subject))
			// Refusals leave the case as it was, so refused roles share one;
			// each allowed role acts on a case of its own.
			shared, sharedLast := newCase()
			for _, role := range caseledgerhttp.Roles {
				want, ok := row.allow[role]
				if !ok {
					want = http.StatusForbidden
				}
				caseID, last := shared, sharedLast
				if okStatus(want) {
					caseID, last = newCase()
				}
				res := ts.Do(t, fill(t, ts, row.call, principals[role], caseID, bundle, last))
				if got := res.Status; got != want {
					t.Errorf("%s: status = %d, want %d: %s", role, got, want, res.Body)
				}
				if role == caseledgerhttp.RoleApplicant && strings.Contains(string(res.Body), other.Subject) {
					t.Errorf("the applicant's response carries another applicant's data: %s", res.Body)
				}
			}
			if strings.Contains(row.call.path, "{id}") {
				// The applicant never reaches another applicant's case: the
				// route refuses the role, or the case does not exist for them.
				res := ts.Do(t, fill(t, ts, row.call, applicant, theirs, bundle, sharedLast))
				if res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
					t.Errorf("applicant on another's case: status = %d, want 403 or 404: %s", res.Status, res.Body)
				}
				if strings.Contains(string(res.Body), other.Subject) {
					t.Errorf("another applicant's data leaked: %s", res.Body)
				}
			}
		})
	}
}

func okStatus(s int) bool { return s >= 200 && s < 300 }

// mustCreate submits a case as who and returns its ID.
func mustCreate(tb testing.TB, ts *testServer, who caseledgerhttp.Principal, body string) string {
	tb.Helper()
	res := ts.Do(tb, request{Method: http.MethodPost, Path: "/v1/cases", Token: ts.Token(tb, who), Body: body})
	if res.Status != http.StatusCreated {
		tb.Fatalf("submit as %s: %d %s", who.Subject, res.Status, res.Body)
	}
	return res.JSON(tb)["case_id"].(string)
}

// fill turns a step into a request by who on case caseID, expanding the
// placeholders of paths and bodies. last is "<event ID>@<position>" of the
// last setup step: {last} is the ID of its first event (a complaint's or a
// 督办's ID), {lastpos} its position (for min_position).
func fill(tb testing.TB, ts *testServer, s step, who caseledgerhttp.Principal, caseID, bundle, last string) request {
	lastID, lastPos, _ := strings.Cut(last, "@")
	body := s.body
	switch body {
	case "{submit}":
		body = submitFor(tb, bundle)
	case "{missing}":
		body = `{"missing":["staff_health_certificates"],"notice_number":"BZ-1"}`
	case "{supplied}":
		body = `{"materials":["staff_health_certificates"]}`
	case "{catalogue}":
		body = editedCatalogue(tb, "2026-access", nil)
	}
	body = strings.ReplaceAll(body, "{tmp}", strings.ReplaceAll(tb.TempDir(), `\`, `/`)+"/backup")
	body = strings.ReplaceAll(body, "{last}", lastID)
	path := strings.NewReplacer("{id}", caseID, "{lastpos}", lastPos, "{last}", lastID).Replace(s.path)
	req := request{Method: s.method, Path: path, Token: ts.Token(tb, who), Body: body}
	if s.stream {
		// Long enough to pass the checks and start streaming even on a
		// loaded machine; the stream then ends with the context.
		req.Timeout = 500 * time.Millisecond
	}
	return req
}
