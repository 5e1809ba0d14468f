package market

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"patentwall/migrations"
)

// Store is the domain's persistence: every state change is one transaction through it.
type Store struct {
	db *gorm.DB
	// read is for read-only queries off the hot public paths (search results, patent pages). On
	// Postgres it is db; on SQLite it is a separate pool of query-only connections, so that readers run
	// beside each other and beside the single writer (WAL mode) instead of queueing behind it.
	read *gorm.DB
	// listing is read with prepared statements, for the few fixed queries of every search request
	// (PatentsByIDs): the SQLite driver otherwise parses and plans each query anew. nil on Bound copies.
	listing *gorm.DB
	Dialect string // "postgres" or "sqlite"
	// Now is the clock; tests inject a fixed one. Always returns UTC.
	Now func() time.Time

	// outbox holds who to wake when a transaction that wrote search-outbox rows commits; Bound copies
	// share it.
	outbox *outboxSignal
	// bound is set on a copy made by Bound: its Tx is a savepoint, and mark is the enclosing
	// transaction's outbox mark (nil when that transaction did not come from Store.Tx).
	bound bool
	mark  *outboxMark
	// tokens caches resolved API tokens (tokencache.go); Bound copies share it.
	tokens *tokenCache
	// contractSeq is the contracts ID sequence's name, looked up once (acceptSelect); shared by Bound copies.
	contractSeq *atomic.Pointer[string]
	// pipelined counts the acceptances signed by acceptPipelined (accept_pg.go), for tests and profiles.
	pipelined *atomic.Int64
	// acceptSlots admits acceptances to Postgres a few at a time, first come first served (accept_pg.go);
	// nil on SQLite. Bound copies share it (and do not use it).
	acceptSlots chan struct{}
}

// Open connects to Postgres when dsn starts with postgres:// or postgresql://, otherwise treats dsn
// as a SQLite file path (its folder is created).
func Open(dsn string) (*Store, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		// The one session with prepared statements (Store.listing) keeps at most this many.
		PrepareStmtMaxSize: 16,
	}
	var (
		db      *gorm.DB
		err     error
		dialect string
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") || strings.Contains(dsn, "host=") {
		dialect = "postgres"
		db, err = gorm.Open(postgres.Open(dsn), cfg)
		if err == nil {
			sqlDB, _ := db.DB()
			sqlDB.SetMaxOpenConns(40)
			sqlDB.SetMaxIdleConns(40)
			sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		}
	} else {
		dialect = "sqlite"
		if dir := filepath.Dir(dsn); dir != "" && dsn != ":memory:" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("market: create %s: %w", dir, err)
			}
		}
		// WAL lets readers run beside the one writer; immediate transactions take the write lock at
		// BEGIN so two writers (this process and a CLI command, say) queue on busy_timeout instead of
		// failing with SQLITE_BUSY when a read transaction tries to become a write one. Times are written
		// in the format every earlier version wrote (sqliteTimes; TestSQLiteTimeFormat checks). The writer
		// keeps statement journals in memory: a large import's transaction otherwise wrote every
		// multi-row INSERT's statement journal to a temporary file. (A larger page cache also spared the
		// import some writes, but it stays in the server's memory, which has a 300 MB target.)
		q := "_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
			"&_pragma=temp_store(MEMORY)&_txlock=immediate" + sqliteTimes
		db, err = gorm.Open(sqlite.Open(dsn+"?"+q), cfg)
		if err == nil {
			sqlDB, _ := db.DB()
			// The writer connects first so the file is in WAL mode before any reader opens it.
			if err := sqlDB.Ping(); err != nil {
				return nil, fmt.Errorf("market: open sqlite database: %w", err)
			}
			// One connection: SQLite has one writer anyway, and this makes every transaction serial,
			// which is what the row locks on Postgres achieve.
			sqlDB.SetMaxOpenConns(1)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("market: open %s database: %w", dialect, err)
	}
	read := db
	if dialect == "sqlite" && dsn != ":memory:" {
		read, err = gorm.Open(sqlite.Open(dsn+"?_pragma=busy_timeout(20000)&_pragma=query_only(1)"+sqliteTimes), cfg)
		if err != nil {
			return nil, fmt.Errorf("market: open sqlite readers: %w", err)
		}
		rdb, _ := read.DB()
		rdb.SetMaxOpenConns(4)
		rdb.SetMaxIdleConns(4)
	}
	// After the readers' Open: both pools share cfg, and so its callbacks, which each Open resets.
	tokens := newTokenCache()
	if err := registerTokenCacheInvalidation(db, tokens); err != nil {
		return nil, fmt.Errorf("market: open %s database: %w", dialect, err)
	}
	// PatentsByIDs pads its ID lists to a few sizes (listingIDs), so its statements have a few shapes.
	listing := read.Session(&gorm.Session{PrepareStmt: true, NewDB: true})
	st := &Store{db: db, read: read, listing: listing, Dialect: dialect, Now: func() time.Time { return time.Now().UTC() },
		outbox: &outboxSignal{}, tokens: tokens, contractSeq: new(atomic.Pointer[string]), pipelined: new(atomic.Int64)}
	if dialect == "postgres" {
		st.acceptSlots = make(chan struct{}, AcceptSlots())
	}
	return st, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	if s.read != nil && s.read != s.db {
		if r, err := s.read.DB(); err == nil {
			r.Close()
		}
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers (the health check).
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Migrate applies the schema's pending migrations (the migrations package) and returns how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return 0, err
	}
	return migrations.Up(ctx, sqlDB, s.Dialect)
}

