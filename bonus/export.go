package bonus

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// lineHeaders are the Chinese column headers of a run's lines (CSV and the XLSX 明细 sheets). The
// codes of docs/rules.md §9.11 follow the plain-Chinese columns for scripts.
var lineHeaders = []string{"合同编号", "专利申请号", "受奖单位统一社会信用代码", "受奖单位名称", "被许可方（受让方）统一社会信用代码",
	"被许可方（受让方）名称", "状态", "不符合条件的原因", "风险标记", "复核结果", "奖补金额（元）", "状态代码", "原因代码", "标记代码"}

// labels caches the joined Chinese and code texts of reason and flag sets: a run has few distinct ones.
type labels struct {
	reasonsZH, reasonCodes map[Reasons]string
	flagsZH, flagCodes     map[Flags]string
}

func newLabels() *labels {
	return &labels{reasonsZH: map[Reasons]string{}, reasonCodes: map[Reasons]string{}, flagsZH: map[Flags]string{},
		flagCodes: map[Flags]string{}}
}

func cached[K comparable](m map[K]string, k K, list func() []string, sep string) string {
	if s, ok := m[k]; ok {
		return s
	}
	s := strings.Join(list(), sep)
	m[k] = s
	return s
}

func (lb *labels) reasons(r Reasons) (zh, codes string) {
	return cached(lb.reasonsZH, r, r.ZH, "；"), cached(lb.reasonCodes, r, r.Codes, ";")
}

func (lb *labels) flags(f Flags) (zh, codes string) {
	return cached(lb.flagsZH, f, f.ZH, "；"), cached(lb.flagCodes, f, f.Codes, ";")
}

// lineTexts are the text cells of a line in lineHeaders order, amount excluded (index 10).
func (lb *labels) lineTexts(r *RunResult, l *Line, out []string) []string {
	rzh, rcodes := lb.reasons(l.Reasons)
	fzh, fcodes := lb.flags(l.Flags)
	return append(out[:0], Safe(l.ContractNo), Safe(l.Patent), Safe(l.RecipientUSCC), Safe(r.Names[l.RecipientUSCC]),
		Safe(l.LicenseeUSCC), Safe(r.Names[l.LicenseeUSCC]), l.Status.ZH(), rzh, fzh, l.Review.ZH(), "",
		l.Status.String(), rcodes, fcodes)
}

