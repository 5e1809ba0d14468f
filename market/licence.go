package market

// Signing an open licence (docs/rules.md §6): a verified enterprise accepts a live declaration; its written
// notice (书面通知) reaches the patentee through the platform at that moment, which forms the contract.
// Free and royalty-only licences are effective at once (nothing is due up front: royalties are paid
// later on sales, "as posted"); a lump sum or entry fee makes the contract wait for payment.
//
// Exactly-once: an idempotency key per acceptance (unique, scoped to the licensee) and one live contract
// per (declaration, licensee) (unique live_key) are enforced by the database with INSERT … ON CONFLICT
// DO NOTHING; a conflict returns the existing contract. Racing a withdrawal: the acceptance locks the
// patent row (Postgres FOR NO KEY UPDATE), which publishing, replacing and withdrawing lock FOR UPDATE
// before they take their time stamp, and share-locks the live declaration row. Whichever gets the patent
// row first commits first; the other waits in line. The acceptance then re-checks that the declaration is
// live and takes its own time stamp under the lock, so a contract is never dated after a withdrawal.
// Acceptances of one patent queue behind each other (about a millisecond each) rather than sharing the
// lock: with shared locks a stream of acceptances kept a waiting withdrawal out indefinitely, because
// new share lockers go ahead of a queued exclusive one. Acceptances of different patents do not meet.
// SQLite runs one immediate transaction at a time, which serialises the same way.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Contract sources.
const (
	ContractSourcePlatform = "platform" // signed here by accepting a declaration
)

// Errors of AcceptLicence (and ErrOrgUnverified in errors.go); web maps their codes to statuses.
var (
	ErrNotLicensee = &FieldError{Code: CodeForbidden,
		MessageZH: "只有企业用户可以接受开放许可", MessageEN: "only enterprise users can accept open licences"}
	ErrNoDeclaration = &FieldError{Field: "application_no", Code: CodeNoDeclaration,
		MessageZH: "该专利没有有效的开放许可声明", MessageEN: "this patent has no open-licence declaration"}
	ErrDeclarationWithdrawn = &FieldError{Field: "application_no", Code: CodeDeclarationWithdrawn,
		MessageZH: "专利权人已撤回该开放许可声明，无法再接受", MessageEN: "the patentee has withdrawn this open-licence declaration; it can no longer be accepted"}
	ErrTermsChanged = &FieldError{Field: "declaration_id", Code: CodeTermsChanged,
		MessageZH: "开放许可条件已更新，请查看新的条件后再确认", MessageEN: "the licence terms have changed; review the new terms and confirm again"}
	ErrOwnPatent = &FieldError{Field: "application_no", Code: CodeOwnPatent,
		MessageZH: "不能接受本单位专利的开放许可", MessageEN: "you cannot accept an open licence of your own patent"}
	ErrPatentNotInForce = &FieldError{Field: "application_no", Code: CodePatentNotInForce,
		MessageZH: "该专利目前不能许可（未授权、已失效、欠缴年费、权属纠纷或未经质权人同意的质押）",
		MessageEN: "this patent cannot be licensed now (not granted, lapsed, fees unpaid, under dispute, or pledged without consent)"}
	ErrIdempotencyKeyReused = &FieldError{Field: "idempotency_key", Code: CodeIdempotencyKeyReused,
		MessageZH: "该请求编号已用于另一项许可", MessageEN: "this idempotency key was already used for another licence"}
)

