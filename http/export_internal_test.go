package http

// CachedTokens reports how many verified tokens s remembers, so the
// external tests can check the cache's bound.
func CachedTokens(s *Server) int {
	s.verify.cache.mu.Lock()
	defer s.verify.cache.mu.Unlock()
	return len(s.verify.cache.entries)
}

// WithTokenCacheSize gives s a token cache of n tokens, so that a test
// can fill it past its bound without verifying a hundred thousand tokens.
func WithTokenCacheSize(s *Server, n int) { s.verify.cache = newTokenCache(n) }