// WriteCSV writes the run's lines as UTF-8 CSV with a BOM (so spreadsheet programs read the Chinese),
// Chinese headers, amounts in yuan with two decimals and formula-safe cells.
func (r *RunResult) WriteCSV(out io.Writer) error {
	bw := bufio.NewWriterSize(out, 1<<16)
	bw.WriteString("\ufeff")
	w := csv.NewWriter(bw)
	if err := w.Write(lineHeaders); err != nil {
		return err
	}
	lb := newLabels()
	rec := make([]string, 0, len(lineHeaders))
	for i := range r.Lines {
		l := &r.Lines[i]
		rec = lb.lineTexts(r, l, rec)
		rec[10] = Yuan(l.AmountFen)
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteXLSX writes the run as a workbook: 汇总 (the run's figures and one row per recipient), 明细 (every
// line; more sheets 明细2, 明细3 … past a sheet's row limit) and 追回 (clawbacks, when any). Sheets are
// streamed, so a million lines take seconds and little memory.
func (r *RunResult) WriteXLSX(out io.Writer, roundName string) error {
	wb, err := newWorkbook()
	if err != nil {
		return err
	}
	if err := r.summarySheet(wb, roundName); err != nil {
		return err
	}
	if err := r.lineSheets(wb); err != nil {
		return err
	}
	if len(r.Clawbacks) > 0 {
		if err := r.clawbackSheet(wb); err != nil {
			return err
		}
	}
	return wb.write(out)
}

func (r *RunResult) summarySheet(wb *workbook, roundName string) error {
	sw, err := wb.sheet("汇总", 28, 40, 14, 18)
	if err != nil {
		return err
	}
	scaled := "否"
	if r.Scaled {
		scaled = "是（已按比例缩减至总额上限）"
	}
	rows := [][]any{
		{"奖补轮次", Safe(r.Round)},
		{"轮次名称", Safe(roundName)},
		{"认定截止日（as of）", r.AsOf.String()},
		{"输入数据哈希（SHA-256）", r.InputHash},
		{"奖补总额上限（元）", yuanCell(r.CapFen, wb.amount)},
		{"符合条件金额合计（元，未封顶）", yuanCell(r.EligibleFen, wb.amount)},
		{"实际奖补总额（元）", yuanCell(r.TotalFen, wb.amount)},
		{"是否按比例缩减", scaled},
		{"受奖单位数", len(r.Recipients)},
		{"条目数", len(r.Lines)},
	}
	row := 1
	for _, cells := range rows {
		if err := sw.SetRow(cellName(row), cells); err != nil {
			return err
		}
		row++
	}
	row++
	if err := wb.headerRow(sw, row, "受奖单位统一社会信用代码", "受奖单位名称", "计奖条目数", "奖补金额（元）"); err != nil {
		return err
	}
	for _, rc := range r.Recipients {
		row++
		if err := sw.SetRow(cellName(row), []any{Safe(rc.USCC), Safe(rc.Name), rc.Lines, yuanCell(rc.AmountFen, wb.amount)}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// lineCells builds the XLSX cells of lines. SetRow takes []any, and boxing a value allocates: for a
// million rows of fourteen cells that was much of the export's time (mostly in the garbage collector).
// So every repeated value (organisations, statuses, reason and flag texts) is boxed once, and reason
// and flag sets are looked up by their bits.
type lineCells struct {
	r       *RunResult
	orgs    map[string]*[2]any // USCC → boxed USCC and name
	reasons [1 << numReasons]*[2]any
	flags   [1 << numFlags]*[2]any
	status  [3][2]any
	review  [3]any
}

func newLineCells(r *RunResult) *lineCells {
	lc := &lineCells{r: r, orgs: map[string]*[2]any{}}
	for s := StatusIneligible; s <= StatusHeld; s++ {
		lc.status[s] = [2]any{s.ZH(), s.String()}
	}
	for v := VerdictNone; v <= VerdictRejected; v++ {
		lc.review[v] = nonEmpty(v.ZH())
	}
	return lc
}

func nonEmpty(s string) any {
	if s == "" {
		return nil // excelize skips nil cells: empty cells cost nothing
	}
	return s
}

func (lc *lineCells) org(uscc string) *[2]any {
	if v, ok := lc.orgs[uscc]; ok {
		return v
	}
	v := &[2]any{nonEmpty(Safe(uscc)), nonEmpty(Safe(lc.r.Names[uscc]))}
	lc.orgs[uscc] = v
	return v
}

func (lc *lineCells) fill(cells []any, l *Line) {
	rs := lc.reasons[l.Reasons&(1<<numReasons-1)]
	if rs == nil {
		zh, codes := l.Reasons.ZH(), l.Reasons.Codes()
		rs = &[2]any{nonEmpty(strings.Join(zh, "；")), nonEmpty(strings.Join(codes, ";"))}
		lc.reasons[l.Reasons&(1<<numReasons-1)] = rs
	}
	fs := lc.flags[l.Flags&(1<<numFlags-1)]
	if fs == nil {
		fs = &[2]any{nonEmpty(strings.Join(l.Flags.ZH(), "；")), nonEmpty(strings.Join(l.Flags.Codes(), ";"))}
		lc.flags[l.Flags&(1<<numFlags-1)] = fs
	}
	rec, lee := lc.org(l.RecipientUSCC), lc.org(l.LicenseeUSCC)
	st := &lc.status[l.Status]
	cells[0], cells[1] = nonEmpty(Safe(l.ContractNo)), nonEmpty(Safe(l.Patent))
	cells[2], cells[3], cells[4], cells[5] = rec[0], rec[1], lee[0], lee[1]
	cells[6], cells[7], cells[8], cells[9] = st[0], rs[0], fs[0], lc.review[l.Review]
	cells[10] = float64(l.AmountFen) / 100 // exact, see yuanCell; the column is styled 0.00
	cells[11], cells[12], cells[13] = st[1], rs[1], fs[1]
}

func (r *RunResult) lineSheets(wb *workbook) error {
	lc := newLineCells(r)
	cells := make([]any, len(lineHeaders))
	perSheet := maxSheetRows - 1
	for start, part := 0, 1; start < len(r.Lines) || part == 1; start, part = start+perSheet, part+1 {
		name := "明细"
		if part > 1 {
			name += strconv.Itoa(part)
		}
		sw, err := wb.sheet(name, 24, 16, 22, 30, 22, 30, 10, 40, 40, 10, 14, 10, 30, 30)
		if err != nil {
			return err
		}
		if err := sw.SetColStyle(11, 11, wb.amount); err != nil {
			return err
		}
		if err := wb.headerRow(sw, 1, lineHeaders...); err != nil {
			return err
		}
		end := min(start+perSheet, len(r.Lines))
		for i := start; i < end; i++ {
			lc.fill(cells, &r.Lines[i])
			if err := sw.SetRow(cellName(i-start+2), cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func (r *RunResult) clawbackSheet(wb *workbook) error {
	sw, err := wb.sheet("追回", 10, 24, 16, 22, 30, 14, 14, 14, 14)
	if err != nil {
		return err
	}
	if err := wb.headerRow(sw, 1, "已支付的计算批次", "合同编号", "专利申请号", "受奖单位统一社会信用代码", "受奖单位名称", "应追回金额（元）", "原因", "已追回（元）", "尚欠（元）"); err != nil {
		return err
	}
	for i, c := range r.Clawbacks {
		err := sw.SetRow(cellName(i+2), []any{c.Run, Safe(c.ContractNo), Safe(c.Patent), Safe(c.RecipientUSCC),
			Safe(r.Names[c.RecipientUSCC]), yuanCell(c.AmountFen, wb.amount), c.Reason.ZH(), yuanCell(c.RecoveredFen, wb.amount),
			yuanCell(c.OwedFen(), wb.amount)})
		if err != nil {
			return err
		}
	}
	return sw.Flush()
}