// AcceptRequest is one acceptance.
type AcceptRequest struct {
	ApplicationNo string
	// IdempotencyKey makes retries safe: the same key again returns the same contract. Optional (the
	// one-live-contract rule still holds); at most 200 printable characters.
	IdempotencyKey string
	// DeclarationID, when set, is the declaration whose terms the licensee saw; if another one is live
	// now the acceptance fails with ErrTermsChanged instead of signing terms nobody read.
	DeclarationID int64
	// Via is the channel an API client came through (docs/rules.md §10.5); empty: the organisation's last
	// channel within the attribution window.
	Via string
	// Limits are the rate limits the acceptance counts against (docs/interfaces.md §5.2): one attempt
	// under each, whether the acceptance succeeds or not; beyond any of them it fails with
	// ErrRateLimited and nothing is signed. The count is part of the acceptance's own transaction (on
	// Postgres, of its locking read), so it costs no statement or commit of its own; an acceptance that
	// fails is counted after its transaction rolled back.
	Limits []AttemptLimit
}

// AcceptLicence accepts the live open-licence declaration of a patent for the actor's organisation.
// created is false when an existing contract is returned (same key, or a live contract of the same
// licensee and declaration).
func (s *Store) AcceptLicence(ctx context.Context, actor Actor, appNo, idempotencyKey string) (*Contract, bool, error) {
	return s.AcceptLicenceWith(ctx, actor, AcceptRequest{ApplicationNo: appNo, IdempotencyKey: idempotencyKey})
}

// AcceptLicenceWith is AcceptLicence with every option.
func (s *Store) AcceptLicenceWith(ctx context.Context, actor Actor, req AcceptRequest) (*Contract, bool, error) {
	canon, scopedKey, err := acceptChecks(actor, req)
	if err != nil {
		return nil, false, s.countFailedAttempt(ctx, req.Limits, err)
	}
	release, err := s.acceptSlot(ctx)
	if err != nil {
		return nil, false, err
	}
	defer release()
	if c, counted, ok := s.acceptPipelined(ctx, actor, canon, req, scopedKey); ok {
		return c, true, nil
	} else if counted {
		req.Limits = nil // counted by the pipelined attempt, which committed
	}
	var (
		out     *Contract
		created bool
	)
	for attempt := 1; ; attempt++ {
		err = s.Tx(ctx, func(tx *gorm.DB) error {
			var err error
			out, created, err = s.acceptTx(tx, actor, canon, req, scopedKey)
			return err
		})
		// A deadlock with a writer that takes the same rows in another order (e.g. an import) aborts
		// one side; the acceptance is safe to run again.
		if attempt >= 3 || !retryablePG(err) {
			break
		}
	}
	if err == nil {
		return out, created, nil
	}
	err = s.countFailedAttempt(ctx, req.Limits, err)
	if AsFieldErrors(err) == nil {
		return nil, false, fmt.Errorf("market: accept licence %s: %w", canon, err)
	}
	if !errors.Is(err, ErrRateLimited) {
		// A retry after the declaration was withdrawn or replaced still gets its contract back: replays
		// are answered here, off the hot path, rather than by a look-up before every acceptance.
		if c, rerr := s.acceptedBefore(ctx, actor.OrgID, canon, scopedKey); rerr != nil {
			return nil, false, rerr
		} else if c != nil {
			return c, false, nil
		}
	}
	return nil, false, err
}

// acceptChecks are the checks of an acceptance that need no database: who may accept, the application
// number (canonical) and the idempotency key (scoped to the organisation).
func acceptChecks(actor Actor, req AcceptRequest) (string, *string, error) {
	if actor.Anonymous() {
		return "", nil, ErrUnauth
	}
	if actor.OrgID == 0 || actor.Role != RoleLicensee || actor.OrgKind != KindEnterprise {
		return "", nil, ErrNotLicensee
	}
	if !actor.OrgVerified {
		return "", nil, ErrOrgUnverified
	}
	canon, err := NormalizeApplicationNo(req.ApplicationNo)
	if err != nil {
		return "", nil, err
	}
	if req.IdempotencyKey == "" {
		return canon, nil, nil
	}
	if err := checkIdempotencyKey(req.IdempotencyKey); err != nil {
		return "", nil, err
	}
	k := fmt.Sprintf("%d:%s", actor.OrgID, req.IdempotencyKey)
	return canon, &k, nil
}

