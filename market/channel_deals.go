package market

// Channels and attribution (docs/rules.md §10.5). A channel is a wall (wall:SLUG), the QR codes of a
// wall's screen (screen:SLUG, counted for the wall), a supermarket (supermarket:SLUG) or a demand
// (demand:ID). A visit through a channel link is remembered for the visitor's organisation (the last
// one wins); an acceptance or an intent made within AttributionWindow of it records that channel.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Channel kinds.
const (
	ChannelWall        = "wall"
	ChannelScreen      = "screen"
	ChannelSupermarket = "supermarket"
	ChannelDemand      = "demand"
)

// AttributionWindow is how long a channel visit counts for what the organisation does next.
const AttributionWindow = 30 * 24 * time.Hour

// Channel is a parsed channel name.
type Channel struct {
	Kind string
	Key  string // the slug, or the demand's ID
}

func (c Channel) String() string { return c.Kind + ":" + c.Key }

// Owner is the channel whose statistics count this one: a screen counts for its wall.
func (c Channel) Owner() Channel {
	if c.Kind == ChannelScreen {
		return Channel{Kind: ChannelWall, Key: c.Key}
	}
	return c
}

// Members are the channel names counted in the statistics of c (a wall: itself and its screen).
func (c Channel) Members() []string {
	if c.Kind == ChannelWall {
		return []string{c.String(), ChannelScreen + ":" + c.Key}
	}
	return []string{c.String()}
}

func errUnknownChannel(field string) *FieldError {
	return NewFieldError(field, CodeUnknownChannel, "渠道无效（应为 wall:标识、supermarket:标识、screen:标识 或 demand:编号，且须存在）",
		"unknown channel (wall:SLUG, supermarket:SLUG, screen:SLUG or demand:ID, which must exist)")
}

// ParseChannel reads a channel name's syntax (not whether it exists). field names it in the error.
func ParseChannel(field, s string) (Channel, *FieldError) {
	kind, key, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || key == "" || len(key) > 64 {
		return Channel{}, errUnknownChannel(field)
	}
	switch kind {
	case ChannelWall, ChannelScreen, ChannelSupermarket:
		for _, r := range key {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return Channel{}, errUnknownChannel(field)
			}
		}
	case ChannelDemand:
		if n, err := strconv.ParseInt(key, 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != key {
			return Channel{}, errUnknownChannel(field)
		}
	default:
		return Channel{}, errUnknownChannel(field)
	}
	return Channel{Kind: kind, Key: key}, nil
}

// channelOperators returns the organisations that operate a channel (the wall's association; the
// supermarket's district office and agency; none for a demand: the bureau reads those), and whether the
// channel exists.
func channelOperators(db *gorm.DB, ch Channel) ([]int64, bool, error) {
	switch ch.Kind {
	case ChannelWall, ChannelScreen:
		var ids []int64
		if err := db.Table("walls").Where("slug = ?", ch.Key).Pluck("org_id", &ids).Error; err != nil {
			return nil, false, err
		}
		return ids, len(ids) > 0, nil
	case ChannelSupermarket:
		var rows []struct {
			OfficeID int64
			AgencyID *int64
		}
		if err := db.Table("supermarkets").Select("office_id, agency_id").Where("slug = ?", ch.Key).Scan(&rows).Error; err != nil {
			return nil, false, err
		}
		if len(rows) == 0 {
			return nil, false, nil
		}
		ids := []int64{rows[0].OfficeID}
		if rows[0].AgencyID != nil {
			ids = append(ids, *rows[0].AgencyID)
		}
		return ids, true, nil
	case ChannelDemand:
		var n int64
		if err := db.Table("demands").Where("id = ?", ch.Key).Count(&n).Error; err != nil {
			return nil, false, err
		}
		return nil, n > 0, nil
	}
	return nil, false, nil
}

