package main

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// appendStats is what the server's metrics say about the appends it made:
// how many, and how long they took in all, from the call to the durable
// acknowledgement (caseledger_append_duration_seconds).
type appendStats struct {
	count   float64
	seconds float64
}

// serverAppends reads the server's append histogram from /metrics. Sampled
// at both ends of the measured window, it says how much of a command's
// latency is the store's append.
func (b *bench) serverAppends() (appendStats, error) {
	res, err := http.Get(b.srv.URL() + "/metrics")
	if err != nil {
		return appendStats{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return appendStats{}, fmt.Errorf("GET /metrics: %s", res.Status)
	}
	var st appendStats
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		var dst *float64
		switch name {
		case "caseledger_append_duration_seconds_count":
			dst = &st.count
		case "caseledger_append_duration_seconds_sum":
			dst = &st.seconds
		}
		if !ok || dst == nil {
			continue
		}
		if *dst, err = strconv.ParseFloat(value, 64); err != nil {
			return appendStats{}, fmt.Errorf("GET /metrics: %s: %w", name, err)
		}
	}
	return st, sc.Err()
}

// since is the appends made between an earlier sample and s.
func (s appendStats) since(earlier appendStats) appendStats {
	return appendStats{count: s.count - earlier.count, seconds: s.seconds - earlier.seconds}
}

// mean is the mean append latency, 0 without appends.
func (s appendStats) mean() time.Duration {
	if s.count == 0 {
		return 0
	}
	return time.Duration(s.seconds / s.count * float64(time.Second))
}
