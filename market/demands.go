package market

// The demand board (技术需求): technology needs posted by organisations, moderated by the operators of
// the channel they are posted to, matched to live offers, and closed by their poster, fulfilled or not.
// docs/rules.md §10.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Demand statuses: pending (waiting for moderation, after posting and after every edit), open (approved:
// public and matched), rejected, closed (by its poster) and fulfilled (by a contract).
const (
	DemandPending   = "pending"
	DemandOpen      = "open"
	DemandRejected  = "rejected"
	DemandClosed    = "closed"
	DemandFulfilled = "fulfilled"
)

// DemandStatuses lists the statuses in display order; PublicDemandStatuses those the board shows.
var (
	DemandStatuses       = []string{DemandPending, DemandOpen, DemandRejected, DemandClosed, DemandFulfilled}
	PublicDemandStatuses = []string{DemandOpen, DemandClosed, DemandFulfilled}
)

// Industries are Shanghai's key industries (上海重点产业), the industries a demand may name besides any
// industry of a patent on the platform.
var Industries = []string{"集成电路", "生物医药", "人工智能", "新能源汽车", "高端装备", "新材料", "航空航天", "信息通信"}

// Demand is a technology need (技术需求) posted by an organisation, usually an SME.
type Demand struct {
	ID             int64      `gorm:"column:id;primaryKey"`
	OrgID          int64      `gorm:"column:org_id"`
	Title          string     `gorm:"column:title"`
	Description    string     `gorm:"column:description"`
	Industry       string     `gorm:"column:industry"`
	IPC            string     `gorm:"column:ipc"` // one canonical symbol or ""
	BudgetMinFen   int64      `gorm:"column:budget_min_fen"`
	BudgetMaxFen   int64      `gorm:"column:budget_max_fen"` // 0 = no budget stated
	Deadline       Date       `gorm:"column:deadline"`
	Channel        string     `gorm:"column:channel"` // "wall:SLUG", "supermarket:SLUG" or "" (the board only)
	Status         string     `gorm:"column:status"`
	PostedBy       *int64     `gorm:"column:posted_by"`
	ModeratedBy    *int64     `gorm:"column:moderated_by"`
	ModeratedAt    *time.Time `gorm:"column:moderated_at"`
	ModerationNote string     `gorm:"column:moderation_note"`
	ContractID     *int64     `gorm:"column:contract_id"`
	CreatedAt      time.Time  `gorm:"column:created_at"`
	UpdatedAt      *time.Time `gorm:"column:updated_at"`
	ClosedAt       *time.Time `gorm:"column:closed_at"`
}

func (Demand) TableName() string { return "demands" }

// Public reports whether anyone may see the demand (it passed moderation).
func (d *Demand) Public() bool {
	return d.Status == DemandOpen || d.Status == DemandClosed || d.Status == DemandFulfilled
}

// DemandView is a demand with the name and district of the organisation that posted it.
type DemandView struct {
	Demand
	OrgName     string
	OrgDistrict string
	OrgKind     string
	OrgIsSME    bool
	OrgUSCC     string
	ContractNo  string // the contract that fulfilled it
}

// WallDemands returns the newest open demands of a wall's industry (all industries when it has none).
func (s *Store) WallDemands(ctx context.Context, w *Wall, n int) ([]DemandView, error) {
	q := s.demandQuery(ctx).Where("demands.status = ?", DemandOpen)
	if w.Industry != "" {
		q = q.Where("demands.industry = ?", w.Industry)
	}
	var out []DemandView
	if err := q.Order("demands.created_at DESC, demands.id DESC").Limit(n).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("market: wall %s demands: %w", w.Slug, err)
	}
	return out, nil
}

// SupermarketDemands returns the newest open demands posted to a supermarket (channel
// "supermarket:SLUG"), which its agency moderates and matches (docs/rules.md §10).
func (s *Store) SupermarketDemands(ctx context.Context, sm *Supermarket, n int) ([]DemandView, error) {
	var out []DemandView
	if err := s.demandQuery(ctx).Where("demands.status = ? AND demands.channel = ?", DemandOpen, "supermarket:"+sm.Slug).
		Order("demands.created_at DESC, demands.id DESC").Limit(n).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("market: supermarket %s demands: %w", sm.Slug, err)
	}
	return out, nil
}

