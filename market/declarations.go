package market

// Open-licence declarations (开放许可声明), docs/rules.md §5: who may declare, what the terms must say,
// and how a declaration is published, replaced and withdrawn. CheckDeclaration is pure so that the
// importer can validate 100,000 rows without a transaction per row; the Store methods wrap it with row
// locks.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Royalty bases.
const (
	RoyaltyOnNetSales = "net_sales" // 净销售额
	RoyaltyOnProfit   = "profit"    // 利润
)

// FeeCeilings are CNIPA's 2024 guideline ceilings, known from a secondary source (docs/rules.md §5). They
// are soft: a declaration above them is published with a warning. A variable, so a newer guideline is a
// one-line change.
var FeeCeilings = struct {
	FixedFen          int64 // lump sum or entry fee
	RoyaltyNetSalesBP int64
	RoyaltyProfitBP   int64
}{FixedFen: 20_000_000_00, RoyaltyNetSalesBP: 2000, RoyaltyProfitBP: 4000}

// MinTermMonths is the shortest licence term a declaration may offer (pilot rules: at least one year).
const MinTermMonths = 12

// DeclarationInput is what a patentee posts: the API's JSON body and the import's declaration columns.
// Amounts and rates are kept as written and parsed exactly (yuan → fen, percent → basis points).
type DeclarationInput struct {
	FeeModel           string  `json:"fee_model"`
	FeeYuan            Numeric `json:"fee_yuan"`
	RoyaltyPercent     Numeric `json:"royalty_percent"`
	RoyaltyBase        string  `json:"royalty_base"` // net_sales (default) | profit
	EntryFeeYuan       Numeric `json:"entry_fee_yuan"`
	TermMonths         Numeric `json:"term_months"`
	EvaluationReportNo string  `json:"evaluation_report_no"`
}

// DeclarationFacts is what CheckDeclaration needs to know beyond the patent itself.
type DeclarationFacts struct {
	// Today is the day the declaration (and so its term) starts.
	Today Date
	// ExclusiveLicence is the number of an exclusive or sole licence in force on the patent, "" if none.
	ExclusiveLicence string
}

var feeModelAliases = map[string]string{
	"免费": FeeFree, "一次性": FeeLumpSum, "一次性支付": FeeLumpSum, "提成": FeeRoyalty, "提成支付": FeeRoyalty,
	"入门费+提成": FeeEntryPlusRoyalty, "入门费加提成": FeeEntryPlusRoyalty,
}

var royaltyBaseAliases = map[string]string{
	"净销售额": RoyaltyOnNetSales, "销售额": RoyaltyOnNetSales, "利润": RoyaltyOnProfit, "净利润": RoyaltyOnProfit,
}

// normalizeChoice lower-cases s and maps Chinese aliases onto the canonical value.
func normalizeChoice(s string, aliases map[string]string) string {
	s = strings.ToLower(strings.TrimSpace(halfWidth(s)))
	if v, ok := aliases[strings.ReplaceAll(s, " ", "")]; ok {
		return v
	}
	return s
}

// PatentExpiry returns the first day a patent is no longer in force: 20 years from filing for inventions,
// 10 for utility models, 15 for designs filed since 2021-06-01 and 10 for designs filed before
// (Patent Law 2020 Art. 42). Zero when the filing date is unknown.
func PatentExpiry(p *Patent) Date {
	if p.FilingDate.IsZero() {
		return Date{}
	}
	years := 20
	switch p.Type {
	case TypeUtilityModel:
		years = 10
	case TypeDesign:
		years = 10
		if !p.FilingDate.Before(NewDate(2021, time.June, 1)) {
			years = 15
		}
	}
	return p.FilingDate.AddDate(years, 0, 0)
}

// termEnd is the first day after a term of months that starts on start.
func termEnd(start Date, months int) Date { return start.AddDate(0, months, 0) }

// maxTermMonths is the longest term starting on start that ends no later than expiry.
func maxTermMonths(start, expiry Date) int {
	m := (expiry.Year()-start.Year())*12 + int(expiry.Time().Month()-start.Time().Month())
	for m > 0 && termEnd(start, m).After(expiry) {
		m--
	}
	return max(m, 0)
}

