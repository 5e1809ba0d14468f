package market

// Intents (docs/rules.md §10.4): a verified organisation asks to buy a patent offered for transfer, or to
// negotiate an ordinary licence where the holder invites it; the two parties talk in a thread; the
// holder declines, the buyer withdraws, or the holder records the agreed deal (deals.go).

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Intent statuses.
const (
	IntentOpen      = "open"
	IntentDeclined  = "declined"
	IntentWithdrawn = "withdrawn"
	IntentAgreed    = "agreed" // the holder recorded the deal
)

// IntentKinds are the kinds of deal an intent may ask for: never an exclusive or sole licence, which a
// standing open-licence declaration forbids (Patent Law Art. 50).
var IntentKinds = []string{ContractTransfer, ContractOrdinaryLicence}

// Intent limits.
const (
	MaxMessageRunes = 4000
	// IntentsPerHour bounds the intents one organisation sends (rate_limited beyond).
	IntentsPerHour = 30
)

// Intent is one buyer's request about one patent, with its thread.
type Intent struct {
	ID         int64      `gorm:"column:id;primaryKey"`
	PatentID   int64      `gorm:"column:patent_id"`
	Kind       string     `gorm:"column:kind"`
	BuyerID    int64      `gorm:"column:buyer_id"`
	HolderID   int64      `gorm:"column:holder_id"`
	Status     string     `gorm:"column:status"`
	OfferFen   *int64     `gorm:"column:offer_fen"`
	Channel    *string    `gorm:"column:channel"`
	ContractID *int64     `gorm:"column:contract_id"`
	CreatedBy  int64      `gorm:"column:created_by"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	UpdatedAt  time.Time  `gorm:"column:updated_at"`
	ClosedAt   *time.Time `gorm:"column:closed_at"`
}

func (Intent) TableName() string { return "intents" }

// IntentMessage is one message of an intent's thread.
type IntentMessage struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	IntentID  int64     `gorm:"column:intent_id"`
	OrgID     int64     `gorm:"column:org_id"`
	UserID    int64     `gorm:"column:user_id"`
	Body      string    `gorm:"column:body"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (IntentMessage) TableName() string { return "intent_messages" }

// Notification kinds of intents.
const (
	NoticeIntentReceived = "intent_received" // to the holder
	NoticeIntentMessage  = "intent_message"  // to the other party
	NoticeIntentClosed   = "intent_closed"   // declined or withdrawn: to the other party
	NoticeDealRecorded   = "deal_recorded"   // to the buyer
)

// IntentLink is the page of an intent.
func IntentLink(id int64) string { return fmt.Sprintf("/intents/%d", id) }

var (
	errIntentClosed = Conflict(CodeIntentClosed, "该意向已结束", "this intent is closed")
	errIntentExists = NewFieldError("application_no", CodeIntentExists, "贵单位已就该专利提出同类意向，请在原意向中继续沟通",
		"your organisation already has an open intent of this kind on this patent: continue in it")
	errOnlyIntentParties = &FieldError{Code: CodeForbidden, MessageZH: "只有意向双方可以执行此操作", MessageEN: "only the two parties of the intent can do this"}
	errOnlyHolder        = &FieldError{Code: CodeForbidden, MessageZH: "只有专利权人可以执行此操作", MessageEN: "only the patentee can do this"}
	errOnlyBuyer         = &FieldError{Code: CodeForbidden, MessageZH: "只有提出意向的一方可以撤回", MessageEN: "only the party that sent the intent can withdraw it"}
)

// markupRe finds an HTML or script tag in a message: pages escape text anyway, but a tag in a message is
// never meant as text, and the thread is evidence the parties may print.
var markupRe = regexp.MustCompile(`(?i)<\s*/?\s*[a-z!?]|javascript:`)

// checkMessage validates a message body (field names it).
func checkMessage(field, body string, required bool) *FieldError {
	switch {
	case strings.TrimSpace(body) == "":
		if required {
			return NewFieldError(field, "required", "请填写留言内容", "the message is required")
		}
		return nil
	case utf8.RuneCountInString(body) > MaxMessageRunes:
		return NewFieldError(field, "too_long", fmt.Sprintf("留言最多 %d 个字符", MaxMessageRunes),
			fmt.Sprintf("the message may be at most %d characters", MaxMessageRunes))
	}
	if fe := CheckText(field, "留言", "message", body, true); fe != nil {
		return fe
	}
	if markupRe.MatchString(body) {
		return NewFieldError(field, CodeMarkupNotAllowed, "留言不能包含 HTML 标签或脚本", "the message must not contain HTML tags or script")
	}
	return nil
}

// IntentInput is a new intent.
type IntentInput struct {
	ApplicationNo string
	Kind          string
	OfferFen      *int64 // the buyer's price, optional
	Message       string
	Via           string // the channel an API client came through (docs/rules.md §10.5)
}

// CreateIntent sends an intent for the actor's (verified) organisation: not on its own patent; a
// transfer only of a patent offered for transfer, an ordinary licence only where the holder invites
// negotiation. The first message, if any, opens the thread; the holder is notified.
func (s *Store) CreateIntent(ctx context.Context, act Actor, in IntentInput) (*Intent, error) {
	if err := act.MayPublish(); err != nil {
		return nil, err
	}
	var errs Errors
	canon, err := NormalizeApplicationNo(in.ApplicationNo)
	if err != nil {
		errs = append(errs, NewFieldError("application_no", "invalid", "申请号无效", "invalid application number"))
	}
	kind := strings.TrimSpace(in.Kind)
	if kind != ContractTransfer && kind != ContractOrdinaryLicence {
		errs = append(errs, NewFieldError("kind", "invalid", "意向类型只能是转让（transfer）或普通许可（ordinary_licence）",
			"kind must be transfer or ordinary_licence (never an exclusive or sole licence)"))
	}
	if in.OfferFen != nil && *in.OfferFen < 0 {
		errs = append(errs, NewFieldError("offer_yuan", "negative", "报价不能为负数", "the offer must not be negative"))
	}
	if fe := checkMessage("message", in.Message, false); fe != nil {
		errs = append(errs, fe)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := s.AllowAttempt(ctx, fmt.Sprintf("intent-org:%d", act.OrgID), IntentsPerHour, time.Hour); err != nil {
		return nil, err
	}
	var out *Intent
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		org, err := s.publishingOrg(ctx, tx, act)
		if err != nil {
			return err
		}
		p, err := lockPatent(tx, canon)
		if errors.Is(err, ErrNotFound) {
			return NewFieldError("application_no", CodeNotFound, "没有该专利", "no such patent")
		}
		if err != nil {
			return err
		}
		if p.PatenteeID == org.ID {
			return NewFieldError("application_no", CodeOwnPatent, "不能对本单位的专利提出意向", "you cannot send an intent on your own patent")
		}
		switch {
		case kind == ContractTransfer && p.TransferPriceFen <= 0:
			return NewFieldError("kind", CodeNotOffered, "该专利未挂牌转让", "this patent is not offered for transfer")
		case kind == ContractOrdinaryLicence && !p.NegotiableLicence:
			return NewFieldError("kind", CodeNotOffered, "该专利权人未邀请洽谈普通许可", "the patentee does not invite negotiated ordinary licences for this patent")
		case p.Status != StatusGranted:
			return ErrPatentNotInForce
		}
		var open int64
		if err := tx.Model(&Intent{}).Where("patent_id = ? AND buyer_id = ? AND kind = ? AND status = ?", p.ID, org.ID, kind, IntentOpen).
			Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return errIntentExists
		}
		now := s.now()
		ch, err := attribute(tx, org.ID, in.Via, now)
		if err != nil {
			return err
		}
		it := &Intent{PatentID: p.ID, Kind: kind, BuyerID: org.ID, HolderID: p.PatenteeID, Status: IntentOpen,
			OfferFen: in.OfferFen, Channel: ch, CreatedBy: act.UserID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(it).Error; err != nil {
			return err
		}
		if strings.TrimSpace(in.Message) != "" {
			if err := tx.Create(&IntentMessage{IntentID: it.ID, OrgID: org.ID, UserID: act.UserID, Body: in.Message, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		out = it
		kindZH, kindEN := "转让", "a transfer"
		if kind == ContractOrdinaryLicence {
			kindZH, kindEN = "普通许可", "an ordinary licence"
		}
		return notifyOrg(tx, p.PatenteeID, NoticeIntentReceived, now, IntentLink(it.ID),
			fmt.Sprintf("%s 就专利 %s 提出%s意向 / %s asks for %s of %s", org.Name, PatentNumber(p.ApplicationNo), kindZH,
				org.Name, kindEN, PatentNumber(p.ApplicationNo)), "")
	})
	if err != nil {
		return nil, wrapUser(err, "create intent on %s", canon)
	}
	return out, nil
}

// IntentView is an intent with its patent, parties, thread and contract.
type IntentView struct {
	Intent
	Patent     Patent
	Buyer      Organisation
	Holder     Organisation
	Messages   []IntentMessage
	ContractNo string
}

// IsParty reports whether the organisation is one of the intent's two parties.
func (it *Intent) IsParty(orgID int64) bool {
	return orgID != 0 && (orgID == it.BuyerID || orgID == it.HolderID)
}

// canReadIntent: the two parties, the bureau, and the operators of the channel it came through.
func (s *Store) canReadIntent(db *gorm.DB, act Actor, it *Intent) (bool, error) {
	if act.IsBureau() || it.IsParty(act.OrgID) {
		return true, nil
	}
	if it.Channel == nil || act.Role != RoleOperator {
		return false, nil
	}
	if _, err := s.mayOperate(db, act, *it.Channel); err != nil {
		if AsFieldErrors(err) != nil {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// IntentByID loads an intent with its thread for its parties (and the bureau and the operators of its
// channel, who read).
func (s *Store) IntentByID(ctx context.Context, act Actor, id int64) (*IntentView, error) {
	if act.Anonymous() {
		return nil, ErrUnauth
	}
	db := s.db.WithContext(ctx)
	var its []Intent
	if err := db.Where("id = ?", id).Limit(1).Find(&its).Error; err != nil {
		return nil, fmt.Errorf("market: intent %d: %w", id, err)
	}
	if len(its) == 0 {
		return nil, ErrNotFound
	}
	ok, err := s.canReadIntent(db, act, &its[0])
	if err != nil {
		return nil, fmt.Errorf("market: intent %d: %w", id, err)
	}
	if !ok {
		return nil, ErrForbidden
	}
	vs, err := s.intentViews(ctx, its)
	if err != nil {
		return nil, err
	}
	v := &vs[0]
	if err := db.Where("intent_id = ?", id).Order("id").Find(&v.Messages).Error; err != nil {
		return nil, fmt.Errorf("market: messages of intent %d: %w", id, err)
	}
	return v, nil
}

// IntentQuery filters Intents.
type IntentQuery struct {
	Role   string // buyer | holder (default: both)
	Status string
	Limit  int // default 50, at most 200
	Offset int
}

// Intents lists the intents of the actor's organisation, newest first.
func (s *Store) Intents(ctx context.Context, act Actor, q IntentQuery) ([]IntentView, int64, error) {
	if act.Anonymous() {
		return nil, 0, ErrUnauth
	}
	if act.OrgID == 0 {
		return nil, 0, ErrForbidden
	}
	db := s.reader().WithContext(ctx).Model(&Intent{})
	switch q.Role {
	case "buyer":
		db = db.Where("buyer_id = ?", act.OrgID)
	case "holder":
		db = db.Where("holder_id = ?", act.OrgID)
	case "":
		db = db.Where("buyer_id = ? OR holder_id = ?", act.OrgID, act.OrgID)
	default:
		return nil, 0, NewParamError("role", "invalid", "role 只能是 buyer 或 holder", "role must be buyer or holder")
	}
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	var total int64
	if err := db.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("market: list intents: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	var its []Intent
	if err := db.Order("updated_at DESC, id DESC").Limit(min(limit, 200)).Offset(max(q.Offset, 0)).Find(&its).Error; err != nil {
		return nil, 0, fmt.Errorf("market: list intents: %w", err)
	}
	vs, err := s.intentViews(ctx, its)
	return vs, total, err
}

// intentViews attaches patents, parties and contract numbers in batch queries.
func (s *Store) intentViews(ctx context.Context, its []Intent) ([]IntentView, error) {
	if len(its) == 0 {
		return nil, nil
	}
	db := s.reader().WithContext(ctx)
	pids, oids, cids := []int64{}, []int64{}, []int64{}
	for _, it := range its {
		pids = append(pids, it.PatentID)
		oids = append(oids, it.BuyerID, it.HolderID)
		if it.ContractID != nil {
			cids = append(cids, *it.ContractID)
		}
	}
	var ps []Patent
	if err := db.Where("id IN ?", pids).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("market: intents' patents: %w", err)
	}
	var os []Organisation
	if err := db.Where("id IN ?", oids).Find(&os).Error; err != nil {
		return nil, fmt.Errorf("market: intents' parties: %w", err)
	}
	var cs []Contract
	if len(cids) > 0 {
		if err := db.Select("id", "contract_no").Where("id IN ?", cids).Find(&cs).Error; err != nil {
			return nil, fmt.Errorf("market: intents' contracts: %w", err)
		}
	}
	pm, om, cm := map[int64]Patent{}, map[int64]Organisation{}, map[int64]string{}
	for _, p := range ps {
		pm[p.ID] = p
	}
	for _, o := range os {
		om[o.ID] = o
	}
	for _, c := range cs {
		cm[c.ID] = c.ContractNo
	}
	out := make([]IntentView, len(its))
	for i, it := range its {
		out[i] = IntentView{Intent: it, Patent: pm[it.PatentID], Buyer: om[it.BuyerID], Holder: om[it.HolderID]}
		if it.ContractID != nil {
			out[i].ContractNo = cm[*it.ContractID]
		}
	}
	return out, nil
}

// lockIntent loads an intent for update and checks that the actor (re-read from the database) is one of
// its parties.
func (s *Store) lockIntent(ctx context.Context, tx *gorm.DB, act Actor, id int64) (*Intent, *Organisation, error) {
	org, err := s.publishingOrg(ctx, tx, act)
	if err != nil {
		return nil, nil, err
	}
	var its []Intent
	if err := lockRows(s, tx, "UPDATE").Where("id = ?", id).Limit(1).Find(&its).Error; err != nil {
		return nil, nil, err
	}
	if len(its) == 0 {
		return nil, nil, ErrNotFound
	}
	if !its[0].IsParty(org.ID) {
		return nil, nil, errOnlyIntentParties
	}
	return &its[0], org, nil
}

// PostIntentMessage adds a message to an open intent's thread, by either party; the other is notified.
func (s *Store) PostIntentMessage(ctx context.Context, act Actor, id int64, body string) (*IntentMessage, error) {
	if act.Anonymous() {
		return nil, ErrUnauth
	}
	if fe := checkMessage("body", body, true); fe != nil {
		return nil, fe
	}
	var out *IntentMessage
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		it, org, err := s.lockIntent(ctx, tx, act, id)
		if err != nil {
			return err
		}
		if it.Status != IntentOpen {
			return errIntentClosed
		}
		now := s.now()
		m := &IntentMessage{IntentID: it.ID, OrgID: org.ID, UserID: act.UserID, Body: body, CreatedAt: now}
		if err := tx.Create(m).Error; err != nil {
			return err
		}
		if err := tx.Model(&Intent{}).Where("id = ?", it.ID).Update("updated_at", now).Error; err != nil {
			return err
		}
		out = m
		other := it.HolderID
		if org.ID == it.HolderID {
			other = it.BuyerID
		}
		return notifyOrg(tx, other, NoticeIntentMessage, now, IntentLink(it.ID),
			fmt.Sprintf("%s 在意向 #%d 中留言 / %s wrote in intent #%d", org.Name, it.ID, org.Name, it.ID), "")
	})
	if err != nil {
		return nil, wrapUser(err, "message on intent %d", id)
	}
	return out, nil
}

// DeclineIntent ends an open intent by the holder; WithdrawIntent by the buyer.
func (s *Store) DeclineIntent(ctx context.Context, act Actor, id int64) (*Intent, error) {
	return s.closeIntent(ctx, act, id, IntentDeclined)
}

// WithdrawIntent ends an open intent by the buyer.
func (s *Store) WithdrawIntent(ctx context.Context, act Actor, id int64) (*Intent, error) {
	return s.closeIntent(ctx, act, id, IntentWithdrawn)
}

func (s *Store) closeIntent(ctx context.Context, act Actor, id int64, status string) (*Intent, error) {
	if act.Anonymous() {
		return nil, ErrUnauth
	}
	var out *Intent
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		it, org, err := s.lockIntent(ctx, tx, act, id)
		if err != nil {
			return err
		}
		switch {
		case status == IntentDeclined && org.ID != it.HolderID:
			return errOnlyHolder
		case status == IntentWithdrawn && org.ID != it.BuyerID:
			return errOnlyBuyer
		case it.Status != IntentOpen:
			return errIntentClosed
		}
		now := s.now()
		if err := tx.Model(&Intent{}).Where("id = ?", it.ID).
			Updates(map[string]any{"status": status, "closed_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		it.Status, it.ClosedAt, it.UpdatedAt = status, &now, now
		out = it
		other, zh, en := it.BuyerID, "专利权人拒绝了意向", "the patentee declined intent"
		if status == IntentWithdrawn {
			other, zh, en = it.HolderID, "对方撤回了意向", "the buyer withdrew intent"
		}
		return notifyOrg(tx, other, NoticeIntentClosed, now, IntentLink(it.ID), fmt.Sprintf("%s #%d / %s #%d", zh, it.ID, en, it.ID), "")
	})
	if err != nil {
		return nil, wrapUser(err, "%s intent %d", status, id)
	}
	return out, nil
}