// DemandInput is a demand as posted or edited (the API's body, the form's fields).
type DemandInput struct {
	Title         string  `json:"title"`
	Description   string  `json:"description"`
	Industry      string  `json:"industry"`
	IPC           string  `json:"ipc"`
	BudgetMinYuan Numeric `json:"budget_min_yuan"`
	BudgetMaxYuan Numeric `json:"budget_max_yuan"`
	Deadline      string  `json:"deadline"`
	Channel       string  `json:"channel"`
}

// Demand text limits.
const (
	MaxDemandTitle       = 100
	MaxDemandDescription = 2000
	MaxModerationNote    = 500
)

// checkDemand validates a demand's fields against the database (industries, channel) and fills d. Every
// problem is reported at once.
func checkDemand(tx *gorm.DB, in DemandInput, today Date, d *Demand) error {
	var errs Errors
	add := func(fe *FieldError) {
		if fe != nil {
			errs = append(errs, fe)
		}
	}
	d.Title = strings.TrimSpace(in.Title)
	d.Description = strings.TrimSpace(in.Description)
	d.Industry = strings.TrimSpace(in.Industry)
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		add(NewFieldError("title", "required", "请填写需求标题", "title is required"))
	case n > MaxDemandTitle:
		add(NewFieldError("title", "too_long", fmt.Sprintf("需求标题最多 %d 个字符", MaxDemandTitle),
			fmt.Sprintf("title has at most %d characters", MaxDemandTitle)))
	default:
		add(CheckText("title", "需求标题", "title", d.Title, false))
	}
	switch n := utf8.RuneCountInString(d.Description); {
	case n == 0:
		add(NewFieldError("description", "required", "请描述需要解决的技术问题", "description is required"))
	case n > MaxDemandDescription:
		add(NewFieldError("description", "too_long", fmt.Sprintf("需求描述最多 %d 个字符", MaxDemandDescription),
			fmt.Sprintf("description has at most %d characters", MaxDemandDescription)))
	default:
		add(CheckText("description", "需求描述", "description", d.Description, true))
	}
	if d.Industry == "" {
		add(NewFieldError("industry", "required", "请选择所属行业", "industry is required"))
	} else if ok, err := knownIndustry(tx, d.Industry); err != nil {
		return err
	} else if !ok {
		add(NewFieldError("industry", "unknown_value", fmt.Sprintf("未知行业“%s”：请从列表中选择", clipText(d.Industry)),
			fmt.Sprintf("unknown industry %q: choose one from the list", clipText(d.Industry))))
	}
	d.IPC = ""
	if v := strings.TrimSpace(in.IPC); v != "" {
		sym, err := ParseIPC(v)
		var fe *FieldError
		switch {
		case errors.As(err, &fe):
			add(&FieldError{Field: "ipc", Code: fe.Code, MessageZH: fe.MessageZH, MessageEN: fe.MessageEN})
		case err != nil:
			add(NewFieldError("ipc", "invalid_format", "IPC 分类号格式错误，应如 H01M 或 H01M 10/05", "IPC must look like H01M or H01M 10/05"))
		default:
			d.IPC = sym.String()
		}
	}
	min, fe := optional("budget_min_yuan", in.BudgetMinYuan, ParseYuan)
	add(fe)
	max, fe2 := optional("budget_max_yuan", in.BudgetMaxYuan, ParseYuan)
	add(fe2)
	if fe == nil && fe2 == nil {
		if !in.BudgetMaxYuan.Blank() && min > max {
			add(NewFieldError("budget_min_yuan", "min_above_max", "预算下限不能高于预算上限", "budget_min_yuan must not be above budget_max_yuan"))
		}
		if in.BudgetMaxYuan.Blank() && min > 0 {
			add(NewFieldError("budget_max_yuan", "required", "填写预算下限时也请填写预算上限", "give budget_max_yuan with budget_min_yuan"))
		}
		d.BudgetMinFen, d.BudgetMaxFen = int64(min), int64(max)
	}
	d.Deadline = Date{}
	if v := strings.TrimSpace(in.Deadline); v != "" {
		day, fe := ParseDateField("deadline", v)
		switch {
		case fe != nil:
			add(fe)
		case day.Before(today):
			add(NewFieldError("deadline", "in_past", fmt.Sprintf("截止日期 %s 已过", day), fmt.Sprintf("deadline %s is in the past", day)))
		default:
			d.Deadline = day
		}
	}
	d.Channel = strings.TrimSpace(in.Channel)
	if d.Channel != "" {
		if _, err := channelModerators(tx, d.Channel); errors.Is(err, ErrNotFound) {
			add(NewFieldError("channel", "unknown_value", fmt.Sprintf("渠道“%s”不存在（应如 wall:ic 或 supermarket:pudong）", clipText(d.Channel)),
				fmt.Sprintf("unknown channel %q (e.g. wall:ic or supermarket:pudong)", clipText(d.Channel))))
		} else if err != nil {
			return err
		}
	}
	return errs.Err()
}