// countFailedAttempt counts an acceptance that did not commit (its transaction's count was rolled
// back, or it never began) against its limits: failed attempts count too. Beyond a limit the answer is
// ErrRateLimited, whatever the failure was, as when the limit is checked first.
func (s *Store) countFailedAttempt(ctx context.Context, limits []AttemptLimit, failure error) error {
	if len(limits) == 0 {
		return failure
	}
	if err := allowAttempts(s.db.WithContext(ctx), limits, s.now()); err != nil {
		return err // the database's error, or the limit's (with its wait)
	}
	return failure
}

// acceptedBefore finds the contract an acceptance repeats: the one with the same idempotency key (which
// must be for the same patent), or the licensee's live open licence of the patent. nil when none.
func (s *Store) acceptedBefore(ctx context.Context, licenseeID int64, appNo string, scopedKey *string) (*Contract, error) {
	db := s.db.WithContext(ctx)
	if scopedKey != nil {
		c, err := s.contractByKey(db, *scopedKey)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out, _, err := s.replayed(ctx, db, c, appNo)
			return out, err
		}
	}
	var c Contract
	err := db.Model(&Contract{}).Joins("JOIN contract_patents cp ON cp.contract_id = contracts.id").
		Joins("JOIN patents p ON p.id = cp.patent_id").
		Where("p.application_no = ? AND contracts.licensee_id = ? AND contracts.kind = ? AND contracts.live_key IS NOT NULL",
			appNo, licenseeID, ContractOpenLicence).Order("contracts.id DESC").Limit(1).Find(&c).Error
	if err != nil {
		return nil, fmt.Errorf("market: accept licence %s: %w", appNo, err)
	}
	if c.ID == 0 {
		return nil, nil
	}
	return &c, nil
}

