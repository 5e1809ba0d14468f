package market

// Identifier parsing and validation: patent application numbers, USCC (统一社会信用代码), IPC symbols and
// Shanghai districts. Rules and their sources: docs/rules.md §2.
// Every parser accepts what people actually type or paste (full-width characters, spaces, prefixes,
// lower case) and returns one canonical form, so the database stores and compares a single spelling.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// PatentType values.
const (
	TypeInvention    = "invention"
	TypeUtilityModel = "utility_model"
	TypeDesign       = "design"
)

// halfWidth maps full-width ASCII (０-９, Ａ-Ｚ, ．, ／, ；, ，, …) and the ideographic space to ASCII, because
// Chinese input methods produce them and they look identical on screen. '。' becomes '.' since it is a common
// slip when typing "202010566088。9".
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		case r == '。':
			return '.'
		}
		return r
	}, s)
}

// dropSpace removes all white space, including inside the value ("CN 2020 1056 6088.9").
func dropSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// ---------------------------------------------------------------------------------------------------------
// Application numbers (申请号) and patent numbers (专利号)

var appWeights = [12]int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5}

func appErr(code, zh, en string) *FieldError { return NewFieldError("application_no", code, zh, en) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ApplicationCheckChar computes the check character ('0'-'9' or 'X') for the 12 digits of a current
// application number or the 8 digits of a pre-2003 one.
func ApplicationCheckChar(digits string) (byte, error) {
	if (len(digits) != 12 && len(digits) != 8) || !allDigits(digits) {
		return 0, appErr("invalid_format", "申请号应为 12 位或 8 位数字（不含校验位）",
			"application number must have 12 or 8 digits before the check character")
	}
	sum := 0
	for i := 0; i < len(digits); i++ {
		sum += int(digits[i]-'0') * appWeights[i]
	}
	if r := sum % 11; r != 10 {
		return byte('0' + r), nil
	}
	return 'X', nil
}

// splitAppNo cleans s and splits it into the digits and the check character (0 when absent). It checks
// only the shape, not the check character or the type digit.
func splitAppNo(s string) (digits string, check byte, err error) {
	s = strings.ToUpper(dropSpace(halfWidth(s)))
	// "ZL" marks a granted patent number, "CN" the country; both wrap the same application number.
	for _, p := range []string{"ZL", "CN"} {
		s = strings.TrimPrefix(s, p)
	}
	if s == "" {
		return "", 0, appErr("required", "请填写申请号", "application number is required")
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		digits = s[:i]
		if len(s) != i+2 {
			return "", 0, appErr("invalid_format", "申请号格式错误：小数点后应只有一位校验位",
				"application number must have exactly one check character after the dot")
		}
		check = s[i+1]
	} else if len(s) == 13 || len(s) == 9 {
		// Some databases print the number without the dot ("CN2020105660889").
		digits, check = s[:len(s)-1], s[len(s)-1]
	} else {
		digits = s
	}
	if (len(digits) != 12 && len(digits) != 8) || !allDigits(digits) {
		return "", 0, appErr("invalid_format", "申请号格式错误：应如 202010566088.9 或 90101673.X",
			"application number must look like 202010566088.9 or 90101673.X")
	}
	if check != 0 && check != 'X' && (check < '0' || check > '9') {
		return "", 0, appErr("invalid_format", "申请号校验位只能是数字或 X",
			"application number check character must be a digit or X")
	}
	return digits, check, nil
}

// NormalizeApplicationNo validates an application number (or patent number) and returns its canonical form:
// no prefix, 12 or 8 digits, a dot, and an upper-case check character.
func NormalizeApplicationNo(s string) (string, error) {
	digits, check, err := splitAppNo(s)
	if err != nil {
		return "", err
	}
	if check == 0 {
		// 1985–1988 numbers had no check character; we never deal with patents that old, so a missing
		// check character is far more likely a truncated paste.
		return "", appErr("invalid_format", "申请号缺少校验位（小数点后的一位）",
			"application number is missing its check character (after the dot)")
	}
	// Plausible years catch numbers pasted into the wrong field: the 12-digit form started on 2003-10-01,
	// the 8-digit form with a check character ran from 1989 to 2003.
	if len(digits) == 12 {
		if y, _ := strconv.Atoi(digits[:4]); y < 2003 || y > 2099 {
			return "", appErr("invalid_format", fmt.Sprintf("申请号年份 %d 不合理", y),
				fmt.Sprintf("application number year %d is implausible", y))
		}
	} else if yy, _ := strconv.Atoi(digits[:2]); yy > 3 && yy < 85 {
		return "", appErr("invalid_format", fmt.Sprintf("8 位旧申请号年份 %02d 不合理", yy),
			fmt.Sprintf("old 8-digit application number year %02d is implausible", yy))
	}
	want, _ := ApplicationCheckChar(digits)
	if check != want {
		return "", appErr("bad_check_digit", fmt.Sprintf("申请号校验位错误：应为 %c", want),
			fmt.Sprintf("application number check character is wrong: expected %c", want))
	}
	canon := digits + "." + string(check)
	if _, err := TypeFromApplicationNo(canon); err != nil {
		return "", err
	}
	return canon, nil
}

// TypeFromApplicationNo reads the patent type from the type digit (5th of 12, 3rd of 8). PCT national-phase
// applications (8, 9) are ordinary inventions / utility models for our purposes.
func TypeFromApplicationNo(canonical string) (string, error) {
	digits, _, err := splitAppNo(canonical)
	if err != nil {
		return "", err
	}
	t := digits[2]
	if len(digits) == 12 {
		t = digits[4]
	}
	switch t {
	case '1', '8':
		return TypeInvention, nil
	case '2', '9':
		return TypeUtilityModel, nil
	case '3':
		return TypeDesign, nil
	}
	return "", appErr("unknown_type", fmt.Sprintf("申请号中的类型位“%c”无效：应为 1（发明）、2（实用新型）、3（外观设计）、8 或 9（PCT）", t),
		fmt.Sprintf("unknown patent type digit %q in application number (want 1, 2, 3, 8 or 9)", t))
}

// PatentNumber returns the patent number (专利号) of a granted patent: "ZL" + the canonical application number.
func PatentNumber(canonical string) string { return "ZL" + canonical }

// ---------------------------------------------------------------------------------------------------------
// USCC (统一社会信用代码, GB 32100-2015)

// usccChars is the USCC alphabet; a character's index is its value. I, O, Z, S, V are left out because
// they are easily confused with 1, 0, 2, 5, U.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^(i-1) mod 31 for positions 1..17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

func usccErr(code, zh, en string) *FieldError { return NewFieldError("uscc", code, zh, en) }

// USCCCheckChar computes character 18 from the first 17 characters.
func USCCCheckChar(first17 string) (byte, error) {
	first17 = strings.ToUpper(first17)
	if len(first17) != 17 {
		return 0, usccErr("invalid_format", "需要统一社会信用代码的前 17 位", "need the first 17 characters of the USCC")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, first17[i])
		if v < 0 {
			return 0, usccBadChar(i, rune(first17[i]))
		}
		sum += v * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31], nil
}

