package market

// Channel rules: what keeps a wall or a supermarket shelf filled as patents are published
// (docs/rules.md §10.1). The rules are checked here; the listing runs through the search engine
// (docs/architecture.md §9), so a rule means exactly what the same filter means in the search.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Bounds of a channel's rules and lists.
const (
	MaxRuleValues  = 20  // values of one rule (the search's bound on one filter)
	MaxKeywords    = 8   // keywords: at most 8 words of at most 20 characters stay under the search's 200
	MaxKeywordLen  = 20  // characters of one keyword
	MaxPins        = 100 // pinned patents of a wall or shelf
	MaxExcluded    = 500 // excluded patents of a wall
	MaxChannelText = 2000
)

// ChannelRules select the live open-licence patents a wall or shelf shows. An empty list does not
// restrict; values within a list are alternatives, lists narrow each other (as the search's filters do).
// Keywords are words of the search text: each must match, as when typed into the search box.
type ChannelRules struct {
	Industries  []string `json:"industries"`
	IPC         []string `json:"ipc"`          // canonical section, class, subclass or group symbols
	Keywords    []string `json:"keywords"`     // one word each, no spaces
	HolderKinds []string `json:"holder_kinds"` // organisation kinds
	Districts   []string `json:"districts"`    // district codes
}

// Empty reports rules that restrict nothing.
func (r ChannelRules) Empty() bool {
	return len(r.Industries)+len(r.IPC)+len(r.Keywords)+len(r.HolderKinds)+len(r.Districts) == 0
}

// normalised returns r with nil lists as empty ones, so the JSON always carries every list.
func (r ChannelRules) normalised() ChannelRules {
	for _, l := range []*[]string{&r.Industries, &r.IPC, &r.Keywords, &r.HolderKinds, &r.Districts} {
		if *l == nil {
			*l = []string{}
		}
	}
	return r
}

// ParseRulesJSON reads rules as stored.
func ParseRulesJSON(s string) (ChannelRules, error) {
	var r ChannelRules
	if s != "" {
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return r, fmt.Errorf("market: stored channel rules: %w", err)
		}
	}
	return r.normalised(), nil
}

func rulesJSON(r ChannelRules) string {
	b, _ := json.Marshal(r.normalised()) // only strings: cannot fail
	return string(b)
}

// CheckRules validates rules and returns their canonical form: industries must be ones the catalogue
// knows, IPC entries section/class/subclass/main-group/group symbols, keywords single words of plain text, holder
// kinds organisation kinds, districts Shanghai districts (by name or code, stored as codes). field
// prefixes the fields of the errors ("rules" gives "rules.ipc[1]").
func CheckRules(db *gorm.DB, field string, in ChannelRules) (ChannelRules, error) {
	var errs Errors
	out := ChannelRules{}.normalised()
	f := func(name string, i int) string { return fmt.Sprintf("%s.%s[%d]", field, name, i) }
	tooMany := func(name string, n, max int) bool {
		if n > max {
			errs = append(errs, NewFieldError(field+"."+name, "too_many_values",
				fmt.Sprintf("规则 %s 最多 %d 项", name, max), fmt.Sprintf("rule %s takes at most %d values", name, max)))
			return true
		}
		return false
	}
	if !tooMany("industries", len(in.Industries), MaxRuleValues) && len(in.Industries) > 0 {
		known, err := knownIndustries(db)
		if err != nil {
			return out, fmt.Errorf("market: industries: %w", err)
		}
		for i, v := range in.Industries {
			v = strings.TrimSpace(v)
			if fe := CheckText(f("industries", i), "行业", "industry", v, false); fe != nil {
				errs = append(errs, fe)
				continue
			}
			if !slices.Contains(known, v) {
				errs = append(errs, NewFieldError(f("industries", i), "unknown_value",
					fmt.Sprintf("没有专利属于行业“%s”，请从已有行业中选择", clipRunes(v, 30)),
					fmt.Sprintf("no patent is of the industry %q; choose an existing industry", clipRunes(v, 30))))
				continue
			}
			out.Industries = appendNew(out.Industries, v)
		}
	}
	if !tooMany("ipc", len(in.IPC), MaxRuleValues) {
		for i, v := range in.IPC {
			canon, _, ok := canonicalIPCSymbol(v)
			if !ok {
				errs = append(errs, NewFieldError(f("ipc", i), "invalid_format",
					fmt.Sprintf("IPC 前缀“%s”格式错误，可填部（H）、大类（H01）、小类（H01M）、大组（H01M 10/）或组（H01M 10/052）", clipRunes(v, 30)),
					fmt.Sprintf("invalid IPC prefix %q: use a section (H), class (H01), subclass (H01M), main group (H01M 10/) or group (H01M 10/052)", clipRunes(v, 30))))
				continue
			}
			out.IPC = appendNew(out.IPC, canon)
		}
	}
	if !tooMany("keywords", len(in.Keywords), MaxKeywords) {
		for i, v := range in.Keywords {
			v = strings.TrimSpace(v)
			switch {
			case CheckText(f("keywords", i), "关键词", "keyword", v, false) != nil:
				errs = append(errs, CheckText(f("keywords", i), "关键词", "keyword", v, false))
			case v == "" || utf8.RuneCountInString(v) > MaxKeywordLen || strings.IndexFunc(v, unicode.IsSpace) >= 0 || strings.ContainsAny(v, "<>\"'`"):
				errs = append(errs, NewFieldError(f("keywords", i), "invalid_keyword",
					fmt.Sprintf("关键词应为 1–%d 个字符的一个词，不含空格和 < > \" ' `", MaxKeywordLen),
					fmt.Sprintf("a keyword is one word of 1–%d characters, without spaces or < > \" ' `", MaxKeywordLen)))
			default:
				out.Keywords = appendNew(out.Keywords, v)
			}
		}
	}
	if !tooMany("holder_kinds", len(in.HolderKinds), MaxRuleValues) {
		for i, v := range in.HolderKinds {
			if !slices.Contains(OrgKinds, v) {
				errs = append(errs, NewFieldError(f("holder_kinds", i), "unknown_value",
					fmt.Sprintf("未知的权利人类型“%s”，可选：%s", clipRunes(v, 30), strings.Join(OrgKinds, "、")),
					fmt.Sprintf("unknown holder kind %q; allowed: %s", clipRunes(v, 30), strings.Join(OrgKinds, ", "))))
				continue
			}
			out.HolderKinds = appendNew(out.HolderKinds, v)
		}
	}
	if !tooMany("districts", len(in.Districts), MaxRuleValues) {
		for i, v := range in.Districts {
			d, ok := LookupDistrict(v)
			if !ok {
				errs = append(errs, NewFieldError(f("districts", i), "unknown_value",
					fmt.Sprintf("“%s”不是上海市的区", clipRunes(v, 30)), fmt.Sprintf("%q is not a Shanghai district", clipRunes(v, 30))))
				continue
			}
			out.Districts = appendNew(out.Districts, d.Code)
		}
	}
	return out, errs.Err()
}