// declarationBlockers lists why the patent itself may not carry a declaration now (IR 2023 Arts. 85-86).
func declarationBlockers(p *Patent, f DeclarationFacts) Errors {
	var errs Errors
	switch p.Status {
	case StatusGranted:
	case StatusPending:
		errs = append(errs, NewFieldError("status", "not_granted", "专利尚未授权，不能声明开放许可",
			"the patent is not granted yet: only granted patents can be declared for open licensing"))
	default:
		errs = append(errs, NewFieldError("status", "not_in_force",
			fmt.Sprintf("专利已%s，不在有效期内，不能声明开放许可", statusZH(p.Status)),
			fmt.Sprintf("the patent is %s, not in force: it cannot be declared for open licensing", p.Status)))
	}
	if exp := PatentExpiry(p); p.Status == StatusGranted && !exp.IsZero() && !f.Today.Before(exp) {
		errs = append(errs, NewFieldError("status", "expired", fmt.Sprintf("专利权已于 %s 期满", exp),
			fmt.Sprintf("the patent expired on %s", exp)))
	}
	if p.FeesUnpaid {
		errs = append(errs, NewFieldError("application_no", "fees_unpaid", "专利年费未按规定缴纳（含滞纳期），不能声明开放许可",
			"annual fees are unpaid (a patent in the grace period counts as unpaid): no open-licence declaration"))
	}
	if p.UnderDispute {
		errs = append(errs, NewFieldError("application_no", "under_dispute", "专利存在权属纠纷或被采取保全措施，不能声明开放许可",
			"the patent is under an ownership dispute or a court preservation order: no open-licence declaration"))
	}
	if p.PledgedNoConsent {
		errs = append(errs, NewFieldError("application_no", "pledged_no_consent", "专利已质押且未经质权人同意，不能声明开放许可",
			"the patent is pledged and the pledgee has not consented: no open-licence declaration"))
	}
	if f.ExclusiveLicence != "" {
		errs = append(errs, NewFieldError("application_no", "exclusive_licence",
			fmt.Sprintf("专利存在有效期内的独占或排他许可（合同 %s），不能声明开放许可", f.ExclusiveLicence),
			fmt.Sprintf("an exclusive or sole licence (contract %s) is in force: no open-licence declaration", f.ExclusiveLicence)))
	}
	return errs
}

func statusZH(s string) string {
	switch s {
	case StatusLapsed:
		return "失效"
	case StatusInvalidated:
		return "被宣告无效"
	}
	return s
}

// needsEvaluationReport reports whether the patent type needs a 专利权评价报告 (Patent Law Art. 50).
func needsEvaluationReport(typ string) bool { return typ == TypeUtilityModel || typ == TypeDesign }

