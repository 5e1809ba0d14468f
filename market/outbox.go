package market

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// outboxLockClass is the first key of the advisory locks that serialise indexing of one patent across
// workers (Postgres only); the second key is the patent ID.
const outboxLockClass = 0x5EA7

// ClaimOutbox takes up to limit search-outbox rows (oldest first), calls fn with their distinct patent
// IDs and deletes the rows when fn succeeds. When fn fails the rows stay, with attempts+1 and the error,
// so the next call retries them; the error is returned.
//
// On Postgres the rows are claimed with FOR UPDATE SKIP LOCKED inside one transaction that stays open
// while fn runs, so concurrent workers (several serve processes) never take the same row. A patent whose
// advisory lock another worker holds is left for later: otherwise two workers could index two changes of
// one patent and the older snapshot could land last. SQLite has one writer per file and drops row locks,
// so there the rows are read plainly and fn runs outside any transaction (fn must be free to read the
// database through the store's single connection).
func (s *Store) ClaimOutbox(ctx context.Context, limit int, fn func(patentIDs []int64) error) (int, error) {
	if limit <= 0 {
		limit = 500
	}
	if !s.IsPostgres() {
		return s.claimOutboxPlain(ctx, limit, fn)
	}
	var (
		n     int
		fnErr error
	)
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		var rows []OutboxRow
		err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked}).
			Order("id").Limit(limit).Find(&rows).Error
		if err != nil {
			return err
		}
		ids := distinctPatentIDs(rows)
		if len(ids) == 0 {
			return nil
		}
		var locked []int64
		err = tx.Raw("SELECT id FROM unnest(?::bigint[]) AS t(id) WHERE pg_try_advisory_xact_lock(?, (id % 2147483647)::int)",
			int64Array(ids), outboxLockClass).Scan(&locked).Error
		if err != nil {
			return err
		}
		rows = rowsOf(rows, locked)
		if len(rows) == 0 {
			return nil
		}
		if fnErr = fn(distinctPatentIDs(rows)); fnErr != nil {
			return markFailed(tx, rows, fnErr)
		}
		n = len(rows)
		return tx.Where("id IN ?", rowIDs(rows)).Delete(&OutboxRow{}).Error
	})
	if err != nil {
		return 0, fmt.Errorf("market: claim search outbox: %w", err)
	}
	if fnErr != nil {
		return 0, fmt.Errorf("market: index outbox batch: %w", fnErr)
	}
	return n, nil
}

func (s *Store) claimOutboxPlain(ctx context.Context, limit int, fn func([]int64) error) (int, error) {
	var rows []OutboxRow
	if err := s.db.WithContext(ctx).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("market: read search outbox: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	if fnErr := fn(distinctPatentIDs(rows)); fnErr != nil {
		if err := markFailed(s.db.WithContext(ctx), rows, fnErr); err != nil {
			return 0, fmt.Errorf("market: record outbox failure: %w (after %v)", err, fnErr)
		}
		return 0, fmt.Errorf("market: index outbox batch: %w", fnErr)
	}
	if err := s.db.WithContext(ctx).Where("id IN ?", rowIDs(rows)).Delete(&OutboxRow{}).Error; err != nil {
		return 0, fmt.Errorf("market: delete search outbox rows: %w", err)
	}
	return len(rows), nil
}

// markFailed records a failed attempt on rows so they are retried and the reason can be inspected.
func markFailed(tx *gorm.DB, rows []OutboxRow, cause error) error {
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = strings.ToValidUTF8(msg[:1000], "")
	}
	return tx.Model(&OutboxRow{}).Where("id IN ?", rowIDs(rows)).
		Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": msg}).Error
}

// OutboxLen counts the rows waiting in the search outbox, on the read pool (a health check polling it
// does not queue behind the writer).
func (s *Store) OutboxLen(ctx context.Context) (int64, error) {
	var n int64
	err := s.reader().WithContext(ctx).Model(&OutboxRow{}).Count(&n).Error
	return n, err
}

