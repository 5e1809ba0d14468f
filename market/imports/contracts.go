package imports

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"patentwall/market"
)

// Columns of the contracts import (docs/interfaces.md §3.4).
var (
	ContractsRequired = []string{"contract_no", "kind", "patents", "licensor_uscc", "licensee_uscc", "status"}
	ContractsOptional = []string{"signed_on", "effective_on", "fee_yuan", "filing_no", "filed_on", "ended_on"}
)

// ContractSourceImport marks contracts made off the platform and imported.
const ContractSourceImport = "import"

var contractKinds = []string{market.ContractOpenLicence, market.ContractOrdinaryLicence, market.ContractSoleLicence,
	market.ContractExclusiveLicence, market.ContractTransfer}

// contractImportStatuses are the statuses an imported deal can have (it was made already).
var contractImportStatuses = []string{market.ContractEffective, market.ContractTerminated, market.ContractCancelled}

// contractRow is one file row after the checks that need no database.
type contractRow struct {
	row      Row
	no       string
	kind     string
	status   string
	licensor string   // canonical USCC
	licensee string   // canonical USCC
	patents  []string // canonical application numbers, sorted
	signed   market.Date
	eff      market.Date
	filingNo string
	filed    market.Date
	ended    market.Date // the day a terminated or cancelled contract ended (zero: not given)
	feeFen   int64
	errs     []LineError
}

// existingContract is a stored contract with its parties and patents as natural keys.
type existingContract struct {
	market.Contract
	LicensorUSCC string `gorm:"column:licensor_uscc"`
	LicenseeUSCC string `gorm:"column:licensee_uscc"`
	patents      []string
}

// ImportContracts imports deals made off the platform (e.g. transfers registered directly at CNIPA),
// keyed by contract number, all-or-nothing unless opts.SkipInvalid. The parties and patents must exist
// and the licensor (assignor) must be the patentee when the deal took effect: rows are applied in order
// of their effective day, so a file may hold a transfer and the new holder's later licences. An
// effective transfer makes the assignee the patentee (with a search outbox row) and withdraws the
// assignor's live open-licence declaration of the patent. Re-importing a row
// changes nothing; a changed status, filing or date updates the contract, but its kind, parties and
// patents identify the deal and cannot change.
func ImportContracts(ctx context.Context, store *market.Store, t *Table, opts Options) (Report, error) {
	rep := Report{Rows: len(t.Rows())}
	if err := t.Expect(ContractsRequired, ContractsOptional); err != nil {
		return rep.headerFailed(err)
	}
	now := store.Now().UTC().Truncate(time.Microsecond)
	rows := parseContractRows(t, market.DateOf(now))
	opts.progress(0, len(rows))
	im := &contractImport{now: now, rep: &rep, lock: store.IsPostgres()}
	err := store.Tx(ctx, func(tx *gorm.DB) error {
		im.tx = tx
		if err := im.load(rows); err != nil {
			return err
		}
		im.plan(rows)
		failed := false
		for _, r := range rows {
			if len(r.errs) > 0 {
				failed = true
				rep.Errors = append(rep.Errors, r.errs...)
			}
		}
		if failed && !opts.SkipInvalid {
			return ErrInvalidRows
		}
		return im.write(ctx, opts, len(rows))
	})
	rep.finish()
	if err != nil {
		rep.discardCounts()
		if errors.Is(err, ErrInvalidRows) {
			return rep, ErrInvalidRows
		}
		return rep, fmt.Errorf("imports: contracts: %w", err)
	}
	opts.progress(len(rows), len(rows))
	return rep, nil
}