// CheckDeclaration validates a declaration for patent p under docs/rules.md §5 and returns it ready to store
// (PatentID from p, status live, soft-ceiling warnings filled in), or every violation found.
func CheckDeclaration(p *Patent, in DeclarationInput, f DeclarationFacts) (*Declaration, Errors) {
	errs := declarationBlockers(p, f)
	d := &Declaration{PatentID: p.ID, Status: DeclLive}
	errs = append(errs, checkFee(d, in)...)

	if n, ferr := parseCount("term_months", string(in.TermMonths)); ferr != nil {
		errs = append(errs, ferr)
	} else {
		d.TermMonths = n
		if n < MinTermMonths {
			errs = append(errs, NewFieldError("term_months", "term_too_short",
				fmt.Sprintf("许可期限至少 %d 个月", MinTermMonths),
				fmt.Sprintf("the licence term must be at least %d months", MinTermMonths)))
		} else if exp := PatentExpiry(p); !exp.IsZero() && f.Today.Before(exp) && termEnd(f.Today, n).After(exp) {
			most := maxTermMonths(f.Today, exp)
			errs = append(errs, NewFieldError("term_months", "term_past_expiry",
				fmt.Sprintf("许可期限不得超过专利权期满日 %s：自今日起最多 %d 个月", exp, most),
				fmt.Sprintf("the term must not run past the patent's expiry on %s: at most %d months from today", exp, most)))
		}
	}

	d.EvaluationReportNo = strings.TrimSpace(halfWidth(in.EvaluationReportNo))
	switch {
	case needsEvaluationReport(p.Type) && d.EvaluationReportNo == "":
		errs = append(errs, NewFieldError("evaluation_report_no", "required",
			"实用新型和外观设计专利声明开放许可须提供专利权评价报告编号",
			"utility models and designs need the number of their patent-right evaluation report (专利权评价报告)"))
	case !needsEvaluationReport(p.Type) && d.EvaluationReportNo != "" && p.Type != "":
		errs = append(errs, NewFieldError("evaluation_report_no", "not_applicable",
			"只有实用新型和外观设计专利才有专利权评价报告，发明专利请留空",
			"only utility models and designs have an evaluation report: leave it empty for an invention"))
	case len([]rune(d.EvaluationReportNo)) > 64:
		errs = append(errs, NewFieldError("evaluation_report_no", "too_long", "评价报告编号过长（最多 64 个字符）",
			"the evaluation report number is too long (at most 64 characters)"))
	default:
		if fe := CheckText("evaluation_report_no", "评价报告编号", "evaluation report number", d.EvaluationReportNo, false); fe != nil {
			errs = append(errs, fe)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	d.Warnings = joinWarnings(DeclarationWarnings(d))
	return d, nil
}

// checkFee fills the fee fields of d: the fee standard is required for paid modes and must be empty for
// the others (an amount nobody asked for is more likely a mistake than an intention).
func checkFee(d *Declaration, in DeclarationInput) Errors {
	var errs Errors
	d.FeeModel = normalizeChoice(in.FeeModel, feeModelAliases)
	fee, feeErr := optional("fee_yuan", in.FeeYuan, ParseYuanFen)
	rate, rateErr := optional("royalty_percent", in.RoyaltyPercent, ParsePercentBP)
	entry, entryErr := optional("entry_fee_yuan", in.EntryFeeYuan, ParseYuanFen)
	for _, e := range []*FieldError{feeErr, rateErr, entryErr} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	mustBeZero := func(field string, v int64) {
		if v != 0 {
			errs = append(errs, NewFieldError(field, "not_applicable",
				fmt.Sprintf("付费方式为“%s”时此项须为空", feeModelZH(d.FeeModel)),
				fmt.Sprintf("must be empty for fee model %s", d.FeeModel)))
		}
	}
	mustBePositive := func(field string, v int64, e *FieldError) {
		if v <= 0 && e == nil {
			errs = append(errs, NewFieldError(field, "required",
				fmt.Sprintf("付费方式为“%s”时须填写大于 0 的数值", feeModelZH(d.FeeModel)),
				fmt.Sprintf("fee model %s needs a value greater than 0", d.FeeModel)))
		}
	}
	switch d.FeeModel {
	case FeeFree:
		mustBeZero("fee_yuan", fee)
		mustBeZero("royalty_percent", rate)
		mustBeZero("entry_fee_yuan", entry)
	case FeeLumpSum:
		mustBePositive("fee_yuan", fee, feeErr)
		mustBeZero("royalty_percent", rate)
		mustBeZero("entry_fee_yuan", entry)
		d.FeeFen = fee
	case FeeRoyalty, FeeEntryPlusRoyalty:
		mustBeZero("fee_yuan", fee)
		mustBePositive("royalty_percent", rate, rateErr)
		if d.FeeModel == FeeEntryPlusRoyalty {
			mustBePositive("entry_fee_yuan", entry, entryErr)
			d.EntryFeeFen = entry
		} else {
			mustBeZero("entry_fee_yuan", entry)
		}
		if rate > 100_00 {
			errs = append(errs, NewFieldError("royalty_percent", "too_large", "提成比例不能超过 100%",
				"the royalty rate cannot exceed 100%"))
		}
		d.RoyaltyBP = rate
		d.RoyaltyBase = normalizeChoice(in.RoyaltyBase, royaltyBaseAliases)
		if d.RoyaltyBase == "" {
			d.RoyaltyBase = RoyaltyOnNetSales
		}
		if d.RoyaltyBase != RoyaltyOnNetSales && d.RoyaltyBase != RoyaltyOnProfit {
			errs = append(errs, NewFieldError("royalty_base", "invalid_choice",
				fmt.Sprintf("提成基数“%s”无效：应为 net_sales（净销售额）或 profit（利润）", in.RoyaltyBase),
				fmt.Sprintf("royalty base %q is invalid: use net_sales or profit", in.RoyaltyBase)))
		}
	case "":
		errs = append(errs, NewFieldError("fee_model", "required", "请选择付费方式：免费、一次性、提成或入门费+提成",
			"fee model is required: free, lump_sum, royalty or entry_plus_royalty"))
	default:
		errs = append(errs, NewFieldError("fee_model", "invalid_choice",
			fmt.Sprintf("付费方式“%s”无效：应为 free、lump_sum、royalty 或 entry_plus_royalty", in.FeeModel),
			fmt.Sprintf("fee model %q is invalid: use free, lump_sum, royalty or entry_plus_royalty", in.FeeModel)))
	}
	return errs
}

func feeModelZH(m string) string {
	switch m {
	case FeeFree:
		return "免费"
	case FeeLumpSum:
		return "一次性"
	case FeeRoyalty:
		return "提成"
	case FeeEntryPlusRoyalty:
		return "入门费+提成"
	}
	return m
}

// DeclarationWarnings lists the soft-ceiling findings of a declaration's terms (FeeCeilings): they are
// shown with the terms, never a reason to refuse.
func DeclarationWarnings(d *Declaration) Errors {
	var ws Errors
	warn := func(field, code, zh, en string) {
		ws = append(ws, &FieldError{Field: field, Code: code, MessageZH: zh, MessageEN: en, Warning: true})
	}
	ceilYuan := Fen(FeeCeilings.FixedFen).Grouped()
	if d.FeeModel == FeeLumpSum && d.FeeFen > FeeCeilings.FixedFen {
		warn("fee_yuan", "above_guideline", fmt.Sprintf("一次性许可费高于指导上限 %s 元", ceilYuan),
			fmt.Sprintf("the lump sum is above the guideline ceiling of %s yuan", ceilYuan))
	}
	if d.FeeModel == FeeEntryPlusRoyalty && d.EntryFeeFen > FeeCeilings.FixedFen {
		warn("entry_fee_yuan", "above_guideline", fmt.Sprintf("入门费高于指导上限 %s 元", ceilYuan),
			fmt.Sprintf("the entry fee is above the guideline ceiling of %s yuan", ceilYuan))
	}
	if d.FeeModel == FeeRoyalty || d.FeeModel == FeeEntryPlusRoyalty {
		if d.RoyaltyBase == RoyaltyOnProfit && d.RoyaltyBP > FeeCeilings.RoyaltyProfitBP {
			warn("royalty_percent", "above_guideline", fmt.Sprintf("按利润提成高于指导上限 %s%%", PercentShort(FeeCeilings.RoyaltyProfitBP)),
				fmt.Sprintf("the royalty on profit is above the guideline ceiling of %s%%", PercentShort(FeeCeilings.RoyaltyProfitBP)))
		}
		if d.RoyaltyBase != RoyaltyOnProfit && d.RoyaltyBP > FeeCeilings.RoyaltyNetSalesBP {
			warn("royalty_percent", "above_guideline", fmt.Sprintf("按净销售额提成高于指导上限 %s%%", PercentShort(FeeCeilings.RoyaltyNetSalesBP)),
				fmt.Sprintf("the royalty on net sales is above the guideline ceiling of %s%%", PercentShort(FeeCeilings.RoyaltyNetSalesBP)))
		}
	}
	return ws
}

// joinWarnings stores warnings one per line as "中文 / English", the format of uscc_warning.
func joinWarnings(ws Errors) string {
	lines := make([]string, len(ws))
	for i, w := range ws {
		lines[i] = w.MessageZH + " / " + w.MessageEN
	}
	return strings.Join(lines, "\n")
}

// SameTerms reports whether two declarations offer the same terms, so publishing identical terms again
// (a repeated PUT, a re-imported file) keeps the live declaration instead of replacing it.
func SameTerms(a, b *Declaration) bool {
	return a.FeeModel == b.FeeModel && a.FeeFen == b.FeeFen && a.RoyaltyBP == b.RoyaltyBP &&
		a.RoyaltyBase == b.RoyaltyBase && a.EntryFeeFen == b.EntryFeeFen && a.TermMonths == b.TermMonths &&
		a.EvaluationReportNo == b.EvaluationReportNo
}

// DeclarationStillValid reports whether a live declaration may stand after its patent changed (status,
// encumbrances, dates): the term it promised must still end before the patent expires.
func DeclarationStillValid(p *Patent, d *Declaration, today Date) bool {
	if len(declarationBlockers(p, DeclarationFacts{Today: today})) > 0 {
		return false
	}
	if needsEvaluationReport(p.Type) && d.EvaluationReportNo == "" {
		return false
	}
	exp := PatentExpiry(p)
	return exp.IsZero() || !termEnd(DateOf(d.PublishedAt), d.TermMonths).After(exp)
}

// ExclusiveLicences returns, per patent, the number of an exclusive or sole licence in force on it
// (status effective or filed); patents without one are absent. One query for any number of patents.
func ExclusiveLicences(tx *gorm.DB, patentIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(patentIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		PatentID   int64
		ContractNo string
	}
	err := tx.Table("contract_patents AS cp").Select("cp.patent_id AS patent_id, c.contract_no AS contract_no").
		Joins("JOIN contracts c ON c.id = cp.contract_id").
		Where("cp.patent_id IN ? AND c.kind IN ? AND c.status IN ?", patentIDs,
			[]string{ContractExclusiveLicence, ContractSoleLicence}, []string{ContractEffective, ContractFiled}).
		Order("c.contract_no").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("market: exclusive licences: %w", err)
	}
	for _, r := range rows {
		if _, ok := out[r.PatentID]; !ok {
			out[r.PatentID] = r.ContractNo
		}
	}
	return out, nil
}

// lockOwnPatent locks a patent for a step only its holder takes: the actor's organisation must still be
// allowed to publish (publishingOrg) and must be the patentee (else ErrForbidden).
func (s *Store) lockOwnPatent(ctx context.Context, tx *gorm.DB, act Actor, canon string) (*Patent, *Organisation, error) {
	org, err := s.publishingOrg(ctx, tx, act)
	if err != nil {
		return nil, nil, err
	}
	p, err := lockPatent(tx, canon)
	if err != nil {
		return nil, nil, err
	}
	if p.PatenteeID != org.ID {
		return nil, nil, ErrForbidden
	}
	return p, org, nil
}

// lockPatent loads a patent by canonical application number for update: a row lock on Postgres; on
// SQLite the single connection and immediate transactions already serialise writers.
func lockPatent(tx *gorm.DB, canon string) (*Patent, error) {
	var p Patent
	err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("application_no = ?", canon).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// liveDeclaration returns the patent's live declaration, or nil.
func liveDeclaration(tx *gorm.DB, patentID int64) (*Declaration, error) {
	var ds []Declaration
	if err := tx.Where("patent_id = ? AND status = ?", patentID, DeclLive).Limit(1).Find(&ds).Error; err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, nil
	}
	return &ds[0], nil
}

// EndDeclarations marks live declarations withdrawn or replaced at now, keeping them as history.
func EndDeclarations(tx *gorm.DB, now time.Time, status string, declarationIDs ...int64) error {
	if len(declarationIDs) == 0 {
		return nil
	}
	return tx.Model(&Declaration{}).Where("id IN ? AND status = ?", declarationIDs, DeclLive).
		Updates(map[string]any{"status": status, "withdrawn_at": now}).Error
}

// errAlreadyDeclared is what the declarations_one_live unique index means to a user.
var errAlreadyDeclared = NewFieldError("application_no", "already_declared",
	"该专利已有一份有效的开放许可声明，请先撤回或直接修改原声明",
	"this patent already has a live open-licence declaration: withdraw or replace it")

// CreateDeclaration inserts declarations, translating the one-live-declaration index into a FieldError.
func CreateDeclaration(tx *gorm.DB, ds []Declaration) error {
	if len(ds) == 0 {
		return nil
	}
	err := tx.CreateInBatches(ds, InsertBatch(tx, 14)).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return errAlreadyDeclared
	}
	if err != nil {
		return err
	}
	// A newly offered patent may match saved searches and open demands (docs/rules.md §10).
	ids := make([]int64, len(ds))
	for i := range ds {
		ids[i] = ds[i].PatentID
	}
	return EnqueueAlerts(tx, ds[0].PublishedAt, ids...)
}