func clipText(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// knownIndustry reports whether v is a key industry or the industry of a patent on the platform.
func knownIndustry(tx *gorm.DB, v string) (bool, error) {
	for _, ind := range Industries {
		if ind == v {
			return true, nil
		}
	}
	var ids []int64
	if err := tx.Model(&Patent{}).Where("industry = ?", v).Limit(1).Pluck("id", &ids).Error; err != nil {
		return false, fmt.Errorf("market: check industry: %w", err)
	}
	return len(ids) > 0, nil
}

// channelModerators returns the organisations whose operators moderate demands posted to a channel: a
// wall's association; a supermarket's district office and its agency. ErrNotFound for an unknown channel.
func channelModerators(tx *gorm.DB, channel string) ([]int64, error) {
	kind, slug, _ := strings.Cut(channel, ":")
	switch kind {
	case "wall":
		var w Wall
		if err := tx.Select("id", "org_id").Where("slug = ?", slug).Limit(1).Find(&w).Error; err != nil {
			return nil, fmt.Errorf("market: demand channel %s: %w", channel, err)
		}
		if w.ID != 0 {
			return []int64{w.OrgID}, nil
		}
	case "supermarket":
		var sm Supermarket
		if err := tx.Select("id", "office_id", "agency_id").Where("slug = ?", slug).Limit(1).Find(&sm).Error; err != nil {
			return nil, fmt.Errorf("market: demand channel %s: %w", channel, err)
		}
		if sm.ID != 0 {
			out := []int64{sm.OfficeID}
			if sm.AgencyID != nil {
				out = append(out, *sm.AgencyID)
			}
			return out, nil
		}
	}
	return nil, ErrNotFound
}

// ErrNotModerator refuses an operator who does not run the demand's channel.
var ErrNotModerator = &FieldError{Code: CodeNotModerator,
	MessageZH: "只有该需求所属渠道的运营方才能审核", MessageEN: "only the operators of the demand's channel moderate it"}

// ErrDemandState refuses a step the demand's status does not allow (editing a fulfilled demand…).
var ErrDemandState = &FieldError{Code: CodeDemandState,
	MessageZH: "该需求当前状态不允许此操作", MessageEN: "the demand's status does not allow this"}

// mayModerate: the bureau moderates every demand; an operator those of the channels its organisation
// runs, or any demand posted to no channel.
func mayModerate(tx *gorm.DB, actor Actor, d *Demand) error {
	switch {
	case actor.Anonymous():
		return ErrUnauth
	case actor.IsBureau():
		return nil
	case actor.Role != RoleOperator:
		return ErrForbidden
	case d.Channel == "":
		return nil
	}
	orgs, err := channelModerators(tx, d.Channel)
	if errors.Is(err, ErrNotFound) {
		// The channel was removed since: any operator may then take the demand.
		return nil
	}
	if err != nil {
		return err
	}
	for _, id := range orgs {
		if id == actor.OrgID && actor.OrgID != 0 {
			return nil
		}
	}
	return ErrNotModerator
}

// mayPost: a user of a verified organisation (re-read in the transaction).
func mayPost(tx *gorm.DB, actor Actor) error {
	if actor.Anonymous() {
		return ErrUnauth
	}
	if actor.OrgID == 0 {
		return ErrForbidden
	}
	var org Organisation
	if err := tx.Select("id", "verified_at").Where("id = ?", actor.OrgID).Limit(1).Find(&org).Error; err != nil {
		return fmt.Errorf("market: load poster: %w", err)
	}
	if !org.Verified() {
		return ErrOrgUnverified
	}
	return nil
}

// PostDemand posts a demand of the actor's verified organisation; it waits for moderation (pending).
func (s *Store) PostDemand(ctx context.Context, actor Actor, in DemandInput) (*Demand, error) {
	var d Demand
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		if err := mayPost(tx, actor); err != nil {
			return err
		}
		now := s.now()
		if err := checkDemand(tx, in, DateOf(now), &d); err != nil {
			return err
		}
		uid := actor.UserID
		d.OrgID, d.PostedBy, d.Status, d.CreatedAt = actor.OrgID, &uid, DemandPending, now
		return tx.Create(&d).Error
	})
	if err != nil {
		return nil, wrapDemandErr("post demand", err)
	}
	return &d, nil
}

