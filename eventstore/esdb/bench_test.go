package esdb_test

import (
	"fmt"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
)

// BenchmarkAppendThroughEndpoint measures one-event appends to fresh
// streams, each a read of the stream's tail and an append over TLS gRPC,
// durable in the embedded store behind the endpoint.
func BenchmarkAppendThroughEndpoint(b *testing.B) {
	s, _ := openThroughEndpoint(b)
	ev := events(1, "Noted")
	i := 0
	for b.Loop() {
		ev[0] = events(1, "Noted")[0]
		if _, err := s.Append(b.Context(), fmt.Sprintf("case-%d", i), eventstore.NoStream, ev...); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkReadAllThroughEndpoint measures reading 1000 events of $all.
func BenchmarkReadAllThroughEndpoint(b *testing.B) {
	s, _ := openThroughEndpoint(b)
	for i := range 100 {
		if _, err := s.Append(b.Context(), fmt.Sprintf("case-%d", i), eventstore.NoStream, events(10, "Noted")...); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		got, err := s.ReadAll(b.Context(), eventstore.ReadAllOptions{})
		if err != nil || len(got) != 1000 {
			b.Fatalf("ReadAll = %d events, %v", len(got), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/event")
}
