package http

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	viewmetrics "github.com/caseledger/caseledger/projections/metrics"
)

type statsResponse struct {
	By     string           `json:"by"`
	Groups []map[string]any `json:"groups"`
}

// stats serves GET /v1/stats: the service metrics (cycle times, on-time
// rates, outcomes, ratings) grouped by one dimension, from the metrics read
// model. They count cases and items and name no person, so analysts may
// read them; supervisors read their region's. With Accept: text/csv the
// answer is the CSV that caseledger export --metrics writes.
func (s *Server) stats(c echo.Context) error {
	if s.cfg.Views == nil {
		return domain.Errorf(domain.CodeUnavailable, "the read models are not available on this server")
	}
	by := viewmetrics.Dimension(c.QueryParam("by"))
	if by == "" {
		by = viewmetrics.ByMonth
	}
	f := viewmetrics.Filter{Bundle: c.QueryParam("bundle"), Item: c.QueryParam("item"), Department: c.QueryParam("department"),
		Region: c.QueryParam("region"), FromMonth: c.QueryParam("from_month"), ToMonth: c.QueryParam("to_month")}
	if p := principal(c); p.Role == RoleSupervisor {
		f.Region = p.Region
	}
	minPosition, err := queryUint(c, "min_position")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	groups, err := viewmetrics.Query(ctx, s.cfg.Views, minPosition, f, by)
	if err != nil {
		return err
	}
	if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv") {
		c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		w := csv.NewWriter(c.Response())
		w.Write(viewmetrics.Header(by))
		for i := range groups {
			w.Write(groups[i].Record())
		}
		w.Flush()
		return w.Error()
	}
	if err != nil {
		return err
	}
	out := statsResponse{By: string(by), Groups: make([]map[string]any, len(groups))}
	header := viewmetrics.Header(by)
	for i := range groups {
		rec := groups[i].Record()
		g := make(map[string]any, len(header))
		g[header[0]] = rec[0]
		// The CSV leaves rates and percentiles without a population empty;
		// JSON leaves them out, and gives the rest as numbers.
		for j := 1; j < len(header); j++ {
			if rec[j] == "" {
				continue
			}
			if n, err := strconv.ParseFloat(rec[j], 64); err == nil {
				g[header[j]] = n
			}
		}
		out.Groups[i] = g
	}
	return writeJSON(c, http.StatusOK, out)
}
