package bonus

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"patentwall/market"
)

// Rule kinds (docs/rules.md §9.2, §9.3).
const (
	// RuleLicensorOpenLicence pays the licensor (a Shanghai enterprise) per open-licence contract (Art. 22).
	RuleLicensorOpenLicence = "licensor_open_licence"
	// RuleInstitutionPerPatent pays a university, institute or hospital per patent licensed or
	// transferred to a Shanghai SME (Art. 19).
	RuleInstitutionPerPatent = "institution_per_patent"
)

// Rules lists the rule kinds.
var Rules = []string{RuleLicensorOpenLicence, RuleInstitutionPerPatent}

// Window bases: which date of a deal must fall in the round's window.
const (
	BasisEffective = "effective" // the contract's effective date (default)
	BasisFiled     = "filed"     // the CNIPA filing (registration) date
)

// FlagSettings are a round's fraud-flag thresholds (docs/rules.md §9.7); 0 or false switches a flag off.
type FlagSettings struct {
	RelatedParty    bool `gorm:"column:flag_related_party" json:"related_party"`
	CircularDays    int  `gorm:"column:circular_days" json:"circular_days"`
	NewLicenseeDays int  `gorm:"column:new_licensee_days" json:"new_licensee_days"`
	BurstCount      int  `gorm:"column:burst_count" json:"burst_count"`
	BurstDays       int  `gorm:"column:burst_days" json:"burst_days"`
	ReversalDays    int  `gorm:"column:reversal_days" json:"reversal_days"`
	LowFeePercent   int  `gorm:"column:low_fee_percent" json:"low_fee_percent"`
	DoubleClaim     bool `gorm:"column:flag_double_claim" json:"double_claim"`
}

// DefaultFlags are the defaults of docs/rules.md §9.7.
func DefaultFlags() FlagSettings {
	return FlagSettings{RelatedParty: true, CircularDays: 365, NewLicenseeDays: 180, BurstCount: 5,
		BurstDays: 30, ReversalDays: 365, LowFeePercent: 10, DoubleClaim: true}
}

// Round is one bonus round: a rule applied to a window, with its amounts and flag settings.
type Round struct {
	ID              string       `gorm:"column:id;primaryKey"`
	Name            string       `gorm:"column:name"`
	Rule            string       `gorm:"column:rule"`
	WindowFrom      market.Date  `gorm:"column:window_from"` // inclusive
	WindowTo        market.Date  `gorm:"column:window_to"`   // inclusive
	Basis           string       `gorm:"column:basis"`
	UnitFen         int64        `gorm:"column:unit_fen"`
	CapFen          int64        `gorm:"column:cap_fen"`
	RecipientCapFen *int64       `gorm:"column:recipient_cap_fen"`
	RequiresFiling  bool         `gorm:"column:requires_filing"`
	Flags           FlagSettings `gorm:"embedded"`
	CreatedAt       time.Time    `gorm:"column:created_at"`
	CreatedBy       *int64       `gorm:"column:created_by"`
	UpdatedAt       time.Time    `gorm:"column:updated_at"`
	UpdatedBy       *int64       `gorm:"column:updated_by"`
}

func (Round) TableName() string { return "bonus_rounds" }

// PerPatent reports whether the round has one line per patent (else one per contract).
func (r *Round) PerPatent() bool { return r.Rule == RuleInstitutionPerPatent }

// RoundInput is a round as a bureau user sets it up.
type RoundInput struct {
	ID              string
	Name            string
	Rule            string
	From, To        market.Date
	Basis           string // "" = effective
	UnitFen         int64
	CapFen          int64
	RecipientCapFen *int64
	RequiresFiling  bool
	Flags           FlagSettings
	// ConfirmOverlap accepts a window that overlaps another round of the same rule: a deal in both
	// windows could be claimed twice (it is flagged double_claim in both).
	ConfirmOverlap bool
}

var roundIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// CommandLine is the actor of the command line: whoever runs patentwall on the server acts for the
// bureau. Users never carry this role, so the web layer cannot produce it from a session.
var CommandLine = market.Actor{Role: "command_line"}