// parseContractRows makes the checks that need no database.
func parseContractRows(t *Table, today market.Date) []*contractRow {
	seen := map[string]int{}
	out := make([]*contractRow, 0, len(t.Rows()))
	for _, row := range t.Rows() {
		r := &contractRow{row: row, no: row.Get("contract_no"), kind: row.Get("kind"), status: row.Get("status"),
			filingNo: row.Get("filing_no")}
		bad := func(column, en, zh string) { r.errs = append(r.errs, lineErr(row.Line, column, en, zh)) }
		checkRecordNo(bad, seen, row.Line, "contract_no", r.no, "contract number", "合同编号")
		checkOneOf(bad, "kind", r.kind, contractKinds)
		checkOneOf(bad, "status", r.status, contractImportStatuses)
		r.licensor = importUSCC(row, "licensor_uscc", &r.errs)
		r.licensee = importUSCC(row, "licensee_uscc", &r.errs)
		if r.licensor != "" && r.licensor == r.licensee {
			bad("licensee_uscc", "the licensee must differ from the licensor", "被许可方（受让方）不能与许可方（转让方）相同")
		}
		r.patents = importPatentList(row, &r.errs)
		date := func(column string) market.Date {
			s := row.Get(column)
			if s == "" {
				return market.Date{}
			}
			d, fe := ParseDate(s)
			if fe != nil {
				r.errs = append(r.errs, row.Error(column, fe))
			}
			return d
		}
		r.signed, r.eff, r.filed, r.ended = date("signed_on"), date("effective_on"), date("filed_on"), date("ended_on")
		switch {
		case r.ended.IsZero():
		case r.status == market.ContractEffective:
			bad("ended_on", "only a terminated or cancelled contract has an end date", "只有已终止或已撤销的合同才有终止日期")
		case !r.eff.IsZero() && r.ended.Before(r.eff):
			bad("ended_on", "is before effective_on", "早于生效日期")
		case r.ended.After(today):
			bad("ended_on", "is in the future: import the end once it has happened", "在未来：请在合同终止后再导入")
		}
		if r.eff.IsZero() && (r.status == market.ContractEffective || r.status == market.ContractTerminated) && row.Get("effective_on") == "" {
			bad("effective_on", "required for an effective or terminated contract", "已生效或已终止的合同须填写生效日期")
		}
		if r.eff.After(today) {
			bad("effective_on", "is in the future: import deals once they have taken effect", "生效日期在未来：请在合同生效后再导入")
		}
		if !r.filed.IsZero() && r.filingNo == "" {
			bad("filing_no", "required when filed_on is set", "填写备案日期时须填写备案号")
		}
		if s := row.Get("fee_yuan"); s != "" {
			fen, fe := ParseYuanToFen(s)
			if fe != nil {
				r.errs = append(r.errs, row.Error("fee_yuan", fe))
			}
			r.feeFen = fen
		}
		out = append(out, r)
	}
	return out
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// checkRecordNo checks a row's record number (a contract or filing number): required, at most 64
// characters without control characters, and not on an earlier line of the file (seen maps numbers to
// their first line).
func checkRecordNo(bad func(column, en, zh string), seen map[string]int, line int, column, no, whatEN, whatZH string) {
	switch {
	case no == "":
		bad(column, "required", "必填")
	case len(no) > 64 || strings.ContainsFunc(no, isControl):
		bad(column, "must be at most 64 characters without control characters", "最多 64 个字符，且不能含控制字符")
	default:
		if first, dup := seen[no]; dup {
			bad(column, fmt.Sprintf("duplicate %s: already on line %d", whatEN, first),
				fmt.Sprintf("%s重复：与第 %d 行相同", whatZH, first))
		} else {
			seen[no] = line
		}
	}
}

// checkOneOf checks that a column holds one of a closed list of values.
func checkOneOf(bad func(column, en, zh string), column, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		list := strings.Join(allowed, "|")
		bad(column, "must be one of "+list, "应为 "+list+" 之一")
	}
}

// importUSCC reads a USCC column: required, well-formed, canonical. A failed check character is not an
// error here: the organisation must exist anyway, and its record carries the warning.
func importUSCC(row Row, column string, errs *[]LineError) string {
	s := row.Get(column)
	if s == "" {
		*errs = append(*errs, lineErr(row.Line, column, "required", "必填"))
		return ""
	}
	canon, _, err := market.ValidateUSCC(s)
	if err != nil {
		for _, fe := range market.AsFieldErrors(err) {
			*errs = append(*errs, row.Error(column, fe))
		}
		return ""
	}
	return canon
}

