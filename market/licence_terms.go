package market

// The content of an open-licence contract: the terms as they formed, their canonical form and hash, the
// plain-words fee text and the written notice (书面通知).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// PatentLastDay is the last day of a patent's term (zero when the filing date is unknown).
func PatentLastDay(p *Patent) Date {
	exp := PatentExpiry(p)
	if exp.IsZero() {
		return exp
	}
	return exp.AddDate(0, 0, -1)
}

// AddMonthsClamped adds months the way legal periods count: the same day of the target month, or its
// last day when that month is shorter (31 March + 3 months = 30 June).
func AddMonthsClamped(d Date, months int) Date {
	t := d.Time()
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, months, 0)
	lastDay := first.AddDate(0, 1, -1).Day()
	return NewDate(first.Year(), first.Month(), min(t.Day(), lastDay))
}

// ContractTerms is the content of an open-licence contract as it formed. Its canonical JSON (this
// struct's field order, encoding/json, no spaces) is stored as contracts.terms_json and its SHA-256 as
// contracts.content_sha256, so anyone can re-check the terms from the stored text.
type ContractTerms struct {
	Version           int              `json:"version"` // 1
	ContractNo        string           `json:"contract_no"`
	Kind              string           `json:"kind"`         // open_licence
	LicenceType       string           `json:"licence_type"` // ordinary: non-exclusive, not sublicensable
	Patent            TermsPatent      `json:"patent"`
	Licensor          TermsParty       `json:"licensor"`
	Licensee          TermsParty       `json:"licensee"`
	Declaration       TermsDeclaration `json:"declaration"`
	AmountDueFen      int64            `json:"amount_due_fen"` // due up front: lump sum or entry fee
	StartOn           Date             `json:"start_on"`       // the day the notice was delivered
	EndOn             Date             `json:"end_on"`         // start + term − 1 day, never past the patent's term
	NoticeDeliveredAt string           `json:"notice_delivered_at"`
	Notice            string           `json:"notice"` // the written notice (书面通知) as delivered, zh-CN
}

// TermsPatent identifies the licensed patent.
type TermsPatent struct {
	ApplicationNo string `json:"application_no"`
	PatentNo      string `json:"patent_no"`
	Title         string `json:"title"`
	Type          string `json:"type"`
	FilingDate    Date   `json:"filing_date"`
	GrantDate     Date   `json:"grant_date"`
}