// OrgCodeCheckChar computes the check character of a GB 11714 organisation code (USCC character 17) from
// its first 8 characters (USCC characters 9-16). Letters count A=10 … Z=35.
func OrgCodeCheckChar(eight string) (byte, error) {
	eight = strings.ToUpper(eight)
	if len(eight) != 8 {
		return 0, usccErr("invalid_format", "组织机构代码本体应为 8 位", "organisation code body must have 8 characters")
	}
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := eight[i]
		switch {
		case c >= '0' && c <= '9':
			sum += int(c-'0') * w[i]
		case c >= 'A' && c <= 'Z':
			sum += int(c-'A'+10) * w[i]
		default:
			return 0, usccErr("invalid_format", fmt.Sprintf("组织机构代码含非法字符“%c”", c),
				fmt.Sprintf("organisation code contains illegal character %q", c))
		}
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + r), nil
	}
}

func usccBadChar(i int, c rune) *FieldError {
	return usccErr("invalid_format",
		fmt.Sprintf("统一社会信用代码第 %d 位“%c”不是合法字符（只能是数字和除 I、O、Z、S、V 以外的大写字母）", i+1, c),
		fmt.Sprintf("USCC character %d (%q) is not allowed (digits and capital letters except I, O, Z, S, V)", i+1, c))
}