// importPatentList reads the ";"-separated patents column into sorted canonical application numbers.
func importPatentList(row Row, errs *[]LineError) []string {
	list := ParseList(row.Get("patents"))
	if len(list) == 0 {
		*errs = append(*errs, lineErr(row.Line, "patents", "required: application numbers separated by ;", "必填：申请号，以 ; 分隔"))
		return nil
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		canon, err := market.NormalizeApplicationNo(p)
		if err != nil {
			for _, fe := range market.AsFieldErrors(err) {
				*errs = append(*errs, lineErr(row.Line, "patents", p+": "+fe.MessageEN, p+"："+fe.MessageZH))
			}
			continue
		}
		if slices.Contains(out, canon) {
			*errs = append(*errs, lineErr(row.Line, "patents", canon+" is listed twice", canon+" 重复列出"))
			continue
		}
		out = append(out, canon)
	}
	slices.Sort(out)
	return out
}

type contractImport struct {
	tx       *gorm.DB
	now      time.Time
	rep      *Report
	lock     bool
	orgs     map[string]*market.Organisation // by USCC
	patents  map[string]*market.Patent       // by application number
	existing map[string]*existingContract    // by contract number
	patentee map[int64]int64                 // patent ID → holder as the deals are applied
	creates  []*contractPlan
	updates  []*contractPlan
	moved    map[int64]int64 // patent ID → new patentee (effective transfers)
}

type contractPlan struct {
	r       *contractRow
	c       market.Contract
	patents []int64
	changes map[string]any // for updates
}