func wrapDemandErr(what string, err error) error {
	var fe *FieldError
	var fes Errors
	if errors.As(err, &fe) || errors.As(err, &fes) {
		return err
	}
	return fmt.Errorf("market: %s: %w", what, err)
}

// lockDemand loads a demand for update (Postgres row lock; SQLite serialises writers).
func lockDemand(tx *gorm.DB, id int64) (*Demand, error) {
	var d Demand
	q := tx.Where("id = ?", id)
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	if err := q.Limit(1).Find(&d).Error; err != nil {
		return nil, err
	}
	if d.ID == 0 {
		return nil, ErrNotFound
	}
	return &d, nil
}

// EditDemand replaces a demand's fields; only its poster's organisation edits, and only while it is not
// closed or fulfilled. The edited demand goes back to moderation.
func (s *Store) EditDemand(ctx context.Context, actor Actor, id int64, in DemandInput) (*Demand, error) {
	var d *Demand
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		if err := mayPost(tx, actor); err != nil {
			return err
		}
		var err error
		if d, err = lockDemand(tx, id); err != nil {
			return err
		}
		if d.OrgID != actor.OrgID {
			return notPosterErr(tx, actor, d)
		}
		if d.Status == DemandClosed || d.Status == DemandFulfilled {
			return ErrDemandState
		}
		now := s.now()
		if err := checkDemand(tx, in, DateOf(now), d); err != nil {
			return err
		}
		d.Status, d.ModeratedBy, d.ModeratedAt, d.ModerationNote, d.UpdatedAt = DemandPending, nil, nil, "", &now
		return tx.Select("*").Omit("id", "org_id", "posted_by", "created_at").Updates(d).Error
	})
	if err != nil {
		return nil, wrapDemandErr("edit demand", err)
	}
	return d, nil
}