// ValidateUSCC returns the canonical (upper-case, no spaces) code. Wrong length or characters are hard
// errors. Failed check characters only produce a warning, formatted "中文 / English": early codes from pilot
// regions fail the standard checks yet are legal, so staff must be able to override.
func ValidateUSCC(s string) (canonical string, warning string, err error) {
	s = strings.ToUpper(dropSpace(halfWidth(s)))
	if s == "" {
		return "", "", usccErr("required", "请填写统一社会信用代码", "USCC is required")
	}
	rs := []rune(s)
	if len(rs) != 18 {
		return "", "", usccErr("invalid_format", fmt.Sprintf("统一社会信用代码应为 18 位，实际为 %d 位", len(rs)),
			fmt.Sprintf("USCC must have 18 characters, got %d", len(rs)))
	}
	for i, r := range rs {
		if r > unicode.MaxASCII || strings.IndexRune(usccChars, r) < 0 {
			return "", "", usccBadChar(i, r)
		}
		if i >= 2 && i < 8 && (r < '0' || r > '9') {
			return "", "", usccErr("invalid_format", "统一社会信用代码第 3-8 位（行政区划码）应为数字",
				"USCC characters 3-8 (region code) must be digits")
		}
	}
	var zh, en []string
	if want, _ := OrgCodeCheckChar(s[8:16]); s[16] != want {
		zh = append(zh, fmt.Sprintf("第 17 位（组织机构代码校验位）应为 %c", want))
		en = append(en, fmt.Sprintf("character 17 (organisation code check) should be %c", want))
	}
	if want, _ := USCCCheckChar(s[:17]); s[17] != want {
		zh = append(zh, fmt.Sprintf("第 18 位（校验位）应为 %c", want))
		en = append(en, fmt.Sprintf("character 18 (check) should be %c", want))
	}
	if len(zh) > 0 {
		warning = "统一社会信用代码校验未通过：" + strings.Join(zh, "；") + "。早期代码可能合法，请人工核对 / " +
			"USCC check failed: " + strings.Join(en, "; ") + ". Early codes can still be legal; please verify manually"
	}
	return s, warning, nil
}

// USCCRegion returns characters 3-8, the region code of the registering authority ("" if too short). It
// never changes when an entity moves, so it is only a hint; the registered address decides the district.
func USCCRegion(uscc string) string {
	uscc = strings.TrimSpace(uscc)
	if len(uscc) < 8 {
		return ""
	}
	return uscc[2:8]
}

// USCCIsShanghai reports whether the code was issued by a Shanghai authority (region code 31xxxx).
func USCCIsShanghai(uscc string) bool { return strings.HasPrefix(USCCRegion(uscc), "31") }

// ---------------------------------------------------------------------------------------------------------
// IPC symbols

// IPC is one classification symbol, e.g. Section "G", Class "G06", Subclass "G06F", Group "16/9535" ("" at
// subclass level).
type IPC struct{ Section, Class, Subclass, Group string }