func distinctPatentIDs(rows []OutboxRow) []int64 {
	seen := make(map[int64]bool, len(rows))
	out := make([]int64, 0, len(rows))
	for _, r := range rows {
		if !seen[r.PatentID] {
			seen[r.PatentID] = true
			out = append(out, r.PatentID)
		}
	}
	return out
}

func rowIDs(rows []OutboxRow) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// rowsOf keeps the rows whose patent is in ids.
func rowsOf(rows []OutboxRow, ids []int64) []OutboxRow {
	keep := make(map[int64]bool, len(ids))
	for _, id := range ids {
		keep[id] = true
	}
	out := rows[:0:0]
	for _, r := range rows {
		if keep[r.PatentID] {
			out = append(out, r)
		}
	}
	return out
}

// int64Array renders IDs as a Postgres array literal; the values are integers, so nothing needs quoting.
func int64Array(ids []int64) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d", id)
	}
	b.WriteByte('}')
	return b.String()
}

// IndexRow is what the search document builder needs for one patent, loaded in a few batch queries.
type IndexRow struct {
	Patent
	PatenteeName string
	PatenteeKind string
	DistrictCode string       // the patentee's district, "" outside Shanghai
	Declaration  *Declaration // live declaration, nil when none
	// IPCTitles holds the known titles of each symbol's subclass and of the symbol itself, without
	// duplicates, in the order of the patent's symbols.
	IPCTitles []IPCTitle
}

// IndexRows loads the patents with ids (unknown IDs are skipped: the caller deletes them from the index),
// ordered by ID.
func (s *Store) IndexRows(ctx context.Context, ids []int64) ([]IndexRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	db := s.reader().WithContext(ctx)
	var ps []Patent
	if err := db.Where("id IN ?", ids).Order("id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("market: load patents to index: %w", err)
	}
	return IndexRowsIn(db, ps)
}

// IndexRowsIn completes patents already loaded (or just written, inside the transaction tx that wrote
// them) with what their search documents need: patentee, live declaration and IPC titles, read
// through db. A large import hands its chunks to the index this way while its transaction is open.
func IndexRowsIn(db *gorm.DB, ps []Patent) ([]IndexRow, error) {
	return IndexRowsKnown(db, ps, IndexRowFacts{})
}

// IndexRowFacts is what a caller that has just written patents already holds of their index rows, so
// that IndexRowsKnown need not read it back.
type IndexRowFacts struct {
	// Patentees by ID; a patentee missing here is read.
	Patentees map[int64]*Organisation
	// Declarations holds the live declaration of each patent whose declaration the caller knows (nil:
	// the patent has none), e.g. a patent it has just created; the others' are read.
	Declarations map[int64]*Declaration
}

// IndexRowsKnown is IndexRowsIn taking from facts what it holds instead of reading it through db.
func IndexRowsKnown(db *gorm.DB, ps []Patent, facts IndexRowFacts) ([]IndexRow, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	var orgIDs, unknownDecl []int64
	symbols := map[string]bool{}
	keys := make([][]string, len(ps)) // each patent's IPC lookup keys, parsed once
	for i, p := range ps {
		if _, ok := facts.Patentees[p.PatenteeID]; !ok {
			orgIDs = append(orgIDs, p.PatenteeID)
		}
		if _, ok := facts.Declarations[p.ID]; !ok {
			unknownDecl = append(unknownDecl, p.ID)
		}
		keys[i] = ipcLookupKeys(p.IPC)
		for _, sym := range keys[i] {
			symbols[sym] = true
		}
	}
	read := make(map[int64]*Organisation, len(orgIDs))
	if len(orgIDs) > 0 {
		var orgs []Organisation
		if err := db.Select("id", "name", "kind", "district_code").Where("id IN ?", orgIDs).Find(&orgs).Error; err != nil {
			return nil, fmt.Errorf("market: load patentees to index: %w", err)
		}
		for i := range orgs {
			read[orgs[i].ID] = &orgs[i]
		}
	}
	decls, err := liveDeclarations(db, unknownDecl)
	if err != nil {
		return nil, err
	}
	titles, err := ipcTitles(db, symbols)
	if err != nil {
		return nil, err
	}
	out := make([]IndexRow, len(ps))
	for i, p := range ps {
		row := IndexRow{Patent: p, Declaration: decls[p.ID]}
		if d, ok := facts.Declarations[p.ID]; ok {
			row.Declaration = d
		}
		o, ok := facts.Patentees[p.PatenteeID]
		if !ok {
			o = read[p.PatenteeID]
		}
		if o != nil {
			row.PatenteeName, row.PatenteeKind, row.DistrictCode = o.Name, o.Kind, o.DistrictCode
		}
		for _, sym := range keys[i] {
			if t, ok := titles[sym]; ok {
				row.IPCTitles = append(row.IPCTitles, t)
			}
		}
		out[i] = row
	}
	return out, nil
}

