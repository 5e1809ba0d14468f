package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"patentwall/market"
)

// MetaKey is the meta row Load writes: a JSON summary of what it loaded (LoadInfo).
const MetaKey = "demo_loaded"

// batchSize is the rows per INSERT. 500 keeps Postgres statements under its parameter limit; SQLite gets
// 100, chosen when the earlier SQLite driver (glebarez/go-sqlite) bound parameters in time quadratic in
// their number per statement (100,000 patents loaded in 11 s with 100-row batches, 38 s with 500).
func batchSize(s *market.Store) int {
	if s.IsPostgres() {
		return 500
	}
	return 100
}

// Stats says what Load wrote.
type Stats struct {
	Orgs, Patents, Declarations, Walls, Supermarkets, Demands int
	IPCTitles                                                 int // new titles; existing symbols are kept
	Contracts, Filings                                        int // platform deals and CNIPA list entries (deals.go)
	ChannelContracts                                          int // deals and acceptances through channels (channels.go)
	Took                                                      time.Duration
}

// LoadInfo is the value of the MetaKey row.
type LoadInfo struct {
	Seed         int64     `json:"seed"`
	Orgs         int       `json:"orgs"`
	Patents      int       `json:"patents"`
	Declarations int       `json:"declarations"`
	Now          time.Time `json:"now"`
	LoadedAt     time.Time `json:"loaded_at"`
}

var errNotEmpty = errors.New("demo: the database already holds organisations")

// Load generates a dataset and inserts all of it in one transaction: organisations (verified), patents,
// declarations, walls, supermarkets, demands, the IPC titles not yet present, a search outbox row per
// patent (so the index picks the catalogue up), and the MetaKey row; then, in the same transaction,
// signs opt.Deals open licences through the market API with their payments and filings, and writes
// CNIPA's filing list (deals.go), so a failed deal leaves nothing behind. A zero opt.Now means the store's
// clock. Loading into a database that already holds the same seed's data fails on its unique keys and
// writes nothing; use LoadIfEmpty to load only into an empty database.
func Load(ctx context.Context, s *market.Store, opt Options) (Stats, error) {
	return load(ctx, s, opt, false)
}

// LoadIfEmpty loads the demo only when the database has no organisations yet, and reports whether it
// did. Two processes starting at once load it once: the check runs inside the loading transaction,
// under an advisory lock on Postgres and the write lock SQLite takes at BEGIN.
func LoadIfEmpty(ctx context.Context, s *market.Store, opt Options) (loaded bool, err error) {
	_, err = load(ctx, s, opt, true)
	if errors.Is(err, errNotEmpty) {
		return false, nil
	}
	return err == nil, err
}

// ReadLoadInfo returns what the demo load recorded, or nil when no demo was loaded.
func ReadLoadInfo(ctx context.Context, s *market.Store) (*LoadInfo, error) {
	v, err := s.GetMeta(ctx, MetaKey)
	if err != nil || v == "" {
		return nil, err
	}
	var info LoadInfo
	if err := json.Unmarshal([]byte(v), &info); err != nil {
		return nil, fmt.Errorf("demo: read %s: %w", MetaKey, err)
	}
	return &info, nil
}

// advisoryLockKey serialises demo loads on Postgres ("demo" in ASCII).
const advisoryLockKey = 0x64656d6f

func load(ctx context.Context, s *market.Store, opt Options, onlyIfEmpty bool) (Stats, error) {
	start := time.Now()
	if opt.Now.IsZero() {
		opt.Now = s.Now()
	}
	ds := Generate(opt)
	var st Stats
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		if onlyIfEmpty {
			if s.IsPostgres() {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", advisoryLockKey).Error; err != nil {
					return fmt.Errorf("demo: lock: %w", err)
				}
			}
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM (SELECT 1 FROM organisations LIMIT 1) t").Scan(&n).Error; err != nil {
				return fmt.Errorf("demo: count organisations: %w", err)
			}
			if n > 0 {
				return errNotEmpty
			}
		}
		var err error
		if st, err = insert(tx, ds, opt.Seed, s.Now().UTC(), batchSize(s)); err != nil {
			return err
		}
		if err := insertChannels(ctx, s, tx, ds); err != nil {
			return err
		}
		st.Contracts, st.Filings, err = insertDeals(ctx, s, tx, ds, planDeals(ds, opt.Seed, dealCount(opt)), batchSize(s))
		if err != nil {
			return err
		}
		if dealCount(opt) > 0 {
			if st.ChannelContracts, err = insertChannelDeals(ctx, s, tx, ds); err != nil {
				return err
			}
		}
		return fulfilDemands(tx, fulfilledDemands)
	})
	if err != nil {
		if !errors.Is(err, errNotEmpty) {
			err = fmt.Errorf("demo: load: %w", err)
		}
		return Stats{}, err
	}
	st.Took = time.Since(start)
	return st, nil
}