// ParseIPC parses one symbol; case, full-width characters, the space before the group and a version suffix
// are tolerated (the version is dropped). The accepted form, as a regular expression over the upper-cased
// symbol once the version is gone (the main group has 1–3 digits in IPC; 4 are allowed for the CPC indexing
// groups, e.g. 2300, found in mixed data):
//
//	^([A-H])(\d{2})([A-Z])(?:\s*(\d{1,4})\s*/\s*(\d{2,6}))?$
//
// and the version suffix of Chinese bibliographic data ("G06F16/9535(2019.01)I"):
//
//	\s*\(\d{4}\.\d{2}\)\s*[A-Z]?$
//
// Both are matched by hand (every import row and every indexed patent parses its symbols, and the regular
// expressions were most of the import's IPC work); TestParseIPCMatchesRegexp and FuzzIPC hold the two to
// the expressions above.
func ParseIPC(s string) (IPC, error) {
	orig := strings.TrimSpace(s)
	s = trimIPCVersion(strings.ToUpper(strings.TrimSpace(halfWidth(s))))
	ipc, ok := matchIPC(s)
	if !ok {
		zh := fmt.Sprintf("IPC 分类号“%s”格式错误，应如 H04L 9/32 或 G06F", orig)
		if s != "" && (s[0] < 'A' || s[0] > 'H') {
			zh = fmt.Sprintf("IPC 分类号“%s”格式错误：部应为 A–H 之一", orig)
		}
		return IPC{}, NewFieldError("ipc", "invalid_format", zh,
			fmt.Sprintf("invalid IPC symbol %q: expected e.g. H04L 9/32 or G06F", orig))
	}
	return ipc, nil
}

// isRESpace is \s of Go's regular expressions: ASCII white space without \v.
func isRESpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// trimIPCVersion drops a trailing version suffix "(2019.01)I" and the white space before it (see ParseIPC).
func trimIPCVersion(s string) string {
	i := len(s)
	if i > 0 && s[i-1] >= 'A' && s[i-1] <= 'Z' {
		i--
	}
	for i > 0 && isRESpace(s[i-1]) {
		i--
	}
	// "(" 4 digits "." 2 digits ")": 9 bytes
	if i < 9 || s[i-1] != ')' || s[i-9] != '(' || s[i-4] != '.' {
		return s
	}
	for _, k := range []int{i - 8, i - 7, i - 6, i - 5, i - 3, i - 2} {
		if !isDigit(s[k]) {
			return s
		}
	}
	i -= 9
	for i > 0 && isRESpace(s[i-1]) {
		i--
	}
	return s[:i]
}

// matchIPC matches an upper-cased symbol without version (see ParseIPC).
func matchIPC(s string) (IPC, bool) {
	if len(s) < 4 || s[0] < 'A' || s[0] > 'H' || !isDigit(s[1]) || !isDigit(s[2]) || s[3] < 'A' || s[3] > 'Z' {
		return IPC{}, false
	}
	ipc := IPC{Section: s[:1], Class: s[:3], Subclass: s[:4]}
	rest := s[4:]
	if rest == "" {
		return ipc, true
	}
	i := 0
	skip := func() {
		for i < len(rest) && isRESpace(rest[i]) {
			i++
		}
	}
	digits := func() string {
		j := i
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		return rest[j:i]
	}
	skip()
	main := digits()
	skip()
	if len(main) < 1 || len(main) > 4 || i == len(rest) || rest[i] != '/' {
		return IPC{}, false
	}
	i++
	skip()
	sub := digits()
	if len(sub) < 2 || len(sub) > 6 || i != len(rest) {
		return IPC{}, false
	}
	ipc.Group = main + "/" + sub
	return ipc, true
}

// MainGroup returns the symbol's main group as a prefix, "G06F 16/" for G06F 16/9535 (and for G06F 16/00
// itself); "" at subclass level. Walls and searches filter by it (docs/interfaces.md §5.8).
func (i IPC) MainGroup() string {
	main, _, ok := strings.Cut(i.Group, "/")
	if !ok {
		return ""
	}
	return i.Subclass + " " + main + "/"
}