// retryablePG reports a Postgres deadlock or serialisation failure.
func retryablePG(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

func checkIdempotencyKey(k string) error {
	if len(k) > 200 || strings.IndexFunc(k, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return NewFieldError("idempotency_key", "invalid", "请求编号无效（最多 200 个可打印字符）",
			"invalid idempotency key (at most 200 printable characters)")
	}
	return nil
}

// replayed answers a known idempotency key: the same patent gives its contract back, another one is a
// client error.
func (s *Store) replayed(ctx context.Context, db *gorm.DB, c *Contract, appNo string) (*Contract, bool, error) {
	var n int64
	err := db.Table("contract_patents cp").Joins("JOIN patents p ON p.id = cp.patent_id").
		Where("cp.contract_id = ? AND p.application_no = ?", c.ID, appNo).Count(&n).Error
	if err != nil {
		return nil, false, fmt.Errorf("market: accept licence %s: %w", appNo, err)
	}
	if n == 0 {
		return nil, false, ErrIdempotencyKeyReused
	}
	return c, false, nil
}

func (s *Store) contractByKey(db *gorm.DB, scopedKey string) (*Contract, error) {
	var c Contract
	if err := db.Where("idempotency_key = ?", scopedKey).Limit(1).Find(&c).Error; err != nil {
		return nil, fmt.Errorf("market: load contract by idempotency key: %w", err)
	}
	if c.ID == 0 {
		return nil, nil
	}
	return &c, nil
}

// acceptRow is everything an acceptance reads, in one statement.
type acceptRow struct {
	P      Patent       `gorm:"embedded;embeddedPrefix:p_"`
	D      Declaration  `gorm:"embedded;embeddedPrefix:d_"`
	Lo     Organisation `gorm:"embedded;embeddedPrefix:lo_"` // licensor (the patentee)
	Le     Organisation `gorm:"embedded;embeddedPrefix:le_"` // licensee
	NextID int64        `gorm:"column:next_id"`
	// The licensee's last channel touch (docs/rules.md §10.5), if within the attribution window.
	TouchChannel *string    `gorm:"column:ct_channel"`
	TouchedAt    *time.Time `gorm:"column:ct_touched_at"`
	// RateLimited: the attempt counted by the read (Postgres) is beyond one of the request's limits.
	RateLimited bool `gorm:"column:rate_limited"`
}

var (
	acceptSelectOnce sync.Once
	acceptSelectCols string
)

// acceptSelect is the read of an acceptance. On Postgres it locks the patent row FOR NO KEY UPDATE
// (publishing and withdrawing lock it FOR UPDATE first, so they wait for us and we for them, in order)
// and the live declaration row FOR SHARE: the patent row itself is not changed by a withdrawal, so only
// the declaration's lock makes Postgres re-check its newest version after the wait (EvalPlanQual), find
// it no longer live and drop the row. It also reserves the contract ID, so the number and the hashed
// terms are known before the insert, reads the licensee's last channel touch (attribution, docs/rules.md
// §10.5) and, on Postgres, counts the attempt against the request's rate limits (data-modifying WITH
// clauses, which run whether or not the read finds a row). Arguments: limitArgs, then DeclLive, the
// licensee, the start of the attribution window, the application number.
func (s *Store) acceptSelect(tx *gorm.DB, limits int) (string, error) {
	acceptSelectOnce.Do(func() {
		// The abstract is the one long text of these rows and nothing here needs it. Of the organisations,
		// only what the checks and the terms read (acceptTx, buildTerms' parties): each column costs the
		// server and the scan on every acceptance.
		orgCols := []string{"id", "uscc", "name", "kind", "address", "legal_rep", "verified_at"}
		acceptSelectCols = strings.Join([]string{selectColumns(tx, "p", &Patent{}, "abstract"), selectColumns(tx, "d", &Declaration{}),
			pickColumns("lo", orgCols), pickColumns("le", orgCols)}, ", ")
	})
	next, lock := "(SELECT COALESCE(MAX(id), 0) + 1 FROM contracts)", "" // SQLite: one writer at a time
	if s.IsPostgres() {
		seq, err := s.contractSequence(tx)
		if err != nil {
			return "", err
		}
		next, lock = "nextval('"+strings.ReplaceAll(seq, "'", "''")+"'::regclass)", " FOR NO KEY UPDATE OF p FOR SHARE OF d"
	}
	return cachedText(&acceptSelectTexts, acceptSelectKey{next: next, limits: limits}, func() string {
		return buildAcceptSelect(next, lock, limits)
	}), nil
}

// buildAcceptSelect is acceptSelect's statement for how the next ID is drawn, the row locks and the
// number of limits.
func buildAcceptSelect(next, lock string, limits int) string {
	var b strings.Builder
	limited := "false"
	if limits > 0 {
		b.WriteString("WITH ")
		var over []string
		for i := range limits {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "rl%d AS (%s)", i, upsertAttemptSQL)
			over = append(over, fmt.Sprintf("(SELECT count FROM rl%d) > ?", i))
		}
		b.WriteString("\n")
		limited = strings.Join(over, " OR ")
	}
	b.WriteString("SELECT " + acceptSelectCols + ", " + next + " AS next_id, ct.channel AS ct_channel, ct.touched_at AS ct_touched_at, (" +
		limited + `) AS rate_limited
FROM patents p
JOIN declarations d ON d.patent_id = p.id AND d.status = ?
JOIN organisations lo ON lo.id = p.patentee_id
JOIN organisations le ON le.id = ?
LEFT JOIN channel_touches ct ON ct.org_id = le.id AND ct.touched_at >= ?
WHERE p.application_no = ?` + lock)
	return b.String()
}

// acceptSelectTexts holds acceptSelect's statements: the text depends only on the database (how the next
// ID is drawn) and the number of limits, and building it on every acceptance cost more than the rest of
// the read's preparation.
var acceptSelectTexts sync.Map // acceptSelectKey → string

type acceptSelectKey struct {
	next   string
	limits int
}

