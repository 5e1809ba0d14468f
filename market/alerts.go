package market

// Alerts: when a patent is newly offered, the users whose saved searches or open demands it matches are
// told once per patent (docs/rules.md §10). Publishing writes an alert_outbox row in the same transaction
// (CreateDeclaration); the alert worker (search.Alerts) claims rows whose patents the search index has
// taken in already, finds who is interested and hands the result to RecordAlerts, which writes one
// notification per user and batch (a digest when a batch brings several patents) and remembers each
// (user, patent) pair in alerted, so no patent is announced twice to one user, whatever matched it.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AlertRow is one newly offered patent waiting for the alert worker.
type AlertRow struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	PatentID  int64     `gorm:"column:patent_id"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (AlertRow) TableName() string { return "alert_outbox" }

// Alerted records that a user was told of a patent.
type Alerted struct {
	UserID         int64 `gorm:"column:user_id;primaryKey"`
	PatentID       int64 `gorm:"column:patent_id;primaryKey"`
	NotificationID int64 `gorm:"column:notification_id"`
}

func (Alerted) TableName() string { return "alerted" }

// EnqueueAlerts writes alert rows for newly offered patents inside the caller's transaction.
func EnqueueAlerts(tx *gorm.DB, now time.Time, patentIDs ...int64) error {
	if len(patentIDs) == 0 {
		return nil
	}
	rows := make([]AlertRow, len(patentIDs))
	for i, id := range patentIDs {
		rows[i] = AlertRow{PatentID: id, CreatedAt: now}
	}
	return tx.CreateInBatches(rows, InsertBatch(tx, 2)).Error
}

// ClaimAlerts hands up to limit newly offered patents to fn, oldest first, and removes their rows when
// fn succeeds. Only patents the search index is up to date for (no search outbox row left) are handed
// over, so the worker percolates what search would find. It returns how many rows it removed.
func (s *Store) ClaimAlerts(ctx context.Context, limit int, fn func(patentIDs []int64) error) (int, error) {
	var rows []AlertRow
	err := s.db.WithContext(ctx).
		Where("NOT EXISTS (SELECT 1 FROM search_outbox o WHERE o.patent_id = alert_outbox.patent_id)").
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	ids := make([]int64, 0, len(rows))
	rowIDs := make([]int64, len(rows))
	seen := map[int64]bool{}
	for i, r := range rows {
		rowIDs[i] = r.ID
		if !seen[r.PatentID] {
			seen[r.PatentID] = true
			ids = append(ids, r.PatentID)
		}
	}
	if err := fn(ids); err != nil {
		return 0, err
	}
	for len(rowIDs) > 0 {
		n := min(len(rowIDs), 500)
		if err := s.db.WithContext(ctx).Where("id IN ?", rowIDs[:n]).Delete(&AlertRow{}).Error; err != nil {
			return 0, fmt.Errorf("market: remove alert rows: %w", err)
		}
		rowIDs = rowIDs[n:]
	}
	return len(rows), nil
}

// AlertsLen counts the patents waiting for the alert worker.
func (s *Store) AlertsLen(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&AlertRow{}).Count(&n).Error
	return n, err
}

// Recipient is a user to tell of new patents and why: the patents (IDs) and, per patent, what matched
// (a saved search's name, a demand's title).
type Recipient struct {
	UserID  int64
	OrgID   int64
	Patents map[int64][]string
}

// maxDigestLines bounds the patents a digest lists by name; the link shows them all.
const maxDigestLines = 10

// RecordAlerts writes, in one transaction, one notification per recipient for the patents it was not
// told of before: a single patent gets its own notification linking to it, several get a digest linking
// to the user's notifications. It returns how many notifications it wrote.
func (s *Store) RecordAlerts(ctx context.Context, recipients []Recipient) (int, error) {
	if len(recipients) == 0 {
		return 0, nil
	}
	written := 0
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		// The patents' titles and application numbers, once.
		ids := map[int64]bool{}
		users := make([]int64, 0, len(recipients))
		for _, r := range recipients {
			users = append(users, r.UserID)
			for id := range r.Patents {
				ids[id] = true
			}
		}
		pids := make([]int64, 0, len(ids))
		for id := range ids {
			pids = append(pids, id)
		}
		var ps []Patent
		if err := inChunks(pids, func(part []int64) error {
			var got []Patent
			err := tx.Select("id", "application_no", "title").Where("id IN ?", part).Find(&got).Error
			ps = append(ps, got...)
			return err
		}); err != nil {
			return err
		}
		byID := make(map[int64]*Patent, len(ps))
		for i := range ps {
			byID[ps[i].ID] = &ps[i]
		}
		// What was announced already.
		told := map[[2]int64]bool{}
		if err := inChunks(users, func(part []int64) error {
			var got []Alerted
			if err := tx.Select("user_id", "patent_id").Where("user_id IN ? AND patent_id IN ?", part, pids).Find(&got).Error; err != nil {
				return err
			}
			for _, a := range got {
				told[[2]int64{a.UserID, a.PatentID}] = true
			}
			return nil
		}); err != nil {
			return err
		}
		now := s.now()
		var notes []Notification
		var pending [][]int64 // per note, its patents
		for _, r := range recipients {
			var fresh []int64
			for id := range r.Patents {
				if byID[id] != nil && !told[[2]int64{r.UserID, id}] {
					fresh = append(fresh, id)
				}
			}
			if len(fresh) == 0 {
				continue
			}
			sort.Slice(fresh, func(i, j int) bool { return fresh[i] < fresh[j] })
			uid := r.UserID
			n := Notification{OrgID: r.OrgID, UserID: &uid, Kind: NoticeNewMatches, CreatedAt: now}
			if len(fresh) == 1 {
				p := byID[fresh[0]]
				n.Subject = "新专利匹配：" + p.Title
				n.Body = "匹配：" + strings.Join(r.Patents[p.ID], "；")
				n.Link = "/patents/" + p.ApplicationNo
			} else {
				n.Subject = fmt.Sprintf("%d 件新专利匹配您的订阅和需求", len(fresh))
				var b strings.Builder
				for i, id := range fresh {
					if i == maxDigestLines {
						fmt.Fprintf(&b, "……另有 %d 件\n", len(fresh)-maxDigestLines)
						break
					}
					p := byID[id]
					fmt.Fprintf(&b, "%s %s（匹配：%s）\n", p.ApplicationNo, p.Title, strings.Join(r.Patents[id], "；"))
				}
				n.Body = strings.TrimSpace(b.String())
				n.Link = "/notifications"
			}
			notes = append(notes, n)
			pending = append(pending, fresh)
		}
		if len(notes) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(notes, InsertBatch(tx, 9)).Error; err != nil {
			return err
		}
		var rows []Alerted
		for i, n := range notes {
			for _, id := range pending[i] {
				rows = append(rows, Alerted{UserID: *n.UserID, PatentID: id, NotificationID: n.ID})
			}
		}
		written = len(notes)
		// Another worker racing on the same patents: the pair it wrote first stands.
		return tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, InsertBatch(tx, 3)).Error
	})
	if err != nil {
		return 0, fmt.Errorf("market: record alerts: %w", err)
	}
	return written, nil
}

// inChunks calls fn with ids in parts small enough for SQLite's bound parameters.
func inChunks(ids []int64, fn func(part []int64) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