// ipcMainGroupRe is a main group as a prefix: "G06F 16/", also written "G06F16/" or "G06F 16".
var ipcMainGroupRe = regexp.MustCompile(`^([A-H]\d{2}[A-Z])\s*(\d{1,4})\s*/?$`)

// ParseIPCMainGroup reads a main-group prefix ("G06F 16/", "g06f16/", "G06F 16") and returns its
// canonical form "G06F 16/"; ok is false for anything else (a full symbol such as G06F 16/9535 included).
func ParseIPCMainGroup(s string) (canonical string, ok bool) {
	m := ipcMainGroupRe.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(halfWidth(s))))
	if m == nil {
		return "", false
	}
	return m[1] + " " + m[2] + "/", true
}

// String returns the canonical form: "G06F 16/9535", or "G06F" at subclass level.
func (i IPC) String() string {
	if i.Group == "" {
		return i.Subclass
	}
	return i.Subclass + " " + i.Group
}

// ParseIPCList parses a list separated by ';', ',' (either width), '|' or new lines, and returns the canonical
// symbols in input order (the first is the main IPC) without duplicates. The first bad symbol fails the list.
func ParseIPCList(s string) ([]string, error) {
	parts := strings.FieldsFunc(halfWidth(s), func(r rune) bool {
		return r == ';' || r == ',' || r == '|' || r == '\n' || r == '\r'
	})
	out := make([]string, 0, len(parts))
	seen := make(map[string]bool, len(parts))
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		ipc, err := ParseIPC(p)
		if err != nil {
			return nil, err
		}
		if c := ipc.String(); !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// ---------------------------------------------------------------------------------------------------------
// Shanghai districts

// District is one of Shanghai's 16 districts; Code is the GB/T 2260 code.
type District struct{ Code, NameZH, NameEN string }

var districts = []District{
	{"310101", "黄浦区", "Huangpu"},
	{"310104", "徐汇区", "Xuhui"},
	{"310105", "长宁区", "Changning"},
	{"310106", "静安区", "Jing'an"},
	{"310107", "普陀区", "Putuo"},
	{"310109", "虹口区", "Hongkou"},
	{"310110", "杨浦区", "Yangpu"},
	{"310112", "闵行区", "Minhang"},
	{"310113", "宝山区", "Baoshan"},
	{"310114", "嘉定区", "Jiading"},
	{"310115", "浦东新区", "Pudong New Area"},
	{"310116", "金山区", "Jinshan"},
	{"310117", "松江区", "Songjiang"},
	{"310118", "青浦区", "Qingpu"},
	{"310120", "奉贤区", "Fengxian"},
	{"310151", "崇明区", "Chongming"},
}

// Districts returns the 16 districts in code order (a copy, so callers cannot alter the table).
func Districts() []District { return append([]District(nil), districts...) }

// districtKey reduces a name to a comparable key so that "浦东新区", "浦东", "上海市浦东新区", "Pudong New Area",
// "pudong" and "Jing’an District" all match.
func districtKey(s string) string {
	s = strings.ToLower(dropSpace(halfWidth(s)))
	s = strings.NewReplacer("'", "", "’", "", "`", "", "-", "", "_", "").Replace(s)
	for _, p := range []string{"上海市", "上海", "shanghai"} {
		s = strings.TrimPrefix(s, p)
	}
	for _, suf := range []string{"新区", "区", "newarea", "newdistrict", "district"} {
		if t, ok := strings.CutSuffix(s, suf); ok {
			return t
		}
	}
	return s
}

// LookupDistrict finds a district by code, Chinese name (full or short) or English name (any case).
func LookupDistrict(s string) (District, bool) {
	k := districtKey(s)
	if k == "" {
		return District{}, false
	}
	for _, d := range districts {
		if k == d.Code || k == districtKey(d.NameZH) || k == districtKey(d.NameEN) {
			return d, true
		}
	}
	return District{}, false
}