// contractSequence is the name of the contracts ID sequence (Postgres), looked up once: resolving it in
// every acceptance (pg_get_serial_sequence reads the catalogue's dependencies) costs the server more
// than the nextval itself.
func (s *Store) contractSequence(tx *gorm.DB) (string, error) {
	if p := s.contractSeq.Load(); p != nil {
		return *p, nil
	}
	var seq string
	if err := tx.Raw("SELECT pg_get_serial_sequence('contracts', 'id')").Row().Scan(&seq); err != nil {
		return "", fmt.Errorf("market: contracts sequence: %w", err)
	}
	s.contractSeq.Store(&seq)
	return seq, nil
}

// limitArgs are acceptSelect's arguments for the limits: each upsert's, then each maximum.
func limitArgs(limits []AttemptLimit, now time.Time) []any {
	var args []any
	for _, l := range limits {
		args = append(args, attemptArgs(l.Key, l.Window, now)...)
	}
	for _, l := range limits {
		args = append(args, l.Max)
	}
	return args
}

// overLimit reads back the counts of the limits this transaction counted (for a read that found no row).
func overLimit(tx *gorm.DB, limits []AttemptLimit) (bool, error) {
	for _, l := range limits {
		var n int
		if err := tx.Raw("SELECT count FROM rate_limits WHERE key = ?", l.Key).Row().Scan(&n); err != nil {
			return false, fmt.Errorf("market: rate limit %s: %w", l.Key, err)
		}
		if n > l.Max {
			return true, nil
		}
	}
	return false, nil
}

// rawScan is db.Raw(sql, args...).Scan(dest) for one row, without the recording logger Scan installs,
// which formats the statement with its arguments on every call whether anything is logged or not.
// found is false when there is no row.
func rawScan(db *gorm.DB, dest any, sql string, args ...any) (found bool, err error) {
	rows, err := db.Raw(sql, args...).Rows()
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := db.ScanRows(rows, dest); err != nil {
		return false, err
	}
	return true, rows.Close()
}

// pickColumns lists the named columns as "alias.col AS alias_col".
func pickColumns(alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = alias + "." + c + " AS " + alias + "_" + c
	}
	return strings.Join(out, ", ")
}

// selectColumns lists a model's columns as "alias.col AS alias_col", without the omitted ones.
func selectColumns(db *gorm.DB, alias string, model any, omit ...string) string {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		panic(err)
	}
	cols := make([]string, 0, len(stmt.Schema.DBNames))
	for _, c := range stmt.Schema.DBNames {
		if !slices.Contains(omit, c) {
			cols = append(cols, alias+"."+c+" AS "+alias+"_"+c)
		}
	}
	return strings.Join(cols, ", ")
}

func (s *Store) acceptTx(tx *gorm.DB, actor Actor, appNo string, req AcceptRequest, scopedKey *string) (*Contract, bool, error) {
	var row acceptRow
	start := s.now()
	limits := req.Limits
	if len(limits) > 0 && !s.IsPostgres() {
		// SQLite counts here; Postgres in the read.
		if err := allowAttempts(tx, limits, start); err != nil {
			return nil, false, err
		}
		limits = nil
	}
	for attempt := 0; ; attempt++ {
		args := append(limitArgs(limits, start), DeclLive, actor.OrgID, start.Add(-AttributionWindow), appNo)
		q, err := s.acceptSelect(tx, len(limits))
		if err != nil {
			return nil, false, err
		}
		found, err := rawScan(tx, &row, q, args...)
		if err != nil {
			return nil, false, err
		}
		if len(limits) > 0 {
			// Counted once, by the first read.
			if !found {
				row.RateLimited, err = overLimit(tx, limits)
				if err != nil {
					return nil, false, err
				}
			}
			if row.RateLimited {
				return nil, false, ErrRateLimited
			}
			limits = nil
		}
		if found {
			break
		}
		// Say why there is nothing to accept. A replacement that committed while we waited leaves the new
		// declaration outside our statement's snapshot: a fresh statement sees it, so look once more.
		retry, err := whyNoDeclaration(tx, appNo)
		if err != nil || !retry || attempt >= 2 {
			if err == nil {
				err = ErrNoDeclaration
			}
			return nil, false, err
		}
	}
	c, events, n, err := s.acceptBuild(&row, actor, req, scopedKey)
	if err != nil {
		return nil, false, err
	}
	inserted, err := s.insertAcceptance(tx, c, row.P.ID, events, n)
	if err != nil {
		return nil, false, err
	}
	if !inserted {
		existing, err := s.existingAfterConflict(tx, scopedKey, *c.LiveKey, appNo)
		return existing, false, err
	}
	if strings.TrimSpace(req.Via) != "" {
		// An explicit channel is checked and remembered as the last touch.
		if err := AttributeAcceptance(tx, c, req.Via, c.CreatedAt); err != nil {
			return nil, false, err
		}
	}
	return c, true, nil
}