func appendNew(l []string, v string) []string {
	if slices.Contains(l, v) {
		return l
	}
	return append(l, v)
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// knownIndustries lists the industries patents carry.
func knownIndustries(db *gorm.DB) ([]string, error) {
	var out []string
	err := db.Model(&Patent{}).Distinct("industry").Where("industry <> ''").Order("industry").Pluck("industry", &out).Error
	return out, err
}

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// checkSlug validates a channel's slug: 2–40 lower-case letters, digits and hyphens (it is a path).
func checkSlug(s string) *FieldError {
	if !slugRe.MatchString(s) {
		return NewFieldError("slug", "invalid_format", "标识应为 2–40 个小写字母、数字或连字符，以字母或数字开头",
			"slug: 2–40 lower-case letters, digits or hyphens, starting with a letter or digit")
	}
	return nil
}

// checkName validates a channel's required name (and its optional English name).
func checkNames(errs *Errors, name, nameEN string) {
	switch {
	case strings.TrimSpace(name) == "":
		*errs = append(*errs, NewFieldError("name", "required", "请填写名称", "name is required"))
	case utf8.RuneCountInString(name) > 100:
		*errs = append(*errs, NewFieldError("name", "too_long", "名称最多 100 个字符", "name: at most 100 characters"))
	default:
		if fe := CheckText("name", "名称", "name", name, false); fe != nil {
			*errs = append(*errs, fe)
		}
	}
	if utf8.RuneCountInString(nameEN) > 100 {
		*errs = append(*errs, NewFieldError("name_en", "too_long", "英文名称最多 100 个字符", "name_en: at most 100 characters"))
	} else if fe := CheckText("name_en", "英文名称", "English name", nameEN, false); fe != nil {
		*errs = append(*errs, fe)
	}
}

// livePatentIDs resolves application numbers to patents with a live declaration, in order; field names
// the list in errors ("application_nos[2]"). Unknown numbers and patents without a live declaration are
// refused.
func livePatentIDs(db *gorm.DB, field string, nos []string, max int) ([]int64, error) {
	if len(nos) > max {
		return nil, Errors{NewFieldError(field, "too_many_values", fmt.Sprintf("最多 %d 件专利", max), fmt.Sprintf("at most %d patents", max))}
	}
	var errs Errors
	ids := make([]int64, 0, len(nos))
	for i, raw := range nos {
		fn := fmt.Sprintf("%s[%d]", field, i)
		canon, err := NormalizeApplicationNo(raw)
		if err != nil {
			errs = append(errs, NewFieldError(fn, "unknown_patent", fmt.Sprintf("“%s”不是有效的申请号", clipRunes(raw, 30)),
				fmt.Sprintf("%q is not a valid application number", clipRunes(raw, 30))))
			continue
		}
		var row struct {
			ID     int64
			DeclID *int64
		}
		err = db.Raw(`SELECT p.id AS id, d.id AS decl_id FROM patents p
			LEFT JOIN declarations d ON d.patent_id = p.id AND d.status = ? WHERE p.application_no = ?`, DeclLive, canon).Scan(&row).Error
		if err != nil {
			return nil, fmt.Errorf("market: patent %s: %w", canon, err)
		}
		switch {
		case row.ID == 0:
			errs = append(errs, NewFieldError(fn, "unknown_patent", fmt.Sprintf("平台上没有专利 %s", canon), fmt.Sprintf("no patent %s on the platform", canon)))
		case row.DeclID == nil:
			errs = append(errs, NewFieldError(fn, "not_live", fmt.Sprintf("专利 %s 没有生效中的开放许可声明", canon),
				fmt.Sprintf("patent %s has no live open-licence declaration", canon)))
		case slices.Contains(ids, row.ID):
			errs = append(errs, NewFieldError(fn, "duplicate", fmt.Sprintf("专利 %s 重复", canon), fmt.Sprintf("patent %s is listed twice", canon)))
		default:
			ids = append(ids, row.ID)
		}
	}
	return ids, errs.Err()
}