// PublishDeclaration publishes an open-licence declaration for a patent of the acting user's
// organisation, or replaces its live one (the old one stays as history with status replaced). The actor
// must pass MayPublish; another organisation's patent is ErrForbidden. Publishing the same terms again
// returns the live declaration unchanged.
func (s *Store) PublishDeclaration(ctx context.Context, act Actor, appNo string, in DeclarationInput) (*Declaration, error) {
	if err := act.MayPublish(); err != nil {
		return nil, fmt.Errorf("market: publish declaration %s: %w", strings.TrimSpace(appNo), err)
	}
	canon, err := NormalizeApplicationNo(appNo)
	if err != nil {
		return nil, ErrNotFound
	}
	var out *Declaration
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		p, _, err := s.lockOwnPatent(ctx, tx, act, canon)
		if err != nil {
			return err
		}
		excl, err := ExclusiveLicences(tx, []int64{p.ID})
		if err != nil {
			return err
		}
		now := s.now()
		d, errs := CheckDeclaration(p, in, DeclarationFacts{Today: DateOf(now), ExclusiveLicence: excl[p.ID]})
		if len(errs) > 0 {
			return errs
		}
		live, err := liveDeclaration(tx, p.ID)
		if err != nil {
			return err
		}
		if live != nil && SameTerms(live, d) {
			out = live
			return nil
		}
		if live != nil {
			if err := EndDeclarations(tx, now, DeclReplaced, live.ID); err != nil {
				return err
			}
		}
		d.PublishedAt = now
		ds := []Declaration{*d}
		if err := CreateDeclaration(tx, ds); err != nil {
			return err
		}
		out = &ds[0]
		return EnqueueIndex(tx, now, p.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("market: publish declaration %s: %w", canon, err)
	}
	return out, nil
}

