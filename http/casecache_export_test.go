package http

import "github.com/caseledger/caseledger/domain"

// WithCaseCacheSize gives s a case cache of n cases; 0 remembers none, so
// every command folds the whole stream.
func WithCaseCacheSize(s *Server, n int) { s.caseCache = newCaseCache(n) }

// CachedCase returns the state s remembers for a case and the version it
// reflects.
func CachedCase(s *Server, caseID string) (domain.State, uint64, bool) {
	cc, ok := s.cases().peek(caseStream(caseID))
	return cc.state, cc.head.Version, ok
}

// CachedCases reports how many cases s remembers.
func CachedCases(s *Server) int { return s.cases().len() }

// CaseCacheSize is the cache's bound.
const CaseCacheSize = caseCacheSize
