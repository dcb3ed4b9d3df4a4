package http

// CachedTokens reports how many verified tokens s remembers, so the
// external tests can check the cache's bound.
func CachedTokens(s *Server) int {
	s.verify.cache.mu.Lock()
	defer s.verify.cache.mu.Unlock()
	return len(s.verify.cache.entries)
}

// TokenCacheSize is the cache's bound.
const TokenCacheSize = tokenCacheSize