// acceptBuild checks an acceptance's read (acceptSelect) and builds what it writes: the contract, its first
// events and the licensor's notification. The time is taken here, after the locking read.
func (s *Store) acceptBuild(row *acceptRow, actor Actor, req AcceptRequest, scopedKey *string) (*Contract, []ContractEvent, *Notification, error) {
	p, d, licensor, licensee := &row.P, &row.D, &row.Lo, &row.Le
	if req.DeclarationID != 0 && d.ID != req.DeclarationID {
		return nil, nil, nil, ErrTermsChanged
	}
	switch {
	case licensee.ID == licensor.ID:
		return nil, nil, nil, ErrOwnPatent
	case licensee.Kind != KindEnterprise:
		return nil, nil, nil, ErrNotLicensee
	case !licensee.Verified():
		// The actor came from a session; the database has the last word.
		return nil, nil, nil, ErrOrgUnverified
	}
	// The time is taken under the lock: see the file comment.
	now := s.now()
	if !DeclarationStillValid(p, d, DateOf(now)) {
		return nil, nil, nil, ErrPatentNotInForce
	}
	id := row.NextID
	live := liveKey(d.ID, licensee.ID)
	c := &Contract{ID: id, ContractNo: contractNumber(now, id), Kind: ContractOpenLicence, Source: ContractSourcePlatform,
		DeclarationID: &d.ID, LicensorID: licensor.ID, LicenseeID: licensee.ID, AmountDueFen: d.AmountDueFen(),
		FeeFen: d.AmountDueFen(), IdempotencyKey: scopedKey, LiveKey: &live, SignedOn: DateOf(now),
		NoticeDeliveredAt: &now, CreatedAt: now, UpdatedAt: now}
	if strings.TrimSpace(req.Via) == "" && row.TouchChannel != nil && !row.TouchedAt.Before(now.Add(-AttributionWindow)) {
		// Attributed to the last channel within the window (AttributeAcceptance without its look-up).
		c.Channel = row.TouchChannel
	}
	terms := buildTerms(c, p, d, licensor, licensee, now)
	var err error
	c.TermsJSON, c.ContentSHA256, err = terms.canonical()
	if err != nil {
		return nil, nil, nil, err
	}
	c.terms = terms
	if c.AmountDueFen == 0 {
		c.Status, c.EffectiveAt, c.EffectiveOn = ContractEffective, &now, DateOf(now)
	} else {
		c.Status = ContractAwaitingPayment
	}
	specs := []eventSpec{{Kind: EventNotified, Payload: map[string]any{
		"status": c.Status, "content_sha256": c.ContentSHA256, "declaration_id": d.ID,
		"amount_due_fen": c.AmountDueFen, "notice_delivered_at": formatInstant(now)}}}
	if c.Status == ContractEffective {
		specs = append(specs, eventSpec{Kind: EventEffective, Payload: map[string]any{
			"status": ContractEffective, "effective_on": c.EffectiveOn.String(), "reason": "nothing due up front"}})
	}
	events, _, err := buildEvents(c.ID, newChain(), actor, now, withFacts(specs, factsOf(c, []int64{p.ID}, nil))...)
	if err != nil {
		return nil, nil, nil, err
	}
	n := &Notification{OrgID: licensor.ID, Kind: NoticeLicenceAccepted, CreatedAt: now, Link: ContractLink(c.ContractNo),
		Subject: fmt.Sprintf("%s 接受了专利 %s 的开放许可（合同 %s）/ %s accepted the open licence of %s (contract %s)",
			licensee.Name, PatentNumber(p.ApplicationNo), c.ContractNo, licensee.Name, PatentNumber(p.ApplicationNo), c.ContractNo),
		Body: terms.Notice}
	return c, events, n, nil
}

