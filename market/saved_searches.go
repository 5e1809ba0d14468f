package market

// Saved searches: a signed-in user keeps a search (its query string) and is told when a newly offered
// patent matches it (alerts.go; docs/rules.md §10). Whether the query string is a valid search is for the
// search package to say (search.ParseQueryString, through Query.Normalize); the caller checks it before
// saving.

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// SavedSearch is one search a user keeps.
type SavedSearch struct {
	ID        int64     `gorm:"column:id;primaryKey" json:"id"`
	UserID    int64     `gorm:"column:user_id" json:"-"`
	OrgID     int64     `gorm:"column:org_id" json:"-"`
	Name      string    `gorm:"column:name" json:"name"`
	Query     string    `gorm:"column:query" json:"query"`
	CreatedAt time.Time `gorm:"column:created_at" json:"created_at"`
}

func (SavedSearch) TableName() string { return "saved_searches" }

// Saved-search limits.
const (
	MaxSavedSearches     = 50
	MaxSavedSearchName   = 60
	MaxSavedSearchQuery  = 1000
	savedSearchFieldName = "name"
)

// SaveSearch keeps a search for the actor. query is the search's query string, already checked by the
// caller (see the file comment); name defaults to the query.
func (s *Store) SaveSearch(ctx context.Context, actor Actor, name, query string) (*SavedSearch, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	if actor.OrgID == 0 {
		// Alerts are notifications, which belong to an organisation's users.
		return nil, ErrForbidden
	}
	name, query = strings.TrimSpace(name), strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(query), "?"))
	if name == "" {
		name = query
	}
	var errs Errors
	if utf8.RuneCountInString(name) > MaxSavedSearchName {
		name = string([]rune(name)[:MaxSavedSearchName])
	}
	if fe := CheckText(savedSearchFieldName, "名称", "name", name, false); fe != nil {
		errs = append(errs, fe)
	}
	if len(query) > MaxSavedSearchQuery {
		errs = append(errs, NewFieldError("query", "too_long", fmt.Sprintf("检索条件过长（最多 %d 个字符）", MaxSavedSearchQuery),
			fmt.Sprintf("query is too long (at most %d characters)", MaxSavedSearchQuery)))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	ss := SavedSearch{UserID: actor.UserID, OrgID: actor.OrgID, Name: name, Query: query, CreatedAt: s.now()}
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&SavedSearch{}).Where("user_id = ?", actor.UserID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxSavedSearches {
			return NewFieldError("query", "too_many", fmt.Sprintf("最多保存 %d 个检索，请先删除不用的", MaxSavedSearches),
				fmt.Sprintf("at most %d saved searches: delete one first", MaxSavedSearches))
		}
		return tx.Create(&ss).Error
	})
	if err != nil {
		return nil, wrapDemandErr("save search", err)
	}
	return &ss, nil
}

// SavedSearches lists the actor's saved searches, newest first.
func (s *Store) SavedSearches(ctx context.Context, actor Actor) ([]SavedSearch, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	out := []SavedSearch{}
	if err := s.db.WithContext(ctx).Where("user_id = ?", actor.UserID).Order("created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("market: saved searches: %w", err)
	}
	return out, nil
}

// DeleteSavedSearch removes one of the actor's saved searches (another user's: not found).
func (s *Store) DeleteSavedSearch(ctx context.Context, actor Actor, id int64) error {
	if actor.Anonymous() {
		return ErrUnauth
	}
	res := s.db.WithContext(ctx).Where("id = ? AND user_id = ?", id, actor.UserID).Delete(&SavedSearch{})
	if res.Error != nil {
		return fmt.Errorf("market: delete saved search: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// ForEachSavedSearch calls fn with every saved search of an enabled user, in pages of n, by ID.
func (s *Store) ForEachSavedSearch(ctx context.Context, n int, fn func([]SavedSearch) error) error {
	last := int64(0)
	for {
		var page []SavedSearch
		err := s.db.WithContext(ctx).Where("id > ?", last).
			Where("user_id IN (SELECT id FROM users WHERE disabled_at IS NULL)").
			Order("id").Limit(n).Find(&page).Error
		if err != nil {
			return fmt.Errorf("market: saved searches: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}
		last = page[len(page)-1].ID
	}
}
