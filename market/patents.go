package market

// Patents: input validation shared by the API, the web forms and the importer, and the holder's own
// create / update.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Limits on free text, generous for real titles and abstracts but bounded so one row cannot bloat the index.
const (
	MaxTitleRunes    = 500
	MaxAbstractRunes = 20000
	MaxIndustryRunes = 64
)

// PatentStatuses lists the patent statuses.
var PatentStatuses = []string{StatusGranted, StatusPending, StatusLapsed, StatusInvalidated}

// PatentInput is a patent as users send it: the import's patent columns and the API's JSON.
type PatentInput struct {
	ApplicationNo string `json:"application_no"`
	Title         string `json:"title"`
	Abstract      string `json:"abstract"`
	Type          string `json:"type"` // empty: from the application number
	IPC           string `json:"ipc"`  // main symbol first
	PatenteeUSCC  string `json:"patentee_uscc"`
	FilingDate    string `json:"filing_date"`
	GrantDate     string `json:"grant_date"`
	Status        string `json:"status"`
	Industry      string `json:"industry"`
}

var patentTypeAliases = map[string]string{"发明": TypeInvention, "实用新型": TypeUtilityModel, "外观设计": TypeDesign}

var patentStatusAliases = map[string]string{
	"授权": StatusGranted, "有效": StatusGranted, "审中": StatusPending, "失效": StatusLapsed, "无效": StatusInvalidated,
}