// TermsParty is a party as it stood when the contract formed.
type TermsParty struct {
	USCC     string `json:"uscc"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	LegalRep string `json:"legal_rep"`
}

// TermsDeclaration is the declaration as it stood.
type TermsDeclaration struct {
	ID                 int64  `json:"id"`
	PublishedAt        string `json:"published_at"`
	FeeModel           string `json:"fee_model"`
	FeeFen             int64  `json:"fee_fen"`
	RoyaltyBP          int64  `json:"royalty_bp"`
	RoyaltyBase        string `json:"royalty_base"`
	EntryFeeFen        int64  `json:"entry_fee_fen"`
	TermMonths         int    `json:"term_months"`
	EvaluationReportNo string `json:"evaluation_report_no"`
}

// LicenceTypeOrdinary: an open licence is by nature ordinary (Patent Law Art. 51): non-exclusive and not
// sublicensable.
const LicenceTypeOrdinary = "ordinary_non_exclusive_non_sublicensable"

func buildTerms(c *Contract, p *Patent, d *Declaration, licensor, licensee *Organisation, now time.Time) *ContractTerms {
	start := DateOf(now)
	end := AddMonthsClamped(start, d.TermMonths).AddDate(0, 0, -1)
	if last := PatentLastDay(p); !last.IsZero() && end.After(last) {
		end = last
	}
	party := func(o *Organisation) TermsParty {
		return TermsParty{USCC: o.USCC, Name: o.Name, Address: o.Address, LegalRep: o.LegalRep}
	}
	t := &ContractTerms{Version: 1, ContractNo: c.ContractNo, Kind: ContractOpenLicence, LicenceType: LicenceTypeOrdinary,
		Patent: TermsPatent{ApplicationNo: p.ApplicationNo, PatentNo: PatentNumber(p.ApplicationNo), Title: p.Title,
			Type: p.Type, FilingDate: p.FilingDate, GrantDate: p.GrantDate},
		Licensor: party(licensor), Licensee: party(licensee),
		Declaration: TermsDeclaration{ID: d.ID, PublishedAt: formatInstant(d.PublishedAt), FeeModel: d.FeeModel,
			FeeFen: d.FeeFen, RoyaltyBP: d.RoyaltyBP, RoyaltyBase: d.RoyaltyBase, EntryFeeFen: d.EntryFeeFen,
			TermMonths: d.TermMonths, EvaluationReportNo: d.EvaluationReportNo},
		AmountDueFen: d.AmountDueFen(), StartOn: start, EndOn: end, NoticeDeliveredAt: formatInstant(now)}
	t.Notice = NoticeText(t)
	return t
}

// canonical returns the terms' canonical JSON and its SHA-256.
func (t *ContractTerms) canonical() (string, string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", "", fmt.Errorf("market: contract terms: %w", err)
	}
	sum := sha256.Sum256(b)
	return string(b), hex.EncodeToString(sum[:]), nil
}

// Terms decodes a contract's terms snapshot (nil for contracts without one, e.g. imported ones).
func (c *Contract) Terms() (*ContractTerms, error) {
	if c.TermsJSON == "" || c.Source == ContractSourceDeal { // a deal's terms are its own (deals.go)
		return nil, nil
	}
	if c.terms != nil {
		t := *c.terms
		return &t, nil
	}
	var t ContractTerms
	if err := json.Unmarshal([]byte(c.TermsJSON), &t); err != nil {
		return nil, fmt.Errorf("market: terms of %s: %w", c.ContractNo, err)
	}
	return &t, nil
}

// FeeText describes the fee of a declaration in Chinese, as the notice states it.
func FeeText(feeModel string, feeFen, royaltyBP int64, royaltyBase string, entryFeeFen int64) string {
	base := "净销售额"
	if royaltyBase == "profit" {
		base = "利润"
	}
	switch feeModel {
	case FeeFree:
		return "免费许可"
	case FeeLumpSum:
		return "一次性支付许可使用费人民币 " + Fen(feeFen).Grouped() + " 元"
	case FeeRoyalty:
		return "按" + base + "的 " + PercentShort(royaltyBP) + "% 提成支付许可使用费"
	case FeeEntryPlusRoyalty:
		return "支付入门费人民币 " + Fen(entryFeeFen).Grouped() + " 元，另按" + base + "的 " + PercentShort(royaltyBP) + "% 提成"
	}
	return feeModel
}

// NoticeText is the written notice (书面通知) the licensee sends by accepting, in Chinese. It is part of
// the hashed terms; pages show it before the licensee confirms (with the contract number still open).
func NoticeText(t *ContractTerms) string {
	d := t.Declaration
	no := t.ContractNo
	if no == "" {
		no = "（确认后生成）"
	}
	delivered := "确认时"
	if at, err := time.Parse(time.RFC3339Nano, t.NoticeDeliveredAt); err == nil {
		delivered = at.In(Shanghai).Format("2006年01月02日 15:04:05")
	}
	published := d.PublishedAt
	if at, err := time.Parse(time.RFC3339Nano, d.PublishedAt); err == nil {
		published = at.In(Shanghai).Format("2006年01月02日")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "专利开放许可实施通知书\n\n")
	fmt.Fprintf(&b, "致：%s（统一社会信用代码 %s）\n\n", t.Licensor.Name, t.Licensor.USCC)
	fmt.Fprintf(&b, "贵单位于 %s 就专利 %s《%s》发布了开放许可声明。", published, t.Patent.PatentNo, t.Patent.Title)
	fmt.Fprintf(&b, "本单位 %s（统一社会信用代码 %s）现依据《中华人民共和国专利法》第五十一条书面通知贵单位：", t.Licensee.Name, t.Licensee.USCC)
	fmt.Fprintf(&b, "本单位接受该声明所载的全部许可条件，实施该专利，并按声明所载方式支付许可使用费（%s）。",
		FeeText(d.FeeModel, d.FeeFen, d.RoyaltyBP, d.RoyaltyBase, d.EntryFeeFen))
	fmt.Fprintf(&b, "许可类型为普通许可，本单位不得再许可他人实施；许可期限自 %s 起至 %s 止。\n\n", t.StartOn, t.EndOn)
	fmt.Fprintf(&b, "本通知于 %s 通过上海市专利开放许可平台送达贵单位。合同编号：%s。\n\n", delivered, no)
	fmt.Fprintf(&b, "通知人：%s", t.Licensee.Name)
	return b.String()
}

// PreviewLicence builds the terms and notice a licensee is about to send, for the confirmation page.
// It checks what AcceptLicence checks (without locking) so the page can say at once why signing will fail.
func (s *Store) PreviewLicence(ctx context.Context, actor Actor, appNo string) (*ContractTerms, error) {
	if actor.Anonymous() {
		return nil, ErrUnauth
	}
	if actor.OrgID == 0 || actor.Role != RoleLicensee || actor.OrgKind != KindEnterprise {
		return nil, ErrNotLicensee
	}
	if !actor.OrgVerified {
		return nil, ErrOrgUnverified
	}
	pv, err := s.PatentByApplicationNo(ctx, appNo)
	if err != nil {
		return nil, err
	}
	if pv.Declaration == nil {
		var last Declaration
		s.db.WithContext(ctx).Where("patent_id = ?", pv.ID).Order("published_at DESC, id DESC").Limit(1).Find(&last)
		if last.Status == DeclWithdrawn {
			return nil, ErrDeclarationWithdrawn
		}
		return nil, ErrNoDeclaration
	}
	if pv.PatenteeID == actor.OrgID {
		return nil, ErrOwnPatent
	}
	now := s.now()
	if !DeclarationStillValid(&pv.Patent, pv.Declaration, DateOf(now)) {
		return nil, ErrPatentNotInForce
	}
	licensee, err := s.OrgByID(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	t := buildTerms(&Contract{}, &pv.Patent, pv.Declaration, &pv.Patentee, licensee, now)
	t.NoticeDeliveredAt = ""
	t.Notice = NoticeText(t)
	return t, nil
}
