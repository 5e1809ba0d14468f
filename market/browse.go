package market

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// OfferFilter selects live open-licence offers from the database: what a wall, a supermarket shelf or a
// category page lists while the search engine is unavailable (docs/architecture.md §9.1). Empty lists
// mean "any"; values inside one list are ORed, different lists ANDed, as in a search query.
type OfferFilter struct {
	// Keywords must each occur in the title, the abstract or the holder's name (a case-insensitive
	// substring: no word analysis, unlike the engines).
	Keywords    []string
	Industries  []string
	IPC         []string // canonical section (G), class (G06), subclass (G06F), main group (G06F 16/) or full symbol (G06F 16/9535)
	HolderKinds []string
	Districts   []string // district codes
	Types       []string
	MaxFeeFen   *int64 // up-front fee (lump sum or entry fee) at most this; free and royalty-only count as 0
	ExcludeIDs  []int64
}

// BrowseOffers returns the IDs of one page of the live open-licence patents f selects, newest declaration
// first (published_at, then ID, both descending: the engines' "newest" order), and how many there are.
func (s *Store) BrowseOffers(ctx context.Context, f OfferFilter, offset, limit int) ([]int64, int64, error) {
	q := offersQuery(s.reader().WithContext(ctx), f)
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("market: count offers: %w", err)
	}
	var ids []int64
	if limit > 0 && int64(offset) < total {
		if err := q.Order("d.published_at DESC, patents.id DESC").Offset(offset).Limit(limit).
			Pluck("patents.id", &ids).Error; err != nil {
			return nil, 0, fmt.Errorf("market: browse offers: %w", err)
		}
	}
	return ids, total, nil
}

// offersQuery is the query of the live open-licence patents f selects (patents joined with their live
// declaration d, and with their holder o when f looks at the holder: every patent has one, so the join
// only costs when it is not needed).
func offersQuery(db *gorm.DB, f OfferFilter) *gorm.DB {
	q := db.Table("patents").Joins("JOIN declarations d ON d.patent_id = patents.id AND d.status = ?", DeclLive)
	if f.needsHolder() {
		q = q.Joins("JOIN organisations o ON o.id = patents.patentee_id")
	}
	if where, args := f.conds(); where != "" {
		q = q.Where(where, args...)
	}
	return q
}

// needsHolder reports whether f's conditions look at the holder (o).
func (f OfferFilter) needsHolder() bool {
	return len(f.Keywords) > 0 || len(f.HolderKinds) > 0 || len(f.Districts) > 0
}

// conds is f as one SQL condition over patents, d (the live declaration) and o (the holder), "" when f
// selects everything; the caller joins them.
func (f OfferFilter) conds() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, as ...any) {
		conds = append(conds, cond)
		args = append(args, as...)
	}
	for _, k := range f.Keywords {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		like := "%" + escapeLike(strings.ToLower(k)) + "%"
		add("(LOWER(patents.title) LIKE ? ESCAPE '\\' OR LOWER(patents.abstract) LIKE ? ESCAPE '\\' OR LOWER(o.name) LIKE ? ESCAPE '\\')",
			like, like, like)
	}
	if len(f.Industries) > 0 {
		add("patents.industry IN ?", f.Industries)
	}
	if len(f.HolderKinds) > 0 {
		add("o.kind IN ?", f.HolderKinds)
	}
	if len(f.Districts) > 0 {
		add("o.district_code IN ?", f.Districts)
	}
	if len(f.Types) > 0 {
		add("patents.type IN ?", f.Types)
	}
	if len(f.IPC) > 0 {
		// patents.ipc holds canonical symbols separated by ";": a section, class, subclass or main group
		// ("G06F 16/") matches the start of any symbol, a full symbol the whole of one.
		var ors []string
		var orArgs []any
		for _, v := range f.IPC {
			if strings.Contains(v, " ") && !strings.HasSuffix(v, "/") {
				ors = append(ors, "(';' || patents.ipc || ';') LIKE ? ESCAPE '\\'")
				orArgs = append(orArgs, "%;"+escapeLike(v)+";%")
			} else {
				ors = append(ors, "(';' || patents.ipc) LIKE ? ESCAPE '\\'")
				orArgs = append(orArgs, "%;"+escapeLike(v)+"%")
			}
		}
		add("("+strings.Join(ors, " OR ")+")", orArgs...)
	}
	if f.MaxFeeFen != nil {
		add(upfrontSQL+" <= ?", *f.MaxFeeFen)
	}
	if len(f.ExcludeIDs) > 0 {
		add("patents.id NOT IN ?", f.ExcludeIDs)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return strings.Join(conds, " AND "), args
}

// RulesFilter is the filter of a channel's rules (its keywords, industries, IPC, holder kinds and
// districts), leaving out hidden (pinned or excluded) patents.
func RulesFilter(r ChannelRules, hidden []int64) OfferFilter {
	return OfferFilter{Keywords: r.Keywords, Industries: r.Industries, IPC: r.IPC, HolderKinds: r.HolderKinds,
		Districts: r.Districts, ExcludeIDs: hidden}
}