// CheckPatent validates a patent's data and returns it ready to store (no ID). patentee is the
// organisation named by in.PatenteeUSCC, nil when there is none; the caller looks it up so that an
// import can preload every patentee in one query.
func CheckPatent(in PatentInput, patentee *Organisation, today Date) (*Patent, Errors) {
	var errs Errors
	p := &Patent{}
	canon, err := NormalizeApplicationNo(in.ApplicationNo)
	if err != nil {
		errs = append(errs, asFieldError("application_no", err))
	} else {
		p.ApplicationNo = canon
		fromNo, _ := TypeFromApplicationNo(canon)
		p.Type = fromNo
		if t := normalizeChoice(in.Type, patentTypeAliases); t != "" && t != fromNo {
			if t != TypeInvention && t != TypeUtilityModel && t != TypeDesign {
				errs = append(errs, NewFieldError("type", "invalid_choice",
					fmt.Sprintf("专利类型“%s”无效：应为 invention、utility_model 或 design", in.Type),
					fmt.Sprintf("patent type %q is invalid: use invention, utility_model or design", in.Type)))
			} else {
				errs = append(errs, NewFieldError("type", "conflicts_with_number",
					fmt.Sprintf("专利类型“%s”与申请号不符：申请号表明是 %s", in.Type, fromNo),
					fmt.Sprintf("patent type %q conflicts with the application number, which says %s", in.Type, fromNo)))
			}
		}
	}

	p.Title = strings.TrimSpace(in.Title)
	switch n := utf8.RuneCountInString(p.Title); {
	case n == 0:
		errs = append(errs, NewFieldError("title", "required", "请填写专利名称", "title is required"))
	case n > MaxTitleRunes:
		errs = append(errs, NewFieldError("title", "too_long", fmt.Sprintf("专利名称过长：%d 字，最多 %d 字", n, MaxTitleRunes),
			fmt.Sprintf("title is too long: %d characters, at most %d", n, MaxTitleRunes)))
	}
	if fe := CheckText("title", "专利名称", "title", p.Title, false); fe != nil {
		errs = append(errs, fe)
	}
	p.Abstract = strings.TrimSpace(in.Abstract)
	if n := utf8.RuneCountInString(p.Abstract); n > MaxAbstractRunes {
		errs = append(errs, NewFieldError("abstract", "too_long", fmt.Sprintf("摘要过长：%d 字，最多 %d 字", n, MaxAbstractRunes),
			fmt.Sprintf("abstract is too long: %d characters, at most %d", n, MaxAbstractRunes)))
	} else if fe := CheckText("abstract", "摘要", "abstract", p.Abstract, true); fe != nil {
		errs = append(errs, fe)
	}
	p.Industry = strings.TrimSpace(in.Industry)
	if n := utf8.RuneCountInString(p.Industry); n > MaxIndustryRunes {
		errs = append(errs, NewFieldError("industry", "too_long", fmt.Sprintf("行业名称过长（最多 %d 字）", MaxIndustryRunes),
			fmt.Sprintf("industry is too long (at most %d characters)", MaxIndustryRunes)))
	} else if fe := CheckText("industry", "行业", "industry", p.Industry, false); fe != nil {
		errs = append(errs, fe)
	}

	if ipcs, err := ParseIPCList(in.IPC); err != nil {
		errs = append(errs, asFieldError("ipc", err))
	} else {
		p.IPC = strings.Join(ipcs, ";")
	}

	p.Status = normalizeChoice(in.Status, patentStatusAliases)
	switch p.Status {
	case StatusGranted, StatusPending, StatusLapsed, StatusInvalidated:
	case "":
		errs = append(errs, NewFieldError("status", "required", "请填写法律状态：granted、pending、lapsed 或 invalidated",
			"status is required: granted, pending, lapsed or invalidated"))
	default:
		errs = append(errs, NewFieldError("status", "invalid_choice",
			fmt.Sprintf("法律状态“%s”无效：应为 granted、pending、lapsed 或 invalidated", in.Status),
			fmt.Sprintf("status %q is invalid: use granted, pending, lapsed or invalidated", in.Status)))
	}

	errs = append(errs, checkPatentDates(p, in, today)...)

	switch {
	case patentee == nil && strings.TrimSpace(in.PatenteeUSCC) == "":
		errs = append(errs, NewFieldError("patentee_uscc", "required", "请填写专利权人的统一社会信用代码",
			"the patentee's USCC is required"))
	case patentee == nil:
		errs = append(errs, NewFieldError("patentee_uscc", "unknown_org",
			fmt.Sprintf("专利权人“%s”不存在：请先导入该机构", strings.TrimSpace(in.PatenteeUSCC)),
			fmt.Sprintf("no organisation with USCC %q: import the organisation first", strings.TrimSpace(in.PatenteeUSCC))))
	default:
		p.PatenteeID = patentee.ID
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

// checkPatentDates: filing ≤ grant ≤ today; a granted patent has a grant date, a pending one none; the
// filing year is not after the year in the application number (divisional and PCT national-phase
// applications keep an earlier filing date, so earlier is fine).
func checkPatentDates(p *Patent, in PatentInput, today Date) Errors {
	var errs Errors
	date := func(field, s string) Date {
		if strings.TrimSpace(s) == "" {
			return Date{}
		}
		d, fe := ParseDateField(field, s)
		if fe != nil {
			errs = append(errs, fe)
			return Date{}
		}
		if d.After(today) {
			errs = append(errs, NewFieldError(field, "in_future", fmt.Sprintf("日期 %s 晚于今天", d),
				fmt.Sprintf("date %s is in the future", d)))
		}
		if d.Year() < 1985 {
			errs = append(errs, NewFieldError(field, "implausible", fmt.Sprintf("日期 %s 早于 1985 年（中国专利制度施行）", d),
				fmt.Sprintf("date %s is before 1985, when Chinese patent law took effect", d)))
		}
		return d
	}
	p.FilingDate = date("filing_date", in.FilingDate)
	p.GrantDate = date("grant_date", in.GrantDate)
	if strings.TrimSpace(in.FilingDate) == "" {
		errs = append(errs, NewFieldError("filing_date", "required", "请填写申请日", "filing date is required"))
	}
	if !p.FilingDate.IsZero() && !p.GrantDate.IsZero() && p.GrantDate.Before(p.FilingDate) {
		errs = append(errs, NewFieldError("grant_date", "before_filing", "授权公告日不能早于申请日",
			"grant date cannot be before the filing date"))
	}
	switch {
	case p.Status == StatusGranted && strings.TrimSpace(in.GrantDate) == "":
		errs = append(errs, NewFieldError("grant_date", "required", "已授权专利须填写授权公告日",
			"a granted patent needs its grant date"))
	case p.Status == StatusPending && !p.GrantDate.IsZero():
		errs = append(errs, NewFieldError("grant_date", "not_applicable", "审中的申请没有授权日：请留空或修改法律状态",
			"a pending application has no grant date: leave it empty or correct the status"))
	}
	if y := applicationYear(p.ApplicationNo); y > 0 && !p.FilingDate.IsZero() && p.FilingDate.Year() > y {
		errs = append(errs, NewFieldError("filing_date", "conflicts_with_number",
			fmt.Sprintf("申请日 %s 晚于申请号中的年份 %d", p.FilingDate, y),
			fmt.Sprintf("filing date %s is after the year %d in the application number", p.FilingDate, y)))
	}
	return errs
}

// applicationYear reads the year from a canonical application number (0 if unknown).
func applicationYear(canon string) int {
	digits, _, _ := strings.Cut(canon, ".")
	switch len(digits) {
	case 12:
		y, _ := strconv.Atoi(digits[:4])
		return y
	case 8:
		yy, _ := strconv.Atoi(digits[:2])
		if yy >= 85 {
			return 1900 + yy
		}
		return 2000 + yy
	}
	return 0
}

// asFieldError keeps a FieldError from a parser (naming field if it names none) or wraps a plain error.
func asFieldError(field string, err error) *FieldError {
	var fe *FieldError
	if errors.As(err, &fe) {
		if fe.Field == "" || fe.Field != field {
			c := *fe
			c.Field = field
			return &c
		}
		return fe
	}
	return NewFieldError(field, "invalid", err.Error(), err.Error())
}

// SamePatentData reports whether two patents carry the same imported data, so re-imports skip them.
func SamePatentData(a, b *Patent) bool {
	return a.ApplicationNo == b.ApplicationNo && a.Type == b.Type && a.Title == b.Title && a.Abstract == b.Abstract &&
		a.PatenteeID == b.PatenteeID && a.FilingDate.String() == b.FilingDate.String() &&
		a.GrantDate.String() == b.GrantDate.String() &&
		a.Status == b.Status && a.Industry == b.Industry && a.IPC == b.IPC
}

// PatentUpdates is the column map that writes p's imported data over a stored patent.
func PatentUpdates(p *Patent) map[string]any {
	return map[string]any{
		"type": p.Type, "title": p.Title, "abstract": p.Abstract, "patentee_id": p.PatenteeID,
		"filing_date": p.FilingDate, "grant_date": p.GrantDate, "status": p.Status, "industry": p.Industry,
		"ipc": p.IPC, "updated_at": p.UpdatedAt,
	}
}

var errPatentExists = NewFieldError("application_no", "already_exists", "该申请号的专利已在平台登记",
	"a patent with this application number is already registered")

// publishingOrg checks that act may publish (Actor.MayPublish) and returns its organisation. The actor
// comes from a session; the database has the last word: a user disabled since, or an organisation no
// longer verified, is refused too (ErrAccountDisabled, ErrOrgUnverified).
func (s *Store) publishingOrg(ctx context.Context, tx *gorm.DB, act Actor) (*Organisation, error) {
	if err := act.MayPublish(); err != nil {
		return nil, err
	}
	u, org, err := s.userAndOrg(ctx, tx, act.UserID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnauth
	}
	if err != nil {
		return nil, err
	}
	if u.DisabledAt != nil {
		return nil, ErrAccountDisabled
	}
	now := ActorOf(u, org)
	if now.OrgID != act.OrgID {
		return nil, ErrForbidden
	}
	if err := now.MayPublish(); err != nil {
		return nil, err
	}
	return org, nil
}

// CreatePatent registers a patent of the acting user's organisation (the actor must pass MayPublish).
// in.PatenteeUSCC may be empty (the acting organisation) or must name it: a holder creates only its own
// patents.
func (s *Store) CreatePatent(ctx context.Context, act Actor, in PatentInput) (*Patent, error) {
	if err := act.MayPublish(); err != nil {
		return nil, fmt.Errorf("market: create patent %s: %w", strings.TrimSpace(in.ApplicationNo), err)
	}
	var out *Patent
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		org, err := s.publishingOrg(ctx, tx, act)
		if err != nil {
			return err
		}
		if u := strings.TrimSpace(in.PatenteeUSCC); u != "" {
			canon, _, err := ValidateUSCC(u)
			if err != nil {
				return asFieldError("patentee_uscc", err)
			}
			if canon != org.USCC {
				return ErrForbidden
			}
		}
		in.PatenteeUSCC = org.USCC
		now := s.now()
		p, errs := CheckPatent(in, org, DateOf(now))
		if len(errs) > 0 {
			return errs
		}
		p.CreatedAt, p.UpdatedAt = now, now
		if err := tx.Create(p).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errPatentExists
			}
			return err
		}
		out = p
		return EnqueueIndex(tx, now, p.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("market: create patent %s: %w", strings.TrimSpace(in.ApplicationNo), err)
	}
	return out, nil
}

