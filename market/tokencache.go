package market

// A short-lived cache of resolved API tokens (TokenUser): an API client sends its token with every
// request, and reading the token, its user and organisation each time cost a statement per request.
// Sessions (cookies) are not cached.
//
// What bounds a stale answer (docs/architecture.md §3, README "API tokens"):
//   - In this process, every write to api_tokens, users or organisations (a revocation, a user disabled,
//     an organisation verified or changed, a password change…) empties the cache when the statement runs
//     and again when the Store.Tx that ran it commits, so the next request reads the database: such a
//     change takes effect at once, as without the cache.
//   - Another server process (or a CLI command) writing the same tables is not seen here: an entry lives
//     TokenCacheTTL (one second), after which the token is read again.
//   - Expiry is checked on every request against the cached expires_at; the acceptance of a licence
//     re-reads the licensee organisation (verified, enterprise) under its lock anyway.
// Unknown, revoked and expired tokens are never cached: a bad token always costs its statement.

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// TokenCacheTTL is how long a resolved API token is reused without reading the database, for stores
// opened afterwards; 0 turns the cache off. It bounds how late a process sees a change made by another.
var TokenCacheTTL = time.Second

// tokenCacheMax bounds the entries; a full cache is emptied (it refills from the requests that follow).
const tokenCacheMax = 10000

type tokenCache struct {
	epoch atomic.Uint64
	ttl   atomic.Int64 // time.Duration
	mu    sync.Mutex
	m     map[string]tokenEntry
}

type tokenEntry struct {
	row    authRow
	epoch  uint64
	loaded time.Time // wall clock, not the store's (tests move that one)
}

func newTokenCache() *tokenCache {
	c := &tokenCache{m: map[string]tokenEntry{}}
	c.ttl.Store(int64(TokenCacheTTL))
	return c
}

// SetTokenCacheTTL changes how long this store reuses a resolved API token (TokenCacheTTL when it was
// opened); 0 turns the cache off.
func (s *Store) SetTokenCacheTTL(d time.Duration) {
	s.tokens.ttl.Store(int64(d))
	s.tokens.invalidate()
}

// invalidate forgets every entry: entries of an older epoch are never used again.
func (c *tokenCache) invalidate() { c.epoch.Add(1) }

func (c *tokenCache) get(hash string) (tokenEntry, bool) {
	ttl := time.Duration(c.ttl.Load())
	if ttl <= 0 {
		return tokenEntry{}, false
	}
	c.mu.Lock()
	e, ok := c.m[hash]
	c.mu.Unlock()
	if !ok || e.epoch != c.epoch.Load() || time.Since(e.loaded) >= ttl {
		return tokenEntry{}, false
	}
	return e, true
}

// put remembers a row read after epoch was loaded (and so after every write that epoch counts), at
// loaded (taken before the read).
func (c *tokenCache) put(hash string, row authRow, epoch uint64, loaded time.Time) {
	if c.ttl.Load() <= 0 || epoch != c.epoch.Load() {
		return
	}
	c.mu.Lock()
	if len(c.m) >= tokenCacheMax {
		clear(c.m)
	}
	c.m[hash] = tokenEntry{row: row, epoch: epoch, loaded: loaded}
	c.mu.Unlock()
}

// authTables are the tables a resolved token depends on.
var authTables = []string{"api_tokens", "users", "organisations"}

// registerTokenCacheInvalidation makes every statement that writes an auth table through db empty the
// cache once it has run: GORM's creates, updates and deletes by their table, raw statements by their text.
func registerTokenCacheInvalidation(db *gorm.DB, c *tokenCache) error {
	byTable := func(tx *gorm.DB) {
		if st := tx.Statement; st != nil && (slices.Contains(authTables, st.Table) || writesAuthTable(st.SQL.String())) {
			if quietTouch(st.Context) {
				return
			}
			c.invalidate()
		}
	}
	byText := func(tx *gorm.DB) {
		if st := tx.Statement; st != nil && writesAuthTable(st.SQL.String()) {
			c.invalidate()
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("market:token_cache", byTable),
		cb.Update().After("gorm:update").Register("market:token_cache", byTable),
		cb.Delete().After("gorm:delete").Register("market:token_cache", byTable),
		cb.Raw().After("gorm:raw").Register("market:token_cache", byText),
		cb.Row().After("gorm:row").Register("market:token_cache", byText),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// writesAuthTable reports whether SQL text names an auth table as the target of UPDATE, INSERT INTO or
// DELETE FROM (keywords in any case, the table name in lower case as this package writes it, quoted or
// not). Reads and joins of those tables do not count.
func writesAuthTable(sql string) bool {
	for _, t := range authTables {
		for from := 0; ; {
			i := strings.Index(sql[from:], t)
			if i < 0 {
				break
			}
			i += from
			from = i + len(t)
			if i > 0 && isIdent(sql[i-1]) || from < len(sql) && isIdent(sql[from]) {
				continue // part of another name
			}
			kw, at := prevWord(sql, i)
			switch {
			case strings.EqualFold(kw, "UPDATE"), strings.EqualFold(kw, "INTO"):
				return true
			case strings.EqualFold(kw, "FROM"):
				if kw, _ := prevWord(sql, at); strings.EqualFold(kw, "DELETE") {
					return true
				}
			}
		}
	}
	return false
}

func isIdent(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// prevWord is the word that ends before s[end], skipping spaces and quotes, and where it starts.
func prevWord(s string, end int) (string, int) {
	i := end
	for i > 0 && (s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == '\n' || s[i-1] == '\r' || s[i-1] == '"' || s[i-1] == '`') {
		i--
	}
	j := i
	for j > 0 && isIdent(s[j-1]) {
		j--
	}
	return s[j:i], j
}

type quietTouchKey struct{}

// quietTouch marks the context of the throttled last_used_at write, which changes nothing a resolved
// token depends on and so keeps the cache.
func quietTouch(ctx context.Context) bool {
	v, _ := ctx.Value(quietTouchKey{}).(bool)
	return v
}