// load reads every organisation, patent and existing contract the rows name, 500 keys per query.
func (im *contractImport) load(rows []*contractRow) error {
	var usccs, appNos, nos []string
	for _, r := range rows {
		usccs = append(usccs, r.licensor, r.licensee)
		appNos = append(appNos, r.patents...)
		nos = append(nos, r.no)
	}
	im.orgs = map[string]*market.Organisation{}
	if err := inBatches(uniq(usccs), func(keys []string) error {
		var orgs []market.Organisation
		if err := im.tx.Where("uscc IN ?", keys).Find(&orgs).Error; err != nil {
			return err
		}
		for i := range orgs {
			im.orgs[orgs[i].USCC] = &orgs[i]
		}
		return nil
	}); err != nil {
		return err
	}
	im.patents, im.patentee = map[string]*market.Patent{}, map[int64]int64{}
	if err := inBatches(uniq(appNos), func(keys []string) error {
		var ps []market.Patent
		q := im.tx
		if im.lock { // an import moving a patent and a holder's edit queue on the row
			q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		if err := q.Select("id", "application_no", "patentee_id").Where("application_no IN ?", keys).Order("id").Find(&ps).Error; err != nil {
			return err
		}
		for i := range ps {
			im.patents[ps[i].ApplicationNo] = &ps[i]
			im.patentee[ps[i].ID] = ps[i].PatenteeID
		}
		return nil
	}); err != nil {
		return err
	}
	im.existing = map[string]*existingContract{}
	return inBatches(uniq(nos), func(keys []string) error {
		var cs []*existingContract
		err := im.tx.Table("contracts c").Select("c.*, a.uscc AS licensor_uscc, b.uscc AS licensee_uscc").
			Joins("JOIN organisations a ON a.id = c.licensor_id").Joins("JOIN organisations b ON b.id = c.licensee_id").
			Where("c.contract_no IN ?", keys).Find(&cs).Error
		if err != nil {
			return err
		}
		ids := make([]int64, len(cs))
		byID := map[int64]*existingContract{}
		for i, c := range cs {
			ids[i], byID[c.ID] = c.ID, c
			im.existing[c.ContractNo] = c
		}
		var links []struct {
			ContractID    int64
			ApplicationNo string
		}
		if len(ids) > 0 {
			err = im.tx.Table("contract_patents cp").Select("cp.contract_id, p.application_no").
				Joins("JOIN patents p ON p.id = cp.patent_id").Where("cp.contract_id IN ?", ids).Scan(&links).Error
			if err != nil {
				return err
			}
		}
		for _, l := range links {
			byID[l.ContractID].patents = append(byID[l.ContractID].patents, l.ApplicationNo)
		}
		for _, c := range cs {
			slices.Sort(c.patents)
		}
		return nil
	})
}

func uniq(keys []string) []string {
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if len(keys) > 0 && keys[0] == "" {
		keys = keys[1:]
	}
	return keys
}

func inBatches(keys []string, fn func([]string) error) error {
	for start := 0; start < len(keys); start += batchSize {
		if err := fn(keys[start:min(start+batchSize, len(keys))]); err != nil {
			return err
		}
	}
	return nil
}

// plan checks the rows against the database in effective-day order, applying transfers as it goes.
func (im *contractImport) plan(rows []*contractRow) {
	order := slices.Clone(rows)
	day := func(r *contractRow) string {
		if !r.eff.IsZero() {
			return r.eff.String()
		}
		return r.signed.String()
	}
	slices.SortStableFunc(order, func(a, b *contractRow) int { return strings.Compare(day(a), day(b)) })
	im.moved = map[int64]int64{}
	for _, r := range order {
		if len(r.errs) > 0 {
			continue
		}
		bad := func(column, en, zh string) { r.errs = append(r.errs, lineErr(r.row.Line, column, en, zh)) }
		lic, lee := im.orgs[r.licensor], im.orgs[r.licensee]
		if lic == nil {
			bad("licensor_uscc", "no organisation with this USCC: import it first", "没有该统一社会信用代码的单位：请先导入单位")
		}
		if lee == nil {
			bad("licensee_uscc", "no organisation with this USCC: import it first", "没有该统一社会信用代码的单位：请先导入单位")
		}
		var ids []int64
		for _, no := range r.patents {
			p := im.patents[no]
			if p == nil {
				bad("patents", no+": no such patent: import it first", no+"：没有该专利：请先导入专利")
				continue
			}
			ids = append(ids, p.ID)
		}
		if len(r.errs) > 0 {
			continue
		}
		if ex := im.existing[r.no]; ex != nil {
			im.planUpdate(r, ex, lic, lee, ids)
			continue
		}
		for i, id := range ids {
			if im.patentee[id] != lic.ID {
				bad("licensor_uscc", fmt.Sprintf("is not the patentee of %s", r.patents[i]),
					fmt.Sprintf("不是专利 %s 的专利权人", r.patents[i]))
			}
		}
		if len(r.errs) > 0 {
			continue
		}
		c := market.Contract{ContractNo: r.no, Kind: r.kind, Source: ContractSourceImport, LicensorID: lic.ID,
			LicenseeID: lee.ID, Status: r.status, FeeFen: r.feeFen, SignedOn: r.signed, EffectiveOn: r.eff,
			FilingNo: r.filingNo, FiledOn: r.filed, EndedAt: endedAt(r.ended), CreatedAt: im.now, UpdatedAt: im.now}
		im.creates = append(im.creates, &contractPlan{r: r, c: c, patents: ids})
		if r.kind == market.ContractTransfer && r.status == market.ContractEffective {
			im.transfer(ids, lee.ID)
		}
	}
}

// endedAt is the instant an imported contract ended: the start of its end day in Shanghai, so that the
// day a bonus run reads back is the file's ended_on (nil when not given).
func endedAt(d market.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := d.Start().UTC()
	return &t
}

func (im *contractImport) transfer(patents []int64, to int64) {
	for _, id := range patents {
		im.patentee[id] = to
		im.moved[id] = to
	}
}

// planUpdate compares a row with the stored contract of the same number.
func (im *contractImport) planUpdate(r *contractRow, ex *existingContract, lic, lee *market.Organisation, ids []int64) {
	bad := func(column, en, zh string) { r.errs = append(r.errs, lineErr(r.row.Line, column, en, zh)) }
	if ex.Source != ContractSourceImport {
		bad("contract_no", "belongs to a contract signed on the platform", "该编号属于在平台签订的合同")
		return
	}
	if ex.Kind != r.kind || ex.LicensorUSCC != lic.USCC || ex.LicenseeUSCC != lee.USCC || !slices.Equal(ex.patents, r.patents) {
		bad("contract_no", "a contract with this number exists with another kind, other parties or other patents",
			"已存在该编号的合同，但合同类型、当事人或专利不同")
		return
	}
	changes := map[string]any{}
	if ex.Status != r.status {
		changes["status"] = r.status
		switch r.status {
		case market.ContractEffective:
			changes["ended_at"] = nil
		default:
			if ex.Status == market.ContractEffective && r.ended.IsZero() {
				changes["ended_at"] = im.now // ended now, as far as the platform knows
			}
		}
		if ex.Kind == market.ContractTransfer && ex.Status == market.ContractEffective {
			im.rep.Warnings = append(im.rep.Warnings, lineErr(r.row.Line, "status",
				"the transfer ended: the patentee is not changed back; correct it with a patents import if needed",
				"转让合同已终止或撤销：专利权人不会自动改回，如有需要请通过专利导入更正"))
		}
		if r.kind == market.ContractTransfer && r.status == market.ContractEffective {
			im.transfer(ids, lee.ID)
		}
	}
	if !r.ended.IsZero() && (ex.EndedAt == nil || market.DateOf(*ex.EndedAt).String() != r.ended.String()) {
		changes["ended_at"] = *endedAt(r.ended)
	}
	if ex.FeeFen != r.feeFen {
		changes["fee_fen"] = r.feeFen
	}
	for col, pair := range map[string][2]market.Date{"signed_on": {ex.SignedOn, r.signed}, "effective_on": {ex.EffectiveOn, r.eff},
		"filed_on": {ex.FiledOn, r.filed}} {
		if pair[0] != pair[1] {
			changes[col] = pair[1]
		}
	}
	if ex.FilingNo != r.filingNo {
		changes["filing_no"] = r.filingNo
	}
	if len(changes) == 0 {
		im.rep.Unchanged++
		return
	}
	changes["updated_at"] = im.now
	im.updates = append(im.updates, &contractPlan{r: r, c: ex.Contract, changes: changes})
}

// write stores the plans: new contracts and their patents in batches, updates one by one, each
// created or changed contract with its history event (market.RecordImported), then the patents whose
// patentee changed, each with a search outbox row.
func (im *contractImport) write(ctx context.Context, opts Options, total int) error {
	for start := 0; start < len(im.creates); start += batchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk := im.creates[start:min(start+batchSize, len(im.creates))]
		cs := make([]market.Contract, len(chunk))
		for i, p := range chunk {
			cs[i] = p.c
		}
		if err := im.tx.CreateInBatches(cs, market.InsertBatch(im.tx, 25)).Error; err != nil {
			return err
		}
		var links []market.ContractPatent
		for i, p := range chunk {
			for _, id := range p.patents {
				links = append(links, market.ContractPatent{ContractID: cs[i].ID, PatentID: id})
			}
		}
		if err := im.tx.CreateInBatches(links, market.InsertBatch(im.tx, 2)).Error; err != nil {
			return err
		}
		ids := make([]int64, len(cs))
		for i := range cs {
			ids[i] = cs[i].ID
		}
		if err := market.RecordImported(im.tx, im.now, ids, nil); err != nil {
			return err
		}
		im.rep.Created += len(chunk)
		opts.progress(start+len(chunk), total)
	}
	for _, p := range im.updates {
		if err := im.tx.Model(&market.Contract{}).Where("id = ?", p.c.ID).Updates(p.changes).Error; err != nil {
			return err
		}
		if err := market.RecordImported(im.tx, im.now, nil, []int64{p.c.ID}); err != nil {
			return err
		}
		im.rep.Updated++
	}
	if len(im.moved) == 0 {
		return nil
	}
	holder := map[int64]int64{}
	for _, p := range im.patents {
		holder[p.ID] = p.PatenteeID
	}
	ids := make([]int64, 0, len(im.moved))
	for id, to := range im.moved {
		if holder[id] != to {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		err := im.tx.Model(&market.Patent{}).Where("id = ?", id).
			Updates(map[string]any{"patentee_id": im.moved[id], "updated_at": im.now}).Error
		if err != nil {
			return err
		}
	}
	// The assignor's open-licence declaration cannot bind the assignee: it is withdrawn (licences already
	// granted under it stay valid).
	for start := 0; start < len(ids); start += batchSize {
		var decls []int64
		err := im.tx.Model(&market.Declaration{}).Where("patent_id IN ? AND status = ?", ids[start:min(start+batchSize, len(ids))],
			market.DeclLive).Pluck("id", &decls).Error
		if err != nil {
			return err
		}
		if err := market.EndDeclarations(im.tx, im.now, market.DeclWithdrawn, decls...); err != nil {
			return err
		}
		im.rep.DeclarationsWithdrawn += len(decls)
	}
	for len(ids) > 0 {
		n := min(len(ids), market.InsertBatch(im.tx, 3))
		if err := market.EnqueueIndex(im.tx, im.now, ids[:n]...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