// UpdatePatent changes the data of one of the acting user's organisation's patents (the actor must pass
// MayPublish; another organisation's patent is ErrForbidden). The application number and
// the patentee do not change here (a transfer takes effect only on CNIPA registration and arrives as a
// contract). When the new data no longer allow the live declaration (the patent lapsed, was invalidated,
// or the term now runs past expiry) the declaration is withdrawn, keeping its history.
func (s *Store) UpdatePatent(ctx context.Context, act Actor, appNo string, in PatentInput) (*Patent, error) {
	if err := act.MayPublish(); err != nil {
		return nil, fmt.Errorf("market: update patent %s: %w", strings.TrimSpace(appNo), err)
	}
	canon, err := NormalizeApplicationNo(appNo)
	if err != nil {
		return nil, ErrNotFound
	}
	var out *Patent
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		cur, org, err := s.lockOwnPatent(ctx, tx, act, canon)
		if err != nil {
			return err
		}
		if strings.TrimSpace(in.ApplicationNo) == "" {
			in.ApplicationNo = canon
		} else if c, err := NormalizeApplicationNo(in.ApplicationNo); err == nil && c != canon {
			return NewFieldError("application_no", "immutable", "申请号不能修改", "the application number cannot be changed")
		}
		if u := strings.TrimSpace(in.PatenteeUSCC); u != "" {
			if c, _, err := ValidateUSCC(u); err != nil || c != org.USCC {
				return NewFieldError("patentee_uscc", "immutable", "专利权人只能通过登记的转让变更",
					"the patentee changes only through a registered transfer")
			}
		}
		in.PatenteeUSCC = org.USCC
		now := s.now()
		p, errs := CheckPatent(in, org, DateOf(now))
		if len(errs) > 0 {
			return errs
		}
		p.ID, p.CreatedAt, p.UpdatedAt = cur.ID, cur.CreatedAt, now
		p.FeesUnpaid, p.UnderDispute, p.PledgedNoConsent = cur.FeesUnpaid, cur.UnderDispute, cur.PledgedNoConsent
		p.TransferPriceFen, p.Featured = cur.TransferPriceFen, cur.Featured
		out = p
		if SamePatentData(cur, p) {
			out.UpdatedAt = cur.UpdatedAt
			return nil
		}
		if err := tx.Model(&Patent{}).Where("id = ?", p.ID).Updates(PatentUpdates(p)).Error; err != nil {
			return err
		}
		live, err := liveDeclaration(tx, p.ID)
		if err != nil {
			return err
		}
		if live != nil && !DeclarationStillValid(p, live, DateOf(now)) {
			if err := EndDeclarations(tx, now, DeclWithdrawn, live.ID); err != nil {
				return err
			}
		}
		return EnqueueIndex(tx, now, p.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("market: update patent %s: %w", canon, err)
	}
	return out, nil
}
