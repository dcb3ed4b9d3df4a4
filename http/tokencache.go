package http

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCacheSize bounds the verified tokens remembered at once: about 300
// bytes each, 40 MB when full (measured). Every applicant holds a token of
// their own, so the cache must cover the tokens active within a token's
// lifetime on one server: with fewer entries than active tokens, most
// requests pay the Ed25519 check (80 µs, as much as the rest of a status
// query). 131,072 covers the goal store of issue 5, 100,000 cases whose
// applicants all query at once; with 32,768 two status queries in three
// paid the check there.
const tokenCacheSize = 1 << 17

// tokenCache remembers tokens whose signature and claims were verified, so
// that repeated requests with the same token skip the Ed25519 check (about a
// quarter of a status query). Keys are the tokens' SHA-256: the cache holds
// no bearer token. Only successes are cached, and an entry is used strictly
// before the token's exp, so a cached token expires exactly when a verified
// one would (jwt refuses a token at or after exp).
type tokenCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cachedToken
	// size bounds the entries; a full cache shrinks to low (see put).
	size, low int
}

type cachedToken struct {
	p   Principal
	exp time.Time
}

func newTokenCache(size int) *tokenCache {
	return &tokenCache{entries: make(map[[sha256.Size]byte]cachedToken), size: size, low: size * 7 / 8}
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

// put remembers a verified token until exp. A full cache first drops the
// expired entries, then arbitrary ones (map order) down to seven eighths of
// its size, which only costs their holders one more signature check.
// Shrinking by an eighth at once, rather than by one entry, makes the sweep
// over the map cost O(1) per put when more clients are active than the
// cache holds.
func (c *tokenCache) put(key [sha256.Size]byte, p Principal, exp, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.size {
		for k, e := range c.entries {
			if !now.Before(e.exp) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) <= c.low {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = cachedToken{p: p, exp: exp}
}