// Moderation decisions.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// ModerateDemand approves (open) or rejects a pending demand, with an optional note (required to reject:
// the poster must learn why). Approving tells the poster nothing new; rejecting notifies the poster.
func (s *Store) ModerateDemand(ctx context.Context, actor Actor, id int64, decision, note string) (*Demand, error) {
	var d *Demand
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if d, err = lockDemand(tx, id); err != nil {
			return err
		}
		if err := mayModerate(tx, actor, d); err != nil {
			return err
		}
		note = strings.TrimSpace(note)
		var errs Errors
		if decision != DecisionApprove && decision != DecisionReject {
			errs = append(errs, NewFieldError("decision", "unknown_value", "审核结论应为 approve（通过）或 reject（退回）",
				"decision must be approve or reject"))
		}
		if utf8.RuneCountInString(note) > MaxModerationNote {
			errs = append(errs, NewFieldError("note", "too_long", fmt.Sprintf("审核意见最多 %d 个字符", MaxModerationNote),
				fmt.Sprintf("note has at most %d characters", MaxModerationNote)))
		} else if fe := CheckText("note", "审核意见", "note", note, true); fe != nil {
			errs = append(errs, fe)
		} else if decision == DecisionReject && note == "" {
			errs = append(errs, NewFieldError("note", "required", "退回需求时请写明原因", "say why the demand is rejected"))
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if d.Status != DemandPending {
			return ErrDemandState
		}
		now := s.now()
		uid := actor.UserID
		d.Status, d.ModeratedBy, d.ModeratedAt, d.ModerationNote = DemandOpen, &uid, &now, note
		if decision == DecisionReject {
			d.Status = DemandRejected
		}
		if err := tx.Model(d).Select("status", "moderated_by", "moderated_at", "moderation_note").Updates(d).Error; err != nil {
			return err
		}
		link := fmt.Sprintf("/demands/%d", d.ID)
		if decision == DecisionReject {
			return NotifyUser(tx, d.OrgID, d.PostedBy, NoticeDemandRejected, now, link,
				"技术需求被退回："+d.Title, "审核意见："+note)
		}
		return NotifyUser(tx, d.OrgID, d.PostedBy, NoticeDemandApproved, now, link,
			"技术需求已发布："+d.Title, "您的技术需求已通过审核，现已公开展示并为您匹配专利。")
	})
	if err != nil {
		return nil, wrapDemandErr("moderate demand", err)
	}
	return d, nil
}

// CloseDemand ends a demand: closed, or fulfilled when contractNo names a contract the poster's
// organisation is a party to. Only the poster's organisation closes; a closed demand stays on the board.
func (s *Store) CloseDemand(ctx context.Context, actor Actor, id int64, contractNo string) (*Demand, error) {
	var d *Demand
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		if actor.Anonymous() {
			return ErrUnauth
		}
		var err error
		if d, err = lockDemand(tx, id); err != nil {
			return err
		}
		if d.OrgID != actor.OrgID || actor.OrgID == 0 {
			return notPosterErr(tx, actor, d)
		}
		if d.Status == DemandClosed || d.Status == DemandFulfilled {
			return ErrDemandState
		}
		now := s.now()
		d.Status, d.ClosedAt = DemandClosed, &now
		if no := strings.TrimSpace(contractNo); no != "" {
			var c Contract
			if err := tx.Select("id", "licensor_id", "licensee_id").Where("contract_no = ?", no).Limit(1).Find(&c).Error; err != nil {
				return err
			}
			if c.ID == 0 || (c.LicenseeID != d.OrgID && c.LicensorID != d.OrgID) {
				return NewFieldError("contract_no", "unknown_value", fmt.Sprintf("找不到贵单位作为当事方的合同“%s”", clipText(no)),
					fmt.Sprintf("no contract %q with your organisation as a party", clipText(no)))
			}
			d.Status, d.ContractID = DemandFulfilled, &c.ID
		}
		return tx.Model(d).Select("status", "closed_at", "contract_id").Updates(d).Error
	})
	if err != nil {
		return nil, wrapDemandErr("close demand", err)
	}
	return d, nil
}

// notPosterErr is the refusal of an edit or close by someone outside the poster's organisation: a pending
// or rejected demand is "not found" to whoever may not see it (not only its poster's organisation and its
// moderators, docs/rules.md §10.6), so a refusal does not confirm that it exists; others are forbidden.
func notPosterErr(tx *gorm.DB, actor Actor, d *Demand) error {
	if !d.Public() && mayModerate(tx, actor, d) != nil {
		return ErrNotFound
	}
	return ErrForbidden
}

