package market

// Organisations as staff and imports supply them: validation of one record and an upsert keyed by USCC
// that rewrites only what changed. (Self-registration has its own rules in accounts.go.)

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// OrgRecord is one organisation as the orgs import (docs/interfaces.md §3.2) or staff supply it, as text.
type OrgRecord struct {
	USCC      string `json:"uscc"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	District  string `json:"district"` // Chinese name or code; "" = outside Shanghai
	Address   string `json:"address"`
	LegalRep  string `json:"legal_rep"`
	Phone     string `json:"phone"`
	Email     string `json:"email"`
	FoundedOn string `json:"founded_on"` // YYYY-MM-DD or ""
}

var orgKindAliases = map[string]string{
	"高校": KindUniversity, "大学": KindUniversity, "科研院所": KindInstitute, "研究所": KindInstitute,
	"医院": KindHospital, "企业": KindEnterprise, "行业协会": KindAssociation, "协会": KindAssociation,
	"区知识产权局": KindDistrictOffice, "服务机构": KindAgency, "银行": KindBank, "市知识产权局": KindBureau,
}

// CheckOrg validates an organisation record and returns the row to store (no ID, not verified,
// operating normally and of good credit unless the caller says otherwise). A USCC whose check characters
// fail is stored with its warning in USCCWarning; with strictUSCC it is also returned as a FieldError
// marked Warning, so a form can ask the user to confirm.
func CheckOrg(in OrgRecord, today Date, strictUSCC bool) (*Organisation, Errors) {
	var errs Errors
	o := &Organisation{OperatingNormally: true, GoodCredit: true}
	uscc, warning, err := ValidateUSCC(in.USCC)
	if err != nil {
		errs = append(errs, asFieldError("uscc", err))
	} else if warning != "" && strictUSCC {
		fe := NewFieldError("uscc", "bad_check_digit", warning, warning)
		if zh, en, ok := strings.Cut(warning, " / "); ok {
			fe.MessageZH, fe.MessageEN = zh, en
		}
		fe.Warning = true
		errs = append(errs, fe)
	}
	o.USCC, o.USCCWarning = uscc, warning

	text := func(field, zhName, enName, v string, limit int, required bool) string {
		v = strings.TrimSpace(v)
		switch n := utf8.RuneCountInString(v); {
		case n == 0 && required:
			errs = append(errs, NewFieldError(field, "required", "请填写"+zhName, enName+" is required"))
		case n > limit:
			errs = append(errs, NewFieldError(field, "too_long", fmt.Sprintf("%s过长（最多 %d 字）", zhName, limit),
				fmt.Sprintf("%s is too long (at most %d characters)", enName, limit)))
		default:
			if fe := CheckText(field, zhName, enName, v, false); fe != nil {
				errs = append(errs, fe)
			}
		}
		return v
	}
	o.Name = text("name", "机构名称", "name", in.Name, 200, true)
	o.Address = text("address", "地址", "address", in.Address, 300, false)
	o.LegalRep = text("legal_rep", "法定代表人", "legal representative", in.LegalRep, 100, false)

	o.Kind = normalizeChoice(in.Kind, orgKindAliases)
	if !containsKind(o.Kind) {
		errs = append(errs, NewFieldError("kind", "invalid_choice",
			fmt.Sprintf("机构类型“%s”无效：应为 %s 之一", strings.TrimSpace(in.Kind), strings.Join(OrgKinds, "、")),
			fmt.Sprintf("kind %q is invalid: use one of %s", strings.TrimSpace(in.Kind), strings.Join(OrgKinds, ", "))))
	}
	if d := strings.TrimSpace(in.District); d != "" {
		dist, ok := LookupDistrict(d)
		if !ok {
			errs = append(errs, NewFieldError("district", "not_shanghai",
				fmt.Sprintf("“%s”不是上海的区：请填区名（如 浦东新区）或代码（如 310115），上海以外留空", d),
				fmt.Sprintf("%q is not a Shanghai district: give its name (浦东新区) or code (310115), or leave empty for outside Shanghai", d)))
		}
		o.DistrictCode = dist.Code
	}
	o.Phone = strings.TrimSpace(halfWidth(in.Phone))
	if o.Phone != "" && !phoneOK(o.Phone) {
		errs = append(errs, NewFieldError("phone", "invalid_format",
			fmt.Sprintf("电话“%s”格式不正确：只能含数字、空格、+、-、括号，7 到 20 位数字", o.Phone),
			fmt.Sprintf("phone %q is invalid: digits, spaces, + - and brackets only, 7 to 20 digits", o.Phone)))
	}
	o.Email = strings.ToLower(strings.TrimSpace(halfWidth(in.Email)))
	if o.Email != "" && !emailOK(o.Email) {
		errs = append(errs, NewFieldError("email", "invalid_format", fmt.Sprintf("电子邮箱“%s”格式不正确", o.Email),
			fmt.Sprintf("e-mail address %q is invalid", o.Email)))
	}
	if f := strings.TrimSpace(in.FoundedOn); f != "" {
		d, fe := ParseDateField("founded_on", f)
		switch {
		case fe != nil:
			errs = append(errs, fe)
		case d.After(today):
			errs = append(errs, NewFieldError("founded_on", "in_future", "成立日期不能晚于今天", "founding date cannot be in the future"))
		case d.Year() < 1800:
			errs = append(errs, NewFieldError("founded_on", "implausible", fmt.Sprintf("成立日期 %s 不合理", d),
				fmt.Sprintf("founding date %s is implausible", d)))
		}
		o.FoundedOn = d
	}
	return o, errs
}

func containsKind(k string) bool {
	for _, x := range OrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// phoneOK is a light check: Chinese numbers are written many ways ("021-6439 2000", "+86 138…", "(021)…").
func phoneOK(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')' || r == '（' || r == '）':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 20
}

// emailOK is a light check: one @, something before it, a dotted domain after it, no spaces.
func emailOK(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && len(s) <= 254 && !strings.ContainsAny(s, " \t,;<>") &&
		!strings.Contains(domain, "@") && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// orgColumns are the columns an import may set, each with how to read it from a row. Other columns
// (SME figures, who verified) are set on insert and never touched on update.
var orgColumns = []struct {
	name string
	get  func(o *Organisation) any
}{
	{"name", func(o *Organisation) any { return o.Name }},
	{"kind", func(o *Organisation) any { return o.Kind }},
	{"district_code", func(o *Organisation) any { return o.DistrictCode }},
	{"address", func(o *Organisation) any { return o.Address }},
	{"legal_rep", func(o *Organisation) any { return o.LegalRep }},
	{"phone", func(o *Organisation) any { return o.Phone }},
	{"email", func(o *Organisation) any { return o.Email }},
	{"founded_on", func(o *Organisation) any { return o.FoundedOn }},
	{"is_sme", func(o *Organisation) any { return o.IsSME }},
	{"sme_confirmed", func(o *Organisation) any { return o.SMEConfirmed }},
	{"operating_normally", func(o *Organisation) any { return o.OperatingNormally }},
	{"good_credit", func(o *Organisation) any { return o.GoodCredit }},
}

// factColumns are the Art. 2 / SME facts whose source and date are recorded (facts_source, facts_as_of).
var factColumns = map[string]bool{"is_sme": true, "sme_confirmed": true, "operating_normally": true, "good_credit": true}

// indexedColumns change what the search index shows for the organisation's patents.
var indexedColumns = map[string]bool{"name": true, "kind": true, "district_code": true}

// UpsertCounts says what an upsert did.
type UpsertCounts struct{ Created, Updated, Unchanged int }

// UpsertOrgs inserts or updates organisations keyed by USCC in one transaction. See UpsertOrgsTx.
func (s *Store) UpsertOrgs(ctx context.Context, orgs []Organisation, columns ...string) (UpsertCounts, error) {
	var c UpsertCounts
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		c, err = UpsertOrgsTx(tx, s.now(), orgs, columns...)
		return err
	})
	if err != nil {
		return UpsertCounts{}, fmt.Errorf("market: upsert organisations: %w", err)
	}
	return c, nil
}

// UpsertOrgsTx inserts new organisations and updates existing ones (same USCC) inside tx. columns names
// the columns the caller supplies (names of orgColumns; none = all); the others keep their stored values, so a file
// with a few columns does not reset the rest. uscc_warning always follows the USCC. An unchanged row is
// not rewritten. Verification is only ever added: a verified organisation stays verified. When facts
// change, facts_source and facts_as_of are taken from the input, and the fact history records the change,
// in force from the day recorded or from the input's FactsFrom (a new organisation's facts: from the
// start; docs/rules.md §3). Patents of organisations whose name, kind
// or district changed are queued for re-indexing.
func UpsertOrgsTx(tx *gorm.DB, now time.Time, orgs []Organisation, columns ...string) (UpsertCounts, error) {
	var c UpsertCounts
	use := map[string]bool{}
	for _, col := range columns {
		use[col] = true
	}
	for _, col := range orgColumns {
		if len(columns) == 0 {
			use[col.name] = true
		}
	}
	var reindexOrgs []int64
	for start := 0; start < len(orgs); start += 500 {
		batch := orgs[start:min(start+500, len(orgs))]
		usccs := make([]string, len(batch))
		for i := range batch {
			usccs[i] = batch[i].USCC
		}
		var existing []Organisation
		if err := tx.Where("uscc IN ?", usccs).Find(&existing).Error; err != nil {
			return c, err
		}
		byUSCC := make(map[string]*Organisation, len(existing))
		var dated []int64 // organisations whose rows date their facts (facts_from)
		for i := range existing {
			byUSCC[existing[i].USCC] = &existing[i]
		}
		for i := range batch {
			if cur := byUSCC[batch[i].USCC]; cur != nil && !batch[i].FactsFrom.IsZero() {
				dated = append(dated, cur.ID)
			}
		}
		latest, err := latestFacts(tx, dated)
		if err != nil {
			return c, err
		}
		var create []Organisation
		var facts []OrgFact // the fact history of what this batch creates or changes (org_history.go)
		for i := range batch {
			in := &batch[i]
			cur, ok := byUSCC[in.USCC]
			if !ok {
				o := *in
				o.ID, o.CreatedAt, o.UpdatedAt = 0, now, now
				create = append(create, o)
				byUSCC[o.USCC] = nil // the same USCC again in this call: the first wins
				continue
			}
			if cur == nil {
				c.Unchanged++
				continue
			}
			upd, reindex := orgChanges(cur, in, use, now)
			var fs []OrgFact
			if in.FactsFrom.IsZero() {
				fs = changedFacts(cur.ID, cur, upd, now)
			} else {
				fs = datedFacts(cur.ID, in, use, latest[cur.ID], now)
			}
			if len(upd) == 0 && len(fs) == 0 {
				c.Unchanged++
				continue
			}
			facts = append(facts, fs...)
			if len(upd) > 0 {
				upd["updated_at"] = now
				if err := tx.Model(&Organisation{}).Where("id = ?", cur.ID).Updates(upd).Error; err != nil {
					return c, err
				}
			}
			c.Updated++
			if reindex {
				reindexOrgs = append(reindexOrgs, cur.ID)
			}
		}
		if len(create) > 0 {
			if err := tx.CreateInBatches(create, InsertBatch(tx, 27)).Error; err != nil {
				return c, err
			}
			c.Created += len(create)
			for i := range create {
				o := &create[i]
				facts = append(facts, initialFacts(o, FactSourceImport, o.FactsSource != "self-declared", now)...)
			}
		}
		if err := insertFacts(tx, facts); err != nil {
			return c, err
		}
	}
	for start := 0; start < len(reindexOrgs); start += 500 {
		var ids []int64
		if err := tx.Model(&Patent{}).Where("patentee_id IN ?", reindexOrgs[start:min(start+500, len(reindexOrgs))]).
			Pluck("id", &ids).Error; err != nil {
			return c, err
		}
		for len(ids) > 0 { // one statement's worth of outbox rows at a time (InsertBatch)
			n := min(len(ids), InsertBatch(tx, 3))
			if err := EnqueueIndex(tx, now, ids[:n]...); err != nil {
				return c, err
			}
			ids = ids[n:]
		}
	}
	return c, nil
}

// orgChanges returns the column updates that turn cur into in (for the used columns) and whether the
// search index must hear of it.
func orgChanges(cur, in *Organisation, use map[string]bool, now time.Time) (map[string]any, bool) {
	upd := map[string]any{}
	reindex, factsChanged := false, false
	for _, col := range orgColumns {
		if !use[col.name] {
			continue
		}
		if a, b := col.get(cur), col.get(in); fmt.Sprint(a) != fmt.Sprint(b) {
			upd[col.name] = b
			reindex = reindex || indexedColumns[col.name]
			factsChanged = factsChanged || factColumns[col.name]
		}
	}
	if cur.USCCWarning != in.USCCWarning {
		upd["uscc_warning"] = in.USCCWarning
	}
	if in.FactsSource != "" && (factsChanged || cur.FactsSource != in.FactsSource) {
		upd["facts_source"] = in.FactsSource
		asOf := in.FactsAsOf
		if asOf.IsZero() {
			asOf = DateOf(now)
		}
		upd["facts_as_of"] = asOf
	}
	if cur.VerifiedAt == nil && in.VerifiedAt != nil {
		upd["verified_at"] = *in.VerifiedAt
		upd["verified_by"] = in.VerifiedBy
	}
	return upd, reindex
}