// ipcTitles reads the titles of the given symbols in chunks (SQLite limits bound parameters).
func ipcTitles(db *gorm.DB, symbols map[string]bool) (map[string]IPCTitle, error) {
	out := make(map[string]IPCTitle, len(symbols))
	keys := make([]string, 0, len(symbols))
	for k := range symbols {
		keys = append(keys, k)
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		var ts []IPCTitle
		if err := db.Where("symbol IN ?", keys[:n]).Find(&ts).Error; err != nil {
			return nil, fmt.Errorf("market: load IPC titles: %w", err)
		}
		for _, t := range ts {
			out[t.Symbol] = t
		}
		keys = keys[n:]
	}
	return out, nil
}

// ipcLookupKeys lists, for a patent's ";"-separated canonical symbols, every prefix whose title is worth
// indexing (subclass, full symbol), without duplicates. Section and class titles (电学, 基本电气元件) are
// left out: too broad to tell patents apart, they would make queries such as 电 match whole sections, and
// their text would double the indexing work per patent.
func ipcLookupKeys(list string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, sym := range strings.Split(list, ";") {
		ipc, err := ParseIPC(sym)
		if err != nil {
			continue
		}
		add(ipc.Subclass)
		add(ipc.String())
	}
	return out
}

// CountPatents counts every patent (the total of a full reindex).
func (s *Store) CountPatents(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Patent{}).Count(&n).Error
	return n, err
}

// ForEachPatentID calls fn with the IDs of every patent in ascending batches of at most batch IDs (keyset
// paging, so patents added meanwhile with higher IDs are still visited).
func (s *Store) ForEachPatentID(ctx context.Context, batch int, fn func(ids []int64) error) error {
	if batch <= 0 {
		batch = 500
	}
	var last int64
	for {
		var ids []int64
		err := s.db.WithContext(ctx).Model(&Patent{}).Where("id > ?", last).Order("id").Limit(batch).Pluck("id", &ids).Error
		if err != nil {
			return fmt.Errorf("market: list patent IDs: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if err := fn(ids); err != nil {
			return err
		}
		last = ids[len(ids)-1]
	}
}

// OutboxPage reads up to limit outbox rows with afterID < id <= maxID in id order, without claiming
// them: for a process that holds the index exclusively (an embedded index is locked by one process),
// which deletes each range with DeleteOutboxRange once it is indexed.
func (s *Store) OutboxPage(ctx context.Context, afterID, maxID int64, limit int) ([]OutboxRow, error) {
	var rows []OutboxRow
	err := s.db.WithContext(ctx).Where("id > ? AND id <= ?", afterID, maxID).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("market: read outbox: %w", err)
	}
	return rows, nil
}

// OutboxMaxID returns the newest outbox row's id (0 when empty).
func (s *Store) OutboxMaxID(ctx context.Context) (int64, error) {
	var id *int64
	err := s.db.WithContext(ctx).Model(&OutboxRow{}).Select("max(id)").Scan(&id).Error
	if err != nil || id == nil {
		return 0, err
	}
	return *id, nil
}

// DeleteOutboxRange deletes the outbox rows lo <= id <= hi after they were indexed.
func (s *Store) DeleteOutboxRange(ctx context.Context, lo, hi int64) error {
	if err := s.db.WithContext(ctx).Where("id >= ? AND id <= ?", lo, hi).Delete(&OutboxRow{}).Error; err != nil {
		return fmt.Errorf("market: delete outbox rows: %w", err)
	}
	return nil
}