// reader returns the pool for read-only queries.
func (s *Store) reader() *gorm.DB {
	if s.read != nil {
		return s.read
	}
	return s.db
}

// Gorm returns the writer pool for the packages that own SQL beside market itself: its subpackages
// (imports, demo, markettest), bonus (its own tables) and search/sqlbaseline. web and cmd never use it:
// they call named store methods (web/arch_test.go fails when they touch GORM or database/sql).
func (s *Store) Gorm() *gorm.DB { return s.db }

// Bound returns a copy of the store whose statements all run in tx (a Tx on it becomes a savepoint),
// with the given clock (nil keeps the store's). An import or the demo loader runs inside a caller's
// transaction this way, so the caller's checks and the work commit or roll back together. Outbox rows
// written through the copy wake the worker when the enclosing Store.Tx commits (a tx from elsewhere
// never signals: the worker's polling finds its rows).
func (s *Store) Bound(tx *gorm.DB, now func() time.Time) *Store {
	c := *s
	c.db, c.read, c.listing = tx, tx, nil
	c.bound, c.mark = true, markOf(tx)
	if now != nil {
		c.Now = now
	}
	return &c
}

// IsPostgres reports whether the store runs on Postgres (row locks, SKIP LOCKED).
func (s *Store) IsPostgres() bool { return s.Dialect == "postgres" }

// Tx runs fn in one transaction on the context. When fn wrote search-outbox rows (EnqueueIndex), the
// store's outbox listeners are called once the transaction has committed (never after a rollback). On a
// Bound copy the transaction is a savepoint: its rows are signalled when the outermost Tx commits.
func (s *Store) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.bound {
		return s.db.WithContext(context.WithValue(ctx, outboxMarkKey{}, s.mark)).Transaction(fn)
	}
	m := new(outboxMark)
	epoch := s.tokens.epoch.Load()
	err := s.db.WithContext(context.WithValue(ctx, outboxMarkKey{}, m)).Transaction(fn)
	if s.tokens.epoch.Load() != epoch {
		// The transaction wrote a table resolved tokens depend on (or another one did meanwhile): a token
		// read between that statement and the commit saw the old rows, so forget it now that they are
		// committed (tokencache.go).
		s.tokens.invalidate()
	}
	if err == nil && m.enqueued.Load() {
		s.outbox.signal()
	}
	return err
}

// now returns the current time in UTC, truncated to microseconds (Postgres' precision), so what is
// hashed before a write equals what is read back.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// GetMeta reads a meta value ("" when absent).
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	var m Meta
	err := s.db.WithContext(ctx).Where("key = ?", key).Limit(1).Find(&m).Error
	return m.Value, err
}

// SetMeta writes a meta value.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	return s.db.WithContext(ctx).Save(&Meta{Key: key, Value: value}).Error
}

// EnqueueIndex writes outbox rows for patents inside the caller's transaction, which must come from
// Store.Tx (or a Bound copy's Tx) for the worker to be woken when it commits; see Store.OnOutboxChange.
func EnqueueIndex(tx *gorm.DB, now time.Time, patentIDs ...int64) error {
	if len(patentIDs) == 0 {
		return nil
	}
	rows := make([]OutboxRow, len(patentIDs))
	for i, id := range patentIDs {
		rows[i] = OutboxRow{PatentID: id, CreatedAt: now}
	}
	if err := tx.CreateInBatches(rows, InsertBatch(tx, 3)).Error; err != nil {
		return err
	}
	noteEnqueued(tx)
	return nil
}

// sqliteTimes are the SQLite driver's time parameters on every connection: times written as
// "2006-01-02 15:04:05.999999999-07:00" (the format of the databases earlier versions wrote, with the
// glebarez driver), and text read as a time only from columns declared DATE, DATETIME or TIMESTAMP.
// Without _texttotime=0 the driver also turns date-shaped text of expressions (a MAX(), a CAST) into
// times, and a scan of one into a string would read RFC 3339 instead of what is stored.
const sqliteTimes = "&_time_format=sqlite&_texttotime=0"

// InsertBatch is how many rows of `columns` columns one multi-row INSERT should carry: at most 500, and
// up to 8,000 parameters on SQLite (its limit is 32,766) or 30,000 on Postgres (which takes 65,535). SQLite
// was held to 500 parameters while its driver (glebarez/go-sqlite) matched each bound parameter against
// every argument, so that a statement cost the square of its parameter count; the current one binds in
// linear time, and each statement has a fixed cost (gorm's callbacks, the parse): 100,000 patents
// imported into SQLite took 4.0–4.4 s in statements of 27 rows and 3.7–3.9 s in statements of 444
// (BenchmarkImportPatents/sqlite, docs/performance.md).
func InsertBatch(tx *gorm.DB, columns int) int {
	limit := 30000
	if tx.Dialector.Name() == "sqlite" {
		limit = 8000
	}
	return max(1, min(500, limit/max(columns, 1)))
}