// ResolveChannel parses a channel name and checks that it exists (field names it in the error).
func (s *Store) ResolveChannel(ctx context.Context, field, name string) (Channel, error) {
	ch, fe := ParseChannel(field, name)
	if fe != nil {
		return Channel{}, fe
	}
	_, ok, err := channelOperators(s.db.WithContext(ctx), ch)
	if err != nil {
		return Channel{}, fmt.Errorf("market: channel %s: %w", ch, err)
	}
	if !ok {
		return Channel{}, errUnknownChannel(field)
	}
	return ch, nil
}

// mayOperate checks that the actor may read and set a channel's statistics and targets: the bureau any
// channel, an operator those of its own organisation. An unknown channel is ErrNotFound.
func (s *Store) mayOperate(db *gorm.DB, actor Actor, name string) (Channel, error) {
	if actor.Anonymous() {
		return Channel{}, ErrUnauth
	}
	ch, fe := ParseChannel("channel", name)
	if fe != nil {
		return Channel{}, ErrNotFound
	}
	ch = ch.Owner()
	ops, ok, err := channelOperators(db, ch)
	if err != nil {
		return Channel{}, fmt.Errorf("market: channel %s: %w", ch, err)
	}
	if !ok {
		return Channel{}, ErrNotFound
	}
	if actor.IsBureau() {
		return ch, nil
	}
	if actor.Role == RoleOperator && actor.OrgID != 0 {
		for _, id := range ops {
			if id == actor.OrgID {
				return ch, nil
			}
		}
	}
	return Channel{}, ErrForbidden
}

// OperatedChannels lists the channels the actor operates (all walls and supermarkets for the bureau),
// walls first, by slug.
func (s *Store) OperatedChannels(ctx context.Context, actor Actor) ([]string, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	if !actor.IsBureau() && (actor.Role != RoleOperator || actor.OrgID == 0) {
		return nil, ErrForbidden
	}
	db := s.reader().WithContext(ctx)
	var walls, sms []string
	qw := db.Table("walls").Order("slug")
	qs := db.Table("supermarkets").Order("slug")
	if !actor.IsBureau() {
		qw = qw.Where("org_id = ?", actor.OrgID)
		qs = qs.Where("office_id = ? OR agency_id = ?", actor.OrgID, actor.OrgID)
	}
	if err := qw.Pluck("slug", &walls).Error; err != nil {
		return nil, fmt.Errorf("market: operated channels: %w", err)
	}
	if err := qs.Pluck("slug", &sms).Error; err != nil {
		return nil, fmt.Errorf("market: operated channels: %w", err)
	}
	out := make([]string, 0, len(walls)+len(sms))
	for _, w := range walls {
		out = append(out, ChannelWall+":"+w)
	}
	for _, m := range sms {
		out = append(out, ChannelSupermarket+":"+m)
	}
	return out, nil
}

// ChannelTouch is a visit through a channel link, remembered for attribution.
type ChannelTouch struct {
	OrgID     int64     `gorm:"column:org_id;primaryKey"`
	Channel   string    `gorm:"column:channel"`
	TouchedAt time.Time `gorm:"column:touched_at"`
}

func (ChannelTouch) TableName() string { return "channel_touches" }

// touch remembers that org came through channel at at, unless it already came through one later.
func touch(tx *gorm.DB, orgID int64, channel string, at time.Time) error {
	return tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "org_id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"channel":    gorm.Expr("CASE WHEN channel_touches.touched_at <= excluded.touched_at THEN excluded.channel ELSE channel_touches.channel END"),
			"touched_at": gorm.Expr("CASE WHEN channel_touches.touched_at <= excluded.touched_at THEN excluded.touched_at ELSE channel_touches.touched_at END"),
		}),
	}).Create(&ChannelTouch{OrgID: orgID, Channel: channel, TouchedAt: at.UTC()}).Error
}

