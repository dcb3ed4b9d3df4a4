package http

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCacheSize bounds the verified tokens remembered at once (about 4 MB
// at most). Every applicant holds a token of their own, so the cache must
// cover the tokens active within a token's lifetime on one server: with
// fewer entries than active tokens, most requests pay the Ed25519 check.
const tokenCacheSize = 32768

// tokenCache remembers tokens whose signature and claims were verified, so
// that repeated requests with the same token skip the Ed25519 check (about a
// quarter of a status query). Keys are the tokens' SHA-256: the cache holds
// no bearer token. Only successes are cached, and an entry is used strictly
// before the token's exp, so a cached token expires exactly when a verified
// one would (jwt refuses a token at or after exp).
type tokenCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cachedToken
}

type cachedToken struct {
	p   Principal
	exp time.Time
}

func newTokenCache() *tokenCache {
	return &tokenCache{entries: make(map[[sha256.Size]byte]cachedToken)}
}

// get returns the principal of a token verified before, if it has not
// expired by now.
func (c *tokenCache) get(key [sha256.Size]byte, now time.Time) (Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return Principal{}, false
	}
	if !now.Before(e.exp) {
		delete(c.entries, key)
		return Principal{}, false
	}
	return e.p, true
}

// tokenCacheLow is what a full cache shrinks to. Shrinking by an eighth at
// once, rather than by one entry, makes the sweep over the map cost O(1) per
// put when more clients are active than the cache holds.
const tokenCacheLow = tokenCacheSize * 7 / 8

// put remembers a verified token until exp. A full cache first drops the
// expired entries, then arbitrary ones (map order) down to tokenCacheLow,
// which only costs their holders one more signature check.
func (c *tokenCache) put(key [sha256.Size]byte, p Principal, exp, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= tokenCacheSize {
		for k, e := range c.entries {
			if !now.Before(e.exp) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) <= tokenCacheLow {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = cachedToken{p: p, exp: exp}
}