// insert writes ds, mapping its provisional IDs onto the ones the database assigns.
func insert(tx *gorm.DB, ds *Dataset, seed int64, now time.Time, batch int) (Stats, error) {
	var st Stats
	orgs := append([]market.Organisation(nil), ds.Orgs...)
	for i := range orgs {
		orgs[i].ID = 0
	}
	if err := tx.CreateInBatches(orgs, batch).Error; err != nil {
		return st, fmt.Errorf("insert organisations: %w", err)
	}
	orgID := func(provisional int64) int64 { return orgs[provisional-1].ID }

	patents := append([]market.Patent(nil), ds.Patents...)
	for i := range patents {
		patents[i].ID = 0
		patents[i].PatenteeID = orgID(patents[i].PatenteeID)
	}
	if err := tx.CreateInBatches(patents, batch).Error; err != nil {
		return st, fmt.Errorf("insert patents: %w", err)
	}
	patentIDs := make([]int64, len(patents))
	for i := range patents {
		patentIDs[i] = patents[i].ID
	}

	decls := append([]market.Declaration(nil), ds.Declarations...)
	for i := range decls {
		decls[i].ID = 0
		decls[i].PatentID = patentIDs[decls[i].PatentID-1]
	}
	if err := tx.CreateInBatches(decls, batch).Error; err != nil {
		return st, fmt.Errorf("insert declarations: %w", err)
	}

	walls := append([]market.Wall(nil), ds.Walls...)
	for i := range walls {
		walls[i].ID, walls[i].OrgID = 0, orgID(walls[i].OrgID)
	}
	markets := append([]market.Supermarket(nil), ds.Supermarkets...)
	for i := range markets {
		markets[i].ID, markets[i].OfficeID = 0, orgID(markets[i].OfficeID)
		if markets[i].AgencyID != nil {
			id := orgID(*markets[i].AgencyID)
			markets[i].AgencyID = &id
		}
	}
	demands := append([]market.Demand(nil), ds.Demands...)
	for i := range demands {
		demands[i].ID, demands[i].OrgID = 0, orgID(demands[i].OrgID)
	}
	for _, rows := range []struct {
		name  string
		value any
		n     int
	}{{"walls", walls, len(walls)}, {"supermarkets", markets, len(markets)}, {"demands", demands, len(demands)}} {
		if rows.n == 0 {
			continue
		}
		if err := tx.CreateInBatches(rows.value, batch).Error; err != nil {
			return st, fmt.Errorf("insert %s: %w", rows.name, err)
		}
	}

	// An imported official scheme may already hold these symbols: keep its titles.
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(ds.IPCTitles, batch)
	if res.Error != nil {
		return st, fmt.Errorf("insert IPC titles: %w", res.Error)
	}

	if err := market.EnqueueIndex(tx, now, patentIDs...); err != nil {
		return st, fmt.Errorf("enqueue patents for indexing: %w", err)
	}

	info, _ := json.Marshal(LoadInfo{Seed: seed, Orgs: len(orgs), Patents: len(patents), Declarations: len(decls),
		Now: ds.Now, LoadedAt: now.Truncate(time.Second)})
	meta := market.Meta{Key: MetaKey, Value: string(info)}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value"})}).Create(&meta).Error
	if err != nil {
		return st, fmt.Errorf("record %s: %w", MetaKey, err)
	}
	return Stats{Orgs: len(orgs), Patents: len(patents), Declarations: len(decls), Walls: len(walls),
		Supermarkets: len(markets), Demands: len(demands), IPCTitles: int(res.RowsAffected)}, nil
}

// fulfilledDemands is how many open demo demands Load marks fulfilled by a contract their poster signed.
const fulfilledDemands = 6

// fulfilDemands marks up to n open demands fulfilled, each by the latest contract its organisation took
// as licensee, so the board shows fulfilled demands linked to real demo contracts.
func fulfilDemands(tx *gorm.DB, n int) error {
	var rows []struct {
		DemandID   int64
		ContractID int64
	}
	err := tx.Raw(`SELECT d.id AS demand_id, MAX(c.id) AS contract_id
		FROM demands d JOIN contracts c ON c.licensee_id = d.org_id
		WHERE d.status = ? GROUP BY d.id ORDER BY d.id LIMIT ?`, market.DemandOpen, n).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("demo: fulfilled demands: %w", err)
	}
	for _, r := range rows {
		var c market.Contract
		if err := tx.Select("id", "created_at").Where("id = ?", r.ContractID).Take(&c).Error; err != nil {
			return fmt.Errorf("demo: fulfilling contract %d: %w", r.ContractID, err)
		}
		err := tx.Model(&market.Demand{}).Where("id = ?", r.DemandID).
			Updates(map[string]any{"status": market.DemandFulfilled, "contract_id": c.ID, "closed_at": c.CreatedAt}).Error
		if err != nil {
			return fmt.Errorf("demo: fulfil demand %d: %w", r.DemandID, err)
		}
	}
	return nil
}