// TouchChannel remembers a visit of the organisation through a channel at the given instant (a visit
// remembered in an anonymous visitor's cookie is carried over at sign-in with its own time; a later
// visit already remembered wins). An unknown channel is ignored: links are followed, not trusted.
func (s *Store) TouchChannel(ctx context.Context, orgID int64, channel string, at time.Time) error {
	if orgID == 0 {
		return nil
	}
	ch, err := s.ResolveChannel(ctx, "via", channel)
	if err != nil {
		if AsFieldErrors(err) != nil {
			return nil
		}
		return err
	}
	if now := s.now(); at.After(now) || at.Before(now.Add(-AttributionWindow)) {
		return nil
	}
	if err := touch(s.db.WithContext(ctx), orgID, ch.String(), at); err != nil {
		return fmt.Errorf("market: remember channel %s: %w", ch, err)
	}
	return nil
}

// LastChannel is the channel the organisation last came through within the attribution window ("" when
// none).
func (s *Store) LastChannel(ctx context.Context, orgID int64) (string, error) {
	return lastChannel(s.db.WithContext(ctx), orgID, s.now())
}

func lastChannel(db *gorm.DB, orgID int64, now time.Time) (string, error) {
	var ts []ChannelTouch
	if err := db.Where("org_id = ? AND touched_at >= ?", orgID, now.Add(-AttributionWindow).UTC()).Limit(1).Find(&ts).Error; err != nil {
		return "", fmt.Errorf("market: last channel of %d: %w", orgID, err)
	}
	if len(ts) == 0 {
		return "", nil
	}
	return ts[0].Channel, nil
}

// attribute decides the channel of an action of org at now inside its transaction: an explicit via
// (an API client's, which counts as the last touch and must name a channel that exists), else the last
// touch within the window. nil when none.
func attribute(tx *gorm.DB, orgID int64, via string, now time.Time) (*string, error) {
	if strings.TrimSpace(via) != "" {
		ch, fe := ParseChannel("via", via)
		if fe != nil {
			return nil, fe
		}
		_, ok, err := channelOperators(tx, ch)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errUnknownChannel("via")
		}
		name := ch.String()
		if err := touch(tx, orgID, name, now); err != nil {
			return nil, err
		}
		return &name, nil
	}
	name, err := lastChannel(tx, orgID, now)
	if err != nil || name == "" {
		return nil, err
	}
	return &name, nil
}

// AttributeAcceptance records the channel of a contract just formed by accepting a licence, in the
// acceptance's transaction (docs/rules.md §10.5).
func AttributeAcceptance(tx *gorm.DB, c *Contract, via string, now time.Time) error {
	ch, err := attribute(tx, c.LicenseeID, via, now)
	if err != nil || ch == nil {
		return err
	}
	c.Channel = ch
	return tx.Model(&Contract{}).Where("id = ?", c.ID).Update("channel", *ch).Error
}

// RecordVisit counts a visit through a channel link: the patent viewed (0 for another page), the
// visitor ("org:ID" when signed in, else the visitor cookie's key) and the Shanghai day. A view counts
// once per channel, visitor, patent and day; every arrival adds a hit (screen QR scans are counted so).
// An unknown channel is ignored.
func (s *Store) RecordVisit(ctx context.Context, channel, visitor string, patentID int64) error {
	if visitor == "" || len(visitor) > 80 {
		return nil
	}
	ch, err := s.ResolveChannel(ctx, "via", channel)
	if err != nil {
		if AsFieldErrors(err) != nil {
			return nil
		}
		return err
	}
	day := DateOf(s.now())
	err = s.db.WithContext(ctx).Exec(`INSERT INTO channel_visits (channel, patent_id, visitor, day, hits) VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (channel, patent_id, visitor, day) DO UPDATE SET hits = channel_visits.hits + 1`,
		ch.String(), patentID, visitor, day).Error
	if err != nil {
		return fmt.Errorf("market: record visit of %s: %w", ch, err)
	}
	return nil
}

// PatentIDByNo returns a patent's ID by application number (0 when unknown).
func (s *Store) PatentIDByNo(ctx context.Context, appNo string) (int64, error) {
	canon, err := NormalizeApplicationNo(appNo)
	if err != nil {
		return 0, nil
	}
	var ids []int64
	if err := s.reader().WithContext(ctx).Table("patents").Where("application_no = ?", canon).Limit(1).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("market: patent %s: %w", canon, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}