// whyNoDeclaration explains an empty acceptance read; retry is true when a live declaration exists now.
func whyNoDeclaration(tx *gorm.DB, appNo string) (retry bool, err error) {
	var p Patent
	if err := tx.Select("id").Where("application_no = ?", appNo).Limit(1).Find(&p).Error; err != nil {
		return false, err
	}
	if p.ID == 0 {
		return false, ErrNotFound
	}
	var last Declaration
	if err := tx.Where("patent_id = ?", p.ID).Order("published_at DESC, id DESC").Limit(1).Find(&last).Error; err != nil {
		return false, err
	}
	switch {
	case last.ID == 0:
		return false, ErrNoDeclaration
	case last.Status == DeclWithdrawn:
		return false, ErrDeclarationWithdrawn
	case last.Status == DeclLive:
		return true, nil
	}
	return false, ErrNoDeclaration
}

// insertAcceptance writes the contract with ON CONFLICT DO NOTHING and, when it was inserted, its patent
// link, first events and the licensor's notification; inserted is false on a conflict (same idempotency
// key, or a live contract of the same declaration and licensee). On Postgres it is one statement (a
// data-modifying CTE gated on the contract insert, which also marks the new chain head for the anchorer,
// audit.go), so an acceptance costs four round trips in all: BEGIN, the locked read, this insert, COMMIT
// (two when acceptPipelined sends them in pairs: accept_pg.go).
func (s *Store) insertAcceptance(tx *gorm.DB, c *Contract, patentID int64, events []ContractEvent, n *Notification) (bool, error) {
	if !s.IsPostgres() {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(c)
		if res.Error != nil || res.RowsAffected == 0 {
			return false, res.Error
		}
		if err := tx.Create(&ContractPatent{ContractID: c.ID, PatentID: patentID}).Error; err != nil {
			return false, err
		}
		if err := tx.Create(&events).Error; err != nil {
			return false, err
		}
		if err := markPending(tx, c.ID, c.ContractNo); err != nil {
			return false, err
		}
		return true, tx.Create(n).Error
	}
	q, args := acceptInsertSQL(c, patentID, events, n)
	var inserted int
	if err := tx.Raw(q, args...).Row().Scan(&inserted); err != nil {
		return false, err
	}
	return inserted == 1, nil
}

// acceptInsertSQL is insertAcceptance's statement on Postgres and its arguments ("?" placeholders); it
// answers one row, the number of contracts inserted (0 on a conflict).
func acceptInsertSQL(c *Contract, patentID int64, events []ContractEvent, n *Notification) (string, []any) {
	args := make([]any, 0, 30+9*len(events))
	args = append(args, c.ID, c.ContractNo, c.Kind, c.Source, c.DeclarationID, c.LicensorID, c.LicenseeID, c.Status,
		c.AmountDueFen, c.FeeFen, c.TermsJSON, c.ContentSHA256, c.IdempotencyKey, c.LiveKey, c.SignedOn,
		c.NoticeDeliveredAt, c.EffectiveAt, c.EffectiveOn, c.Channel, c.CreatedAt, c.UpdatedAt,
		patentID,
		n.OrgID, n.Kind, n.Subject, n.Body, n.Link, n.CreatedAt,
		c.ContractNo)
	for _, e := range events {
		args = append(args, e.Seq, e.Kind, e.ActorUserID, e.ActorOrgID, e.Payload, e.At, e.PrevHash, e.Hash)
	}
	return acceptInsertText(len(events)), args
}