// canManage reports whether the actor may set up rounds, compute runs and review lines.
func canManage(a market.Actor) bool { return a.IsBureau() || a == CommandLine }

// userOf is the users.id to record for the actor (nil for the command line).
func userOf(a market.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

func fieldErr(field, code, zh, en string) *market.FieldError {
	return market.NewFieldError(field, code, zh, en)
}

// checkRound validates the fields that do not depend on other rounds.
func checkRound(in *RoundInput) market.Errors {
	var errs market.Errors
	in.ID = strings.TrimSpace(in.ID)
	in.Name = strings.TrimSpace(in.Name)
	if !roundIDPattern.MatchString(in.ID) {
		errs = append(errs, fieldErr("id", "invalid", "轮次编号只能由小写字母、数字和连字符组成（最长63个字符）",
			"the round ID must be lower-case letters, digits and hyphens (at most 63 characters)"))
	}
	if in.Rule != RuleLicensorOpenLicence && in.Rule != RuleInstitutionPerPatent {
		errs = append(errs, fieldErr("rule", "unknown_rule",
			fmt.Sprintf("未知的奖补规则“%s”，应为 %s 或 %s", in.Rule, RuleLicensorOpenLicence, RuleInstitutionPerPatent),
			fmt.Sprintf("unknown rule %q: use %s or %s", in.Rule, RuleLicensorOpenLicence, RuleInstitutionPerPatent)))
	}
	switch {
	case in.From.IsZero():
		errs = append(errs, fieldErr("window_from", "required", "请填写开始日期", "the window's first day is required"))
	case in.To.IsZero():
		errs = append(errs, fieldErr("window_to", "required", "请填写结束日期", "the window's last day is required"))
	case in.To.Before(in.From):
		errs = append(errs, fieldErr("window_to", "inverted_window", "结束日期早于开始日期",
			"the window ends before it starts"))
	}
	if in.Basis == "" {
		in.Basis = BasisEffective
	}
	if in.Basis != BasisEffective && in.Basis != BasisFiled {
		errs = append(errs, fieldErr("basis", "invalid", "日期口径应为 effective（生效日）或 filed（备案日）",
			"the window basis must be effective or filed"))
	}
	if in.UnitFen <= 0 {
		errs = append(errs, fieldErr("unit_fen", "not_positive", "单项奖补金额必须大于零", "the unit amount must be more than zero"))
	}
	if in.CapFen <= 0 {
		errs = append(errs, fieldErr("cap_fen", "not_positive", "奖补总额上限必须大于零", "the total cap must be more than zero"))
	}
	if c := in.RecipientCapFen; c != nil {
		switch {
		case *c <= 0:
			errs = append(errs, fieldErr("recipient_cap_fen", "not_positive", "单个受奖单位上限必须大于零",
				"the per-recipient cap must be more than zero"))
		case in.CapFen > 0 && *c > in.CapFen:
			errs = append(errs, fieldErr("recipient_cap_fen", "above_cap", "单个受奖单位上限不能高于奖补总额上限",
				"the per-recipient cap cannot exceed the total cap"))
		}
	}
	f := in.Flags
	for _, v := range []struct {
		field string
		n     int
	}{{"circular_days", f.CircularDays}, {"new_licensee_days", f.NewLicenseeDays}, {"burst_count", f.BurstCount},
		{"burst_days", f.BurstDays}, {"reversal_days", f.ReversalDays}, {"low_fee_percent", f.LowFeePercent}} {
		if v.n < 0 || v.n > 36500 {
			errs = append(errs, fieldErr(v.field, "out_of_range", "风险标记参数不能为负数或过大（0 表示关闭）",
				"a flag setting must be between 0 (off) and 36500"))
		}
	}
	if f.BurstCount > 0 && f.BurstDays <= 0 {
		errs = append(errs, fieldErr("burst_days", "required", "启用集中交易标记时须填写天数",
			"the burst flag needs a number of days"))
	}
	return errs
}

// overlapping lists the other rounds of the same rule whose windows overlap the input's.
func overlapping(tx *gorm.DB, in *RoundInput) ([]string, error) {
	var ids []string
	err := tx.Model(&Round{}).Where("rule = ? AND id <> ? AND window_from <= ? AND window_to >= ?",
		in.Rule, in.ID, in.To, in.From).Order("id").Pluck("id", &ids).Error
	return ids, err
}

func overlapError(ids []string) *market.FieldError {
	list := strings.Join(ids, ", ")
	return fieldErr("window_from", "overlap",
		fmt.Sprintf("时间范围与同类轮次 %s 重叠：同一笔交易可能被重复申报奖补。如确需重叠，请明确确认（重叠部分的交易将被标记为重复申报待复核）。", list),
		fmt.Sprintf("the window overlaps round(s) %s of the same rule: a deal in both windows could be claimed twice. Confirm the overlap explicitly if it is intended (such deals are then flagged double_claim for review).", list))
}

// CreateRound creates a round. Only bureau users (and the command line) may.
func CreateRound(ctx context.Context, s *market.Store, actor market.Actor, in RoundInput) (*Round, error) {
	return saveRound(ctx, s, actor, in, true)
}

// UpdateRound replaces a round's settings (its ID stays). Stored runs keep the settings they were
// computed with: their input hash covers them.
func UpdateRound(ctx context.Context, s *market.Store, actor market.Actor, in RoundInput) (*Round, error) {
	return saveRound(ctx, s, actor, in, false)
}

func saveRound(ctx context.Context, s *market.Store, actor market.Actor, in RoundInput, create bool) (*Round, error) {
	if !canManage(actor) {
		return nil, market.ErrForbidden
	}
	if errs := checkRound(&in); len(errs) > 0 {
		return nil, errs
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	var out Round
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		var existing []Round
		if err := tx.Where("id = ?", in.ID).Limit(1).Find(&existing).Error; err != nil {
			return err
		}
		switch {
		case create && len(existing) > 0:
			return market.Errors{fieldErr("id", "taken", "该轮次编号已存在", "a round with this ID already exists")}
		case !create && len(existing) == 0:
			return market.ErrNotFound
		}
		ids, err := overlapping(tx, &in)
		if err != nil {
			return err
		}
		if len(ids) > 0 && !in.ConfirmOverlap {
			return market.Errors{overlapError(ids)}
		}
		out = Round{ID: in.ID, Name: in.Name, Rule: in.Rule, WindowFrom: in.From, WindowTo: in.To, Basis: in.Basis,
			UnitFen: in.UnitFen, CapFen: in.CapFen, RecipientCapFen: in.RecipientCapFen, RequiresFiling: in.RequiresFiling,
			Flags: in.Flags, CreatedAt: now, CreatedBy: userOf(actor), UpdatedAt: now, UpdatedBy: userOf(actor)}
		if create {
			return tx.Create(&out).Error
		}
		out.CreatedAt, out.CreatedBy = existing[0].CreatedAt, existing[0].CreatedBy
		return tx.Select("*").Save(&out).Error
	})
	if err != nil {
		if market.AsFieldErrors(err) != nil {
			return nil, err
		}
		return nil, fmt.Errorf("bonus: save round %s: %w", in.ID, err)
	}
	return &out, nil
}

// GetRound loads one round (market.ErrNotFound when absent).
func GetRound(ctx context.Context, s *market.Store, id string) (*Round, error) {
	var r Round
	err := s.Gorm().WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, market.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("bonus: load round %s: %w", id, err)
	}
	return &r, nil
}

// ListRounds returns every round, latest window first.
func ListRounds(ctx context.Context, s *market.Store) ([]Round, error) {
	var rs []Round
	if err := s.Gorm().WithContext(ctx).Order("window_from DESC, id").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("bonus: list rounds: %w", err)
	}
	return rs, nil
}

// Input returns the round as an input, e.g. to prefill an edit form.
func (r *Round) Input() RoundInput {
	return RoundInput{ID: r.ID, Name: r.Name, Rule: r.Rule, From: r.WindowFrom, To: r.WindowTo, Basis: r.Basis,
		UnitFen: r.UnitFen, CapFen: r.CapFen, RecipientCapFen: r.RecipientCapFen, RequiresFiling: r.RequiresFiling,
		Flags: r.Flags}
}