// DemandByID loads one demand: a public one for anyone; a pending or rejected one only for its poster's
// organisation and those who may moderate it.
func (s *Store) DemandByID(ctx context.Context, actor Actor, id int64) (*DemandView, error) {
	var out []DemandView
	if err := s.demandQuery(ctx).Where("demands.id = ?", id).Limit(1).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("market: load demand %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	d := &out[0]
	if d.Public() || (actor.OrgID != 0 && actor.OrgID == d.OrgID) {
		return d, nil
	}
	if mayModerate(s.db.WithContext(ctx), actor, &d.Demand) == nil {
		return d, nil
	}
	return nil, ErrNotFound
}

// MayModerateDemand reports whether the actor may moderate the demand (for showing the buttons).
func (s *Store) MayModerateDemand(ctx context.Context, actor Actor, d *Demand) bool {
	return mayModerate(s.db.WithContext(ctx), actor, d) == nil
}

// DemandFilter selects demands on the board.
type DemandFilter struct {
	Text     string // in the title or description
	Industry string
	Status   string // one of PublicDemandStatuses, "" = all of them
	Channel  string
}

// DemandBoard returns one page of public demands, newest first, and the total count.
func (s *Store) DemandBoard(ctx context.Context, f DemandFilter, limit, offset int) ([]DemandView, int64, error) {
	q := s.demandQuery(ctx)
	if f.Status != "" {
		q = q.Where("demands.status = ?", f.Status)
	} else {
		q = q.Where("demands.status IN ?", PublicDemandStatuses)
	}
	if f.Industry != "" {
		q = q.Where("demands.industry = ?", f.Industry)
	}
	if f.Channel != "" {
		q = q.Where("demands.channel = ?", f.Channel)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		like := "%" + escapeLike(t) + "%"
		q = q.Where("(demands.title LIKE ? ESCAPE '\\' OR demands.description LIKE ? ESCAPE '\\')", like, like)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("market: count demands: %w", err)
	}
	var out []DemandView
	if err := q.Order("demands.created_at DESC, demands.id DESC").Limit(limit).Offset(offset).Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("market: list demands: %w", err)
	}
	return out, total, nil
}

