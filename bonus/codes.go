// Package bonus computes the bureau's bonus programmes (docs/rules.md §9, seed Arts. 19, 22, 25, 26):
// rounds as data, runs that evaluate every contract against a round, fraud flags held for review, the
// caps with exact largest-remainder allocation in fen, stored runs with the hash of their inputs,
// comparisons and clawbacks, and the CSV/XLSX/JSON exports. It reads market's tables and writes only
// its own (bonus_rounds, bonus_runs, flag_reviews); it imports market and nothing of web or search.
package bonus

import "math/bits"

// Reason is one cause of an ineligible line, as a bit of Reasons. The order of the constants is the
// order codes are listed in (docs/rules.md §9.11).
type Reason uint16

const (
	ReasonOutsideWindow Reason = 1 << iota
	ReasonNotOpenLicence
	ReasonNotEffective
	ReasonNotFiled
	ReasonFilingCancelled
	ReasonRecipientKind
	ReasonRecipientNotShanghai
	ReasonRecipientNotNormal
	ReasonLicenseeNotSME
	ReasonLicenseeNotShanghai
	ReasonDuplicate
	ReasonRetransfer
	ReasonRecipientDisqualified
	numReasons = iota
)

// Reasons is a set of reasons.
type Reasons uint16

// Has reports whether r is in the set.
func (rs Reasons) Has(r Reason) bool { return rs&Reasons(r) != 0 }

// Codes lists the set's codes in canonical order.
func (rs Reasons) Codes() []string { return codesOf(uint64(rs), reasonCodes[:]) }

// ZH lists the set in plain Chinese, in canonical order.
func (rs Reasons) ZH() []string { return codesOf(uint64(rs), reasonZH[:]) }

var reasonCodes = [numReasons]string{
	"outside_window", "not_open_licence", "not_effective", "not_filed", "filing_cancelled",
	"recipient_kind", "recipient_not_shanghai", "recipient_not_normal", "licensee_not_sme",
	"licensee_not_shanghai", "duplicate", "retransfer", "recipient_disqualified",
}

var reasonZH = [numReasons]string{
	"生效日期（或备案日期）不在本轮时间范围内",
	"不是专利开放许可合同",
	"合同未生效或已终止、撤销",
	"未在国家知识产权局备案（或登记），或备案信息与合同不符",
	"国家知识产权局备案已注销",
	"受奖单位类型不符合本轮规则",
	"受奖单位未在本市注册",
	"受奖单位经营状态异常或信用不良",
	"被许可方（受让方）不是中小企业",
	"被许可方（受让方）未在本市注册",
	"同一专利与同一被许可方本轮已计奖（重复）",
	"该专利的转让本轮或其他轮次已计奖（再次转让）",
	"受奖单位已被取消本轮奖补资格",
}

// Flag is one fraud signal (seed Art. 26) that holds a line for review, as a bit of Flags.
type Flag uint8

const (
	FlagRelatedParty Flag = 1 << iota
	FlagCircular
	FlagNewLicensee
	FlagBurst
	FlagReversal
	FlagLowFee
	FlagDoubleClaim
	numFlags = iota
)

// Flags is a set of flags.
type Flags uint8

// Has reports whether f is in the set.
func (fs Flags) Has(f Flag) bool { return fs&Flags(f) != 0 }

// Codes lists the set's codes in canonical order.
func (fs Flags) Codes() []string { return codesOf(uint64(fs), flagCodes[:]) }

// ZH lists the set in plain Chinese, in canonical order.
func (fs Flags) ZH() []string { return codesOf(uint64(fs), flagZH[:]) }

var flagCodes = [numFlags]string{
	"related_party", "circular", "new_licensee", "burst", "reversal", "low_fee", "double_claim",
}

var flagZH = [numFlags]string{
	"许可方与被许可方疑似关联（统一社会信用代码、法定代表人、电话、邮箱或地址相同）",
	"双方在短期内互相许可或转让（循环交易）",
	"被许可方成立时间过短",
	"同一被许可方短期内集中达成多笔交易",
	"备案短期内注销，或专利短期内转回",
	"许可费明显低于奖补金额且存在其他风险",
	"同一合同或同一专利与被许可方在其他轮次也符合条件（重复申报）",
}

// ParseFlags reads flag codes back into a set; unknown codes are ignored.
func ParseFlags(codes []string) Flags {
	var fs Flags
	for _, c := range codes {
		for i, k := range flagCodes {
			if c == k {
				fs |= 1 << i
			}
		}
	}
	return fs
}

// ParseReasons reads reason codes back into a set; unknown codes are ignored.
func ParseReasons(codes []string) Reasons {
	var rs Reasons
	for _, c := range codes {
		for i, k := range reasonCodes {
			if c == k {
				rs |= 1 << i
			}
		}
	}
	return rs
}

func codesOf(set uint64, names []string) []string {
	out := make([]string, 0, bits.OnesCount64(set))
	for i, n := range names {
		if set&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Status is a line's outcome.
type Status uint8

const (
	StatusIneligible Status = iota
	StatusEligible
	StatusHeld
)

var statusCodes = [...]string{"ineligible", "eligible", "held"}
var statusZH = [...]string{"不符合条件", "符合条件", "待复核"}

func (s Status) String() string { return statusCodes[s] }

// ZH is the status in plain Chinese.
func (s Status) ZH() string { return statusZH[s] }

// Verdict is a reviewer's decision as it applied to a line.
type Verdict uint8

const (
	VerdictNone Verdict = iota
	VerdictApproved
	VerdictRejected
)

var reviewCodes = [...]string{"", "approved", "rejected"}
var reviewZH = [...]string{"", "复核通过", "复核不通过"}

func (r Verdict) String() string { return reviewCodes[r] }

// ZH is the decision in plain Chinese ("" when none).
func (r Verdict) ZH() string { return reviewZH[r] }