// WithdrawDeclaration withdraws the live declaration of a patent of the acting user's organisation (the
// actor must pass MayPublish; another organisation's patent is ErrForbidden). The row stays (status
// withdrawn, withdrawn_at set): licences obtained before it remain valid.
func (s *Store) WithdrawDeclaration(ctx context.Context, act Actor, appNo string) (*Declaration, error) {
	if err := act.MayPublish(); err != nil {
		return nil, fmt.Errorf("market: withdraw declaration %s: %w", strings.TrimSpace(appNo), err)
	}
	canon, err := NormalizeApplicationNo(appNo)
	if err != nil {
		return nil, ErrNotFound
	}
	var out *Declaration
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		p, _, err := s.lockOwnPatent(ctx, tx, act, canon)
		if err != nil {
			return err
		}
		live, err := liveDeclaration(tx, p.ID)
		if err != nil {
			return err
		}
		if live == nil {
			return ErrNotFound
		}
		now := s.now()
		if err := EndDeclarations(tx, now, DeclWithdrawn, live.ID); err != nil {
			return err
		}
		live.Status, live.WithdrawnAt = DeclWithdrawn, &now
		out = live
		return EnqueueIndex(tx, now, p.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("market: withdraw declaration %s: %w", canon, err)
	}
	return out, nil
}