// escapeLike escapes the LIKE wildcards of a user's text.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// ModerationQueue lists the pending demands the actor may moderate, oldest first.
func (s *Store) ModerationQueue(ctx context.Context, actor Actor) ([]DemandView, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	if !actor.IsBureau() && actor.Role != RoleOperator {
		return nil, ErrForbidden
	}
	var all []DemandView
	if err := s.demandQuery(ctx).Where("demands.status = ?", DemandPending).Order("demands.created_at, demands.id").Limit(500).Scan(&all).Error; err != nil {
		return nil, fmt.Errorf("market: moderation queue: %w", err)
	}
	out := all[:0]
	for i := range all {
		if mayModerate(s.db.WithContext(ctx), actor, &all[i].Demand) == nil {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// OrgDemands lists the demands of the actor's organisation, newest first, whatever their status.
func (s *Store) OrgDemands(ctx context.Context, actor Actor) ([]DemandView, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	var out []DemandView
	if actor.OrgID == 0 {
		return out, nil
	}
	if err := s.demandQuery(ctx).Where("demands.org_id = ?", actor.OrgID).Order("demands.created_at DESC, demands.id DESC").Limit(200).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("market: own demands: %w", err)
	}
	return out, nil
}

// OpenDemands returns every open demand with its poster's district (for matching new patents).
func (s *Store) OpenDemands(ctx context.Context) ([]DemandView, error) {
	var out []DemandView
	if err := s.demandQuery(ctx).Where("demands.status = ?", DemandOpen).Order("demands.id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("market: open demands: %w", err)
	}
	return out, nil
}

func (s *Store) demandQuery(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("demands").
		Select("demands.*, o.name AS org_name, o.district_code AS org_district, o.kind AS org_kind, o.is_sme AS org_is_sme, " +
			"o.uscc AS org_uscc, COALESCE(ct.contract_no, '') AS contract_no").
		Joins("JOIN organisations o ON o.id = demands.org_id").
		Joins("LEFT JOIN contracts ct ON ct.id = demands.contract_id")
}

// DemandChannel is a wall or supermarket a demand can be posted to.
type DemandChannel struct {
	Key  string // "wall:SLUG" or "supermarket:SLUG"
	Name string
	// Moderators are the organisations whose operators moderate its demands.
	Moderators []int64
}

// DemandChannels lists every wall and supermarket, walls first, by name.
func (s *Store) DemandChannels(ctx context.Context) ([]DemandChannel, error) {
	var ws []Wall
	if err := s.db.WithContext(ctx).Order("name, id").Find(&ws).Error; err != nil {
		return nil, fmt.Errorf("market: channels: %w", err)
	}
	var sms []Supermarket
	if err := s.db.WithContext(ctx).Order("name, id").Find(&sms).Error; err != nil {
		return nil, fmt.Errorf("market: channels: %w", err)
	}
	out := make([]DemandChannel, 0, len(ws)+len(sms))
	for _, w := range ws {
		out = append(out, DemandChannel{Key: "wall:" + w.Slug, Name: w.Name, Moderators: []int64{w.OrgID}})
	}
	for _, sm := range sms {
		ch := DemandChannel{Key: "supermarket:" + sm.Slug, Name: sm.Name, Moderators: []int64{sm.OfficeID}}
		if sm.AgencyID != nil {
			ch.Moderators = append(ch.Moderators, *sm.AgencyID)
		}
		out = append(out, ch)
	}
	return out, nil
}

// AnalysisChannels lists the channels whose demand analysis the actor may read: the bureau every
// channel; an operator the channels its organisation runs. Others: ErrForbidden.
func (s *Store) AnalysisChannels(ctx context.Context, actor Actor) ([]DemandChannel, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	if !actor.IsBureau() && actor.Role != RoleOperator {
		return nil, ErrForbidden
	}
	all, err := s.DemandChannels(ctx)
	if err != nil || actor.IsBureau() {
		return all, err
	}
	var out []DemandChannel
	for _, ch := range all {
		for _, id := range ch.Moderators {
			if id == actor.OrgID && id != 0 {
				out = append(out, ch)
				break
			}
		}
	}
	return out, nil
}

// ChannelDemands returns every demand posted to a channel that has passed moderation (open, closed,
// fulfilled), for the operators' analysis; channel "" means every demand on the board.
func (s *Store) ChannelDemands(ctx context.Context, channel string) ([]DemandView, error) {
	q := s.demandQuery(ctx).Where("demands.status IN ?", PublicDemandStatuses)
	if channel != "" {
		q = q.Where("demands.channel = ?", channel)
	}
	var out []DemandView
	if err := q.Order("demands.id").Limit(10_000).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("market: channel demands: %w", err)
	}
	return out, nil
}

// OffersByIndustry counts the live offers (a live declaration, or a transfer price on a granted patent)
// per patent industry: the supply side of the demand analysis.
func (s *Store) OffersByIndustry(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Industry string
		N        int64
	}
	err := s.reader().WithContext(ctx).Raw(`SELECT p.industry AS industry, COUNT(*) AS n FROM patents p
		WHERE EXISTS (SELECT 1 FROM declarations d WHERE d.patent_id = p.id AND d.status = ?)
		   OR (p.transfer_price_fen > 0 AND p.status = ?)
		GROUP BY p.industry`, DeclLive, StatusGranted).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("market: offers by industry: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Industry] = r.N
	}
	return out, nil
}

// OfferedPatentIDs returns up to limit IDs of an organisation's patents with a live offer (a live
// declaration, or a transfer price on a granted patent), newest first.
func (s *Store) OfferedPatentIDs(ctx context.Context, orgID int64, limit int) ([]int64, error) {
	var ids []int64
	err := s.reader().WithContext(ctx).Model(&Patent{}).
		Where("patentee_id = ?", orgID).
		Where("(EXISTS (SELECT 1 FROM declarations d WHERE d.patent_id = patents.id AND d.status = ?) OR (patents.transfer_price_fen > 0 AND patents.status = ?))",
			DeclLive, StatusGranted).
		Order("id DESC").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("market: offered patents: %w", err)
	}
	return ids, nil
}

