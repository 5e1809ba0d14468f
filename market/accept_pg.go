package market

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm/schema"
)

// The common case of an acceptance on Postgres in two round trips instead of four (docs/architecture.md,
// "Signing"): the same locking read and the same insert as acceptTx, pipelined on one connection as
// BEGIN + read, then insert + COMMIT. Only the common case runs here: a live declaration found, every
// check passed, no explicit channel ("via"), the limits not exceeded, and the insert not running into an
// existing contract. Anything else rolls back and goes the general way (acceptTx), which gives every
// other answer (errors, replays, attribution) exactly as before; the read's rate-limit count is rolled
// back with it, so an attempt is counted once either way.

// AcceptSlots is how many acceptances one process runs against Postgres at once: twice its usable
// cores, and at least 4. The others wait for a slot in the order they came (docs/architecture.md,
// "Signing"): 32 concurrent transactions on a small machine spend more of it switching between Postgres
// backends than signing, and database/sql hands a free connection to a random waiter, which stretches
// the slowest answers.
func AcceptSlots() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// acceptSlot waits for an acceptance slot (Postgres; a no-op on SQLite, whose one writer connection
// already serialises, and in a bound store, which runs inside a transaction that must not wait behind
// others). Waiters are served first come, first served, as a channel queues its senders. The
// acceptance gives its slot back by calling release.
func (s *Store) acceptSlot(ctx context.Context) (release func(), err error) {
	if s.acceptSlots == nil || s.bound {
		return func() {}, nil
	}
	select {
	case s.acceptSlots <- struct{}{}:
		return func() { <-s.acceptSlots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("market: waiting to sign: %w", ctx.Err())
	}
}

// errNotPipelined: this acceptance takes the general path.
var errNotPipelined = errors.New("market: acceptance not pipelined")

// acceptPipelined signs the acceptance in two pipelined round trips. ok is false when it did not sign
// (nothing of it was committed, except when counted is true: then its transaction committed the
// rate-limit count but inserted nothing, an existing contract being in the way).
func (s *Store) acceptPipelined(ctx context.Context, actor Actor, canon string, req AcceptRequest, scopedKey *string) (c *Contract, counted, ok bool) {
	if !s.IsPostgres() || s.bound || strings.TrimSpace(req.Via) != "" {
		return nil, false, false
	}
	db := s.db.WithContext(ctx)
	sel, err := s.acceptSelect(db, len(req.Limits))
	if err != nil {
		return nil, false, false
	}
	dests, err := acceptDests()
	if err != nil {
		return nil, false, false
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, false, false
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, false, false
	}
	defer conn.Close()
	start := s.now()
	readArgs := append(limitArgs(req.Limits, start), DeclLive, actor.OrgID, start.Add(-AttributionWindow), canon)
	err = conn.Raw(func(dc any) error {
		sc, isPgx := dc.(*stdlib.Conn)
		if !isPgx {
			return errNotPipelined
		}
		pc := sc.Conn()
		var row acceptRow
		err := func() error {
			b := &pgx.Batch{}
			b.Queue("BEGIN")
			b.Queue(dollarParamsCached(sel), readArgs...)
			br := pc.SendBatch(ctx, b)
			if _, err := br.Exec(); err != nil {
				br.Close()
				return err
			}
			found, err := scanAcceptRow(br, &row, dests)
			if cerr := br.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if !found || row.RateLimited {
				return errNotPipelined
			}
			var events []ContractEvent
			var n *Notification
			c, events, n, err = s.acceptBuild(&row, actor, req, scopedKey)
			if err != nil {
				return errNotPipelined
			}
			q, args := acceptInsertSQL(c, row.P.ID, events, n)
			b = &pgx.Batch{}
			b.Queue(dollarParamsCached(q), args...)
			b.Queue("COMMIT")
			br = pc.SendBatch(ctx, b)
			var inserted int
			err = br.QueryRow().Scan(&inserted)
			if err == nil {
				_, err = br.Exec()
			}
			if cerr := br.Close(); err == nil {
				err = cerr
			}
			if err == nil && inserted != 1 {
				counted = true
				return errNotPipelined
			}
			return err
		}()
		if err != nil {
			// Whatever failed, the connection goes back to the pool outside any transaction, or not at all.
			if pc.PgConn().TxStatus() != 'I' {
				if _, rerr := pc.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil || pc.PgConn().TxStatus() != 'I' {
					return driver.ErrBadConn
				}
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, counted, false
	}
	s.pipelined.Add(1)
	return c, false, true
}

// PipelinedAccepts is how many acceptances this store signed in two pipelined round trips (accept_pg.go);
// the others took the general path.
func (s *Store) PipelinedAccepts() int64 { return s.pipelined.Load() }

// scanAcceptRow reads the acceptance read's one row (if any) into row.
func scanAcceptRow(br pgx.BatchResults, row *acceptRow, dests func(*acceptRow, []string) ([]any, error)) (bool, error) {
	rows, err := br.Query()
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	fds := rows.FieldDescriptions()
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = fd.Name
	}
	d, err := dests(row, names)
	if err != nil {
		return false, err
	}
	if err := rows.Scan(d...); err != nil {
		return false, err
	}
	rows.Close()
	return true, rows.Err()
}

var (
	acceptDestsOnce   sync.Once
	acceptDestsSchema *schema.Schema
	acceptDestsErr    error
)

// acceptDests maps the read's columns to acceptRow's fields by the names the gorm path scans them by
// (embedded prefixes included), so that both paths read the same row the same way.
func acceptDests() (func(*acceptRow, []string) ([]any, error), error) {
	acceptDestsOnce.Do(func() {
		acceptDestsSchema, acceptDestsErr = schema.Parse(&acceptRow{}, &sync.Map{}, schema.NamingStrategy{})
	})
	if acceptDestsErr != nil {
		return nil, acceptDestsErr
	}
	return func(row *acceptRow, names []string) ([]any, error) {
		rv := reflect.ValueOf(row).Elem()
		out := make([]any, len(names))
		for i, name := range names {
			f := acceptDestsSchema.FieldsByDBName[name]
			if f == nil {
				return nil, fmt.Errorf("market: acceptance read: no field for column %s", name)
			}
			out[i] = f.ReflectValueOf(context.Background(), rv).Addr().Interface()
		}
		return out, nil
	}, nil
}

// dollarTexts holds dollarParams' answers for the statements acceptPipelined sends, which are few and
// fixed (acceptSelect's and acceptInsertSQL's texts).
var dollarTexts sync.Map // string → string

// dollarParamsCached is dollarParams, remembered.
func dollarParamsCached(q string) string {
	return cachedText(&dollarTexts, q, func() string { return dollarParams(q) })
}

// dollarParams numbers a statement's "?" placeholders as Postgres' $1, $2, … (the statements given here
// hold no "?" inside literals).
func dollarParams(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 64)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
