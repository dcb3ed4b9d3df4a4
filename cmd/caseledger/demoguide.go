package main

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"net/url"
	"time"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// printDemo writes what a demo user needs: the URL, a token per role and
// curl commands that work as printed against the generated history. head is
// the log's position after the history; the queries wait for the read
// models to fold that far (min_position), since they are still catching up
// when this is printed.
func printDemo(w io.Writer, base string, key ed25519.PrivateKey, cast demoCast, now time.Time, head uint64) error {
	principals := []caseledgerhttp.Principal{
		{Subject: cast.applicant.PersonID, Role: caseledgerhttp.RoleApplicant},
		{Subject: cast.window.PersonID, Role: caseledgerhttp.RoleWindow, Unit: cast.window.Unit, Region: cast.window.Region},
		{Subject: cast.department.PersonID, Role: caseledgerhttp.RoleDepartment, Unit: cast.department.Unit, Region: cast.department.Region},
		// Supervisors read every case of their region, whether or not
		// they acted in the history.
		{Subject: "demo-supervisor", Role: caseledgerhttp.RoleSupervisor, Region: cast.region},
		{Subject: "demo-analyst", Role: caseledgerhttp.RoleAnalyst},
		{Subject: "demo-admin", Role: caseledgerhttp.RoleAdmin},
	}
	tokens := map[caseledgerhttp.Role]string{}
	fmt.Fprintf(w, "caseledger demo is running at %s\n  API description: %s/openapi.json\n\nTokens (valid %s):\n", base, base, defaultTokenTTL)
	for _, p := range principals {
		if p.Subject == "" {
			continue // no such actor in the case's region (a tiny --demo-cases)
		}
		tok, err := caseledgerhttp.MintToken(key, p, now, defaultTokenTTL)
		if err != nil {
			return err
		}
		tokens[p.Role] = tok
		fmt.Fprintf(w, "  %-10s %s\n", p.Role, tok)
	}
	caseURL := base + "/v1/cases/" + url.PathEscape(cast.caseID)
	wait := fmt.Sprintf("min_position=%d", head)
	fmt.Fprintf(w, "\nTry (min_position=%d makes a query wait until the read models hold the whole demo history):\n", head)
	curl := func(role caseledgerhttp.Role, about, args string) {
		if tok, ok := tokens[role]; ok {
			fmt.Fprintf(w, "  # %s\n  curl -sS -H \"Authorization: Bearer %s\" %s\n", about, tok, args)
		}
	}
	curl(caseledgerhttp.RoleApplicant, "the applicant's case: status and items",
		fmt.Sprintf("%q", caseURL+"?"+wait))
	curl(caseledgerhttp.RoleSupervisor, "the same case's timeline, as the supervisor of its region",
		fmt.Sprintf("%q", caseURL+"/timeline?"+wait))
	if cast.item != "" {
		// The key makes a retry harmless; If-Match refuses the step once
		// the case has moved on.
		curl(caseledgerhttp.RoleDepartment, fmt.Sprintf("a step on item %s of the department officer's department; If-Match is the case's version now (the status query shows the current one)", cast.item),
			fmt.Sprintf("-X POST -H \"Idempotency-Key: demo-step-1\" -H 'If-Match: \"%d\"' -H \"Content-Type: application/json\" -d '{\"step\":\"承办\",\"action\":\"通过\",\"opinion\":\"材料齐全，同意\"}' %q",
				cast.version, caseURL+"/items/"+url.PathEscape(cast.item)+"/steps"))
	}
	curl(caseledgerhttp.RoleSupervisor, "overdue items of the supervisor's region",
		fmt.Sprintf("%q", base+"/v1/items/overdue?"+wait))
	curl(caseledgerhttp.RoleAnalyst, "service metrics by month, de-identified",
		fmt.Sprintf("%q", base+"/v1/stats?by=month&"+wait))
	return nil
}