// acceptInsertTexts holds acceptInsertSQL's statement by number of events: its text depends on nothing
// else, and building it on every acceptance cost more than the rest of the statement's preparation.
var acceptInsertTexts sync.Map // int → string

func acceptInsertText(events int) string {
	return cachedText(&acceptInsertTexts, events, func() string { return buildAcceptInsert(events) })
}

// buildAcceptInsert is acceptInsertSQL's statement for that many events.
func buildAcceptInsert(events int) string {
	var b strings.Builder
	b.WriteString(`WITH c AS (
  INSERT INTO contracts (id, contract_no, kind, source, declaration_id, licensor_id, licensee_id, status,
    amount_due_fen, fee_fen, terms_json, content_sha256, idempotency_key, live_key, signed_on,
    notice_delivered_at, effective_at, effective_on, channel, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING RETURNING id
), cp AS (
  INSERT INTO contract_patents (contract_id, patent_id) SELECT id, ? FROM c
), n AS (
  INSERT INTO notifications (org_id, kind, subject, body, link, created_at)
  SELECT ?, ?, ?, ?, ?, ? FROM c
), ap AS (
  INSERT INTO audit_pending (contract_id, contract_no) SELECT id, ? FROM c
), ev AS (
  INSERT INTO contract_events (contract_id, seq, kind, actor_user_id, actor_org_id, payload, at, prev_hash, hash)
`)
	for i := range events {
		if i > 0 {
			b.WriteString("  UNION ALL\n")
		}
		b.WriteString("  SELECT id, ?::int, ?, ?::bigint, ?::bigint, ?, ?::timestamptz, ?, ? FROM c\n")
	}
	b.WriteString(")\nSELECT count(*) FROM c")
	return b.String()
}

// cachedText is the text kept under key in m, built by build the first time it is asked for.
func cachedText[K comparable](m *sync.Map, key K, build func() string) string {
	if q, ok := m.Load(key); ok {
		return q.(string)
	}
	q, _ := m.LoadOrStore(key, build())
	return q.(string)
}

// existingAfterConflict finds the contract an ON CONFLICT DO NOTHING ran into. Postgres makes the
// insert wait for a conflicting transaction to finish, so the row is committed and visible to a new
// statement; a few retries cover the unlikely case of it ending (live_key cleared) in between.
func (s *Store) existingAfterConflict(tx *gorm.DB, scopedKey *string, liveKey, appNo string) (*Contract, error) {
	for attempt := 0; attempt < 5; attempt++ {
		if scopedKey != nil {
			c, err := s.contractByKey(tx, *scopedKey)
			if err != nil {
				return nil, err
			}
			if c != nil {
				out, _, err := s.replayed(tx.Statement.Context, tx, c, appNo)
				return out, err
			}
		}
		var c Contract
		if err := tx.Where("live_key = ?", liveKey).Limit(1).Find(&c).Error; err != nil {
			return nil, err
		}
		if c.ID != 0 {
			return &c, nil
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return nil, ErrConflict
}

// contractNumber is "KF" (开放) + the Shanghai date + "-" + the contract ID, zero-padded to 6 digits:
// readable, sortable, and unique because the ID is.
func contractNumber(now time.Time, id int64) string {
	return fmt.Sprintf("KF%s-%06d", now.In(Shanghai).Format("20060102"), id)
}

// ContractLink is the page of a contract, used in notifications and e-mails (relative to BASE_URL).
func ContractLink(contractNo string) string { return "/contracts/" + contractNo }

func formatInstant(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}