// matchRow is one row of MatchRows' query.
type matchRow struct {
	ID               int64   `gorm:"column:id"`
	ApplicationNo    string  `gorm:"column:application_no"`
	Title            string  `gorm:"column:title"`
	Abstract         string  `gorm:"column:abstract"`
	Status           string  `gorm:"column:status"`
	Industry         string  `gorm:"column:industry"`
	IPC              string  `gorm:"column:ipc"`
	PatenteeID       int64   `gorm:"column:patentee_id"`
	TransferPriceFen int64   `gorm:"column:transfer_price_fen"`
	PatenteeName     string  `gorm:"column:patentee_name"`
	PatenteeKind     string  `gorm:"column:patentee_kind"`
	DistrictCode     string  `gorm:"column:district_code"`
	DeclID           *int64  `gorm:"column:decl_id"`
	FeeModel         *string `gorm:"column:fee_model"`
	FeeFen           *int64  `gorm:"column:fee_fen"`
	EntryFeeFen      *int64  `gorm:"column:entry_fee_fen"`
}

// MatchRows loads what matching a demand reads of its candidate patents (docs/rules.md §10): the text,
// IPC, industry and status of each patent, its holder, transfer price and live declaration's fees, in
// one query, then the titles of their IPC symbols. Unknown IDs are skipped; rows come ordered by ID.
// Only those columns are filled: the rows are not for indexing (IndexRows is).
func (s *Store) MatchRows(ctx context.Context, ids []int64) ([]IndexRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	db := s.reader().WithContext(ctx)
	var rs []matchRow
	if err := db.Table("patents p").
		Select("p.id, p.application_no, p.title, p.abstract, p.status, p.industry, p.ipc, p.patentee_id, "+
			"p.transfer_price_fen, o.name AS patentee_name, o.kind AS patentee_kind, o.district_code, "+
			"d.id AS decl_id, d.fee_model, d.fee_fen, d.entry_fee_fen").
		Joins("JOIN organisations o ON o.id = p.patentee_id").
		Joins("LEFT JOIN declarations d ON d.patent_id = p.id AND d.status = ?", DeclLive).
		Where("p.id IN ?", ids).Order("p.id").Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("market: load match candidates: %w", err)
	}
	symbols := map[string]bool{}
	out := make([]IndexRow, 0, len(rs))
	keys := make([][]string, 0, len(rs)) // each row's IPC lookup keys, parsed once
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].ID == r.ID {
			continue // a second live declaration cannot be; take the first if it were
		}
		row := IndexRow{Patent: Patent{ID: r.ID, ApplicationNo: r.ApplicationNo, Title: r.Title, Abstract: r.Abstract,
			Status: r.Status, Industry: r.Industry, IPC: r.IPC, PatenteeID: r.PatenteeID, TransferPriceFen: r.TransferPriceFen},
			PatenteeName: r.PatenteeName, PatenteeKind: r.PatenteeKind, DistrictCode: r.DistrictCode}
		if r.DeclID != nil {
			d := &Declaration{ID: *r.DeclID, PatentID: r.ID, Status: DeclLive}
			if r.FeeModel != nil {
				d.FeeModel = *r.FeeModel
			}
			if r.FeeFen != nil {
				d.FeeFen = *r.FeeFen
			}
			if r.EntryFeeFen != nil {
				d.EntryFeeFen = *r.EntryFeeFen
			}
			row.Declaration = d
		}
		k := ipcLookupKeys(r.IPC)
		for _, sym := range k {
			symbols[sym] = true
		}
		out = append(out, row)
		keys = append(keys, k)
	}
	if len(symbols) == 0 {
		return out, nil
	}
	titles, err := ipcTitles(s.reader().WithContext(ctx), symbols)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, sym := range keys[i] {
			if t, ok := titles[sym]; ok {
				out[i].IPCTitles = append(out[i].IPCTitles, t)
			}
		}
	}
	return out, nil
}
