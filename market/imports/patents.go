package imports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"patentwall/market"
)

// Columns of the patents import (docs/interfaces.md §3.3). royalty_base (net_sales | profit, default
// net_sales) is there because a royalty on profit cannot be expressed otherwise.
var (
	PatentsRequired = []string{"application_no", "title", "patentee_uscc", "filing_date", "status"}
	PatentsOptional = []string{"abstract", "type", "ipc", "grant_date", "industry", "fee_model", "fee_yuan",
		"royalty_percent", "entry_fee_yuan", "term_months", "evaluation_report_no", "royalty_base"}
)

// declarationColumns must be empty on a row without fee_model.
var declarationColumns = []string{"fee_yuan", "royalty_percent", "royalty_base", "entry_fee_yuan", "term_months", "evaluation_report_no"}

// batchSize is the rows handled per round trip: one query preloads a batch's existing patents, one
// insert writes its new ones. 500 keeps every statement under SQLite's and Postgres' parameter limits.
const batchSize = 500

// patentRow is one file row after the checks that need no database.
type patentRow struct {
	row      Row
	in       market.PatentInput
	decl     *market.DeclarationInput // nil: the row publishes no declaration
	canon    string                   // canonical application number, "" when it does not parse
	uscc     string                   // canonical patentee USCC, "" when missing or malformed
	usccBad  bool
	errs     []LineError
	existing *market.Patent
}

// patentPlan is what one valid row will write.
type patentPlan struct {
	p        *market.Patent // ID set when the patent exists
	isNew    bool
	changed  bool
	decl     *market.Declaration // to publish
	endLive  int64               // live declaration to end
	endAs    string              // replaced | withdrawn
	declSame bool
	live     *market.Declaration // the live declaration before the import, nil when none
}

// ImportPatents imports patents keyed by application number, and publishes (or replaces) the declaration
// of every row with a fee_model under docs/rules.md §5. One transaction: without opts.SkipInvalid a single bad
// row leaves the database untouched. Unchanged patents and identical live declarations are not rewritten,
// so importing the same file twice changes nothing. Every patent written gets a search outbox row.
// With opts.Owner, rows of other organisations' patents are line errors (own_patents.go).
func ImportPatents(ctx context.Context, store *market.Store, t *Table, opts Options) (Report, error) {
	if opts.Owner != nil {
		return importOwnPatents(ctx, store, t, opts)
	}
	rep := Report{Rows: len(t.Rows())}
	if err := t.Expect(PatentsRequired, PatentsOptional); err != nil {
		return rep.headerFailed(err)
	}
	rows := preparePatentRows(t)
	now := store.Now().UTC().Truncate(time.Microsecond)
	im := &patentImport{now: now, today: market.DateOf(now), rep: &rep, opts: opts, lock: store.IsPostgres()}
	opts.progress(0, len(rows))
	err := store.Tx(ctx, func(tx *gorm.DB) error {
		im.tx = tx
		if err := im.loadPatentees(rows); err != nil {
			return err
		}
		failed := false
		for start := 0; start < len(rows); start += batchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			chunk := rows[start:min(start+batchSize, len(rows))]
			plans, err := im.check(chunk)
			if err != nil {
				return err
			}
			for _, r := range chunk {
				if len(r.errs) > 0 {
					failed = true
					rep.Errors = append(rep.Errors, r.errs...)
				}
			}
			// After the first bad row nothing more is written unless bad rows are skipped; the rest is
			// still checked so that every bad row is reported, then the transaction rolls back.
			if !failed || opts.SkipInvalid {
				if err := im.write(plans); err != nil {
					return err
				}
			}
			opts.progress(start+len(chunk), len(rows))
		}
		if failed && !opts.SkipInvalid {
			return ErrInvalidRows
		}
		return nil
	})
	rep.finish()
	if err != nil {
		rep.discardCounts()
		if errors.Is(err, ErrInvalidRows) {
			return rep, ErrInvalidRows
		}
		if fes := market.AsFieldErrors(err); fes != nil {
			return rep, err
		}
		return rep, fmt.Errorf("imports: patents: %w", err)
	}
	return rep, nil
}

// preparePatentRows reads every row and makes the checks that need no database: duplicates within the
// file, the patentee's USCC format, declaration columns without a fee model.
func preparePatentRows(t *Table) []*patentRow {
	seen := map[string]int{}
	rows := make([]*patentRow, 0, len(t.Rows()))
	for _, row := range t.Rows() {
		r := &patentRow{row: row, in: market.PatentInput{
			ApplicationNo: row.Get("application_no"), Title: row.Get("title"), Abstract: row.Get("abstract"),
			Type: row.Get("type"), IPC: row.Get("ipc"), PatenteeUSCC: row.Get("patentee_uscc"),
			FilingDate: row.Get("filing_date"), GrantDate: row.Get("grant_date"), Status: row.Get("status"),
			Industry: row.Get("industry"),
		}}
		if canon, err := market.NormalizeApplicationNo(r.in.ApplicationNo); err == nil {
			r.canon = canon
			if first, dup := seen[canon]; dup {
				r.errs = append(r.errs, lineErr(row.Line, "application_no",
					fmt.Sprintf("duplicate application number %s: already on line %d", canon, first),
					fmt.Sprintf("申请号 %s 重复：与第 %d 行相同", canon, first)))
			} else {
				seen[canon] = row.Line
			}
		}
		if u := r.in.PatenteeUSCC; u != "" {
			if canon, _, err := market.ValidateUSCC(u); err != nil {
				r.usccBad = true
				for _, fe := range market.AsFieldErrors(err) {
					r.errs = append(r.errs, row.Error("patentee_uscc", fe))
				}
			} else {
				r.uscc = canon
			}
		}
		if fee := row.Get("fee_model"); fee != "" {
			r.decl = &market.DeclarationInput{
				FeeModel: fee, FeeYuan: market.Numeric(row.Get("fee_yuan")),
				RoyaltyPercent: market.Numeric(row.Get("royalty_percent")), RoyaltyBase: row.Get("royalty_base"),
				EntryFeeYuan: market.Numeric(row.Get("entry_fee_yuan")), TermMonths: market.Numeric(row.Get("term_months")),
				EvaluationReportNo: row.Get("evaluation_report_no"),
			}
		} else {
			for _, c := range declarationColumns {
				if row.Get(c) != "" {
					r.errs = append(r.errs, lineErr(row.Line, c,
						"must be empty: without a fee_model the row publishes no declaration",
						"须为空：未填写 fee_model（付费方式）时该行不发布开放许可声明"))
				}
			}
		}
		rows = append(rows, r)
	}
	return rows
}

type patentImport struct {
	tx        *gorm.DB
	now       time.Time
	today     market.Date
	rep       *Report
	opts      Options
	lock      bool
	patentees map[string]*market.Organisation // by USCC
	byID      map[int64]*market.Organisation  // the same, by ID (for the index rows: write)
}

// loadPatentees reads every patentee named in the file, 500 USCCs per query.
func (im *patentImport) loadPatentees(rows []*patentRow) error {
	set := map[string]bool{}
	var usccs []string
	for _, r := range rows {
		if r.uscc != "" && !set[r.uscc] {
			set[r.uscc] = true
			usccs = append(usccs, r.uscc)
		}
	}
	im.patentees = make(map[string]*market.Organisation, len(usccs))
	im.byID = make(map[int64]*market.Organisation, len(usccs))
	for start := 0; start < len(usccs); start += batchSize {
		var orgs []market.Organisation
		if err := im.tx.Where("uscc IN ?", usccs[start:min(start+batchSize, len(usccs))]).Find(&orgs).Error; err != nil {
			return err
		}
		for i := range orgs {
			im.patentees[orgs[i].USCC], im.byID[orgs[i].ID] = &orgs[i], &orgs[i]
		}
	}
	return nil
}

// check validates a chunk against the database state and plans its writes. Row problems go to r.errs.
func (im *patentImport) check(chunk []*patentRow) ([]*patentPlan, error) {
	canons := make([]string, 0, len(chunk))
	for _, r := range chunk {
		if r.canon != "" {
			canons = append(canons, r.canon)
		}
	}
	var existing []market.Patent
	q := im.tx
	if im.lock {
		// The same lock PublishDeclaration takes, so an import and a holder's edit queue on the row.
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	if err := q.Where("application_no IN ?", canons).Order("id").Find(&existing).Error; err != nil {
		return nil, err
	}
	byNo := make(map[string]*market.Patent, len(existing))
	ids := make([]int64, 0, len(existing))
	for i := range existing {
		byNo[existing[i].ApplicationNo] = &existing[i]
		ids = append(ids, existing[i].ID)
	}
	live := map[int64]*market.Declaration{}
	if len(ids) > 0 {
		var ds []market.Declaration
		if err := im.tx.Where("patent_id IN ? AND status = ?", ids, market.DeclLive).Find(&ds).Error; err != nil {
			return nil, err
		}
		for i := range ds {
			live[ds[i].PatentID] = &ds[i]
		}
	}
	excl, err := market.ExclusiveLicences(im.tx, ids)
	if err != nil {
		return nil, err
	}

	plans := make([]*patentPlan, 0, len(chunk))
	for _, r := range chunk {
		p, errs := market.CheckPatent(r.in, im.patentees[r.uscc], im.today)
		for _, fe := range errs {
			if r.usccBad && fe.Field == "patentee_uscc" {
				continue // the malformed USCC is already reported
			}
			r.errs = append(r.errs, r.row.Error("", fe))
		}
		if p == nil {
			continue // the declaration cannot be judged without a valid patent
		}
		plan := &patentPlan{p: p, isNew: true, changed: true}
		var cur *market.Declaration
		if ex := byNo[p.ApplicationNo]; ex != nil {
			plan.isNew, plan.changed = false, !market.SamePatentData(ex, p)
			p.ID, p.CreatedAt = ex.ID, ex.CreatedAt
			p.FeesUnpaid, p.UnderDispute, p.PledgedNoConsent = ex.FeesUnpaid, ex.UnderDispute, ex.PledgedNoConsent
			p.TransferPriceFen, p.Featured = ex.TransferPriceFen, ex.Featured
			cur = live[ex.ID]
			plan.live = cur
		}
		switch {
		case r.decl != nil:
			facts := market.DeclarationFacts{Today: im.today, ExclusiveLicence: excl[p.ID]}
			if cur != nil && im.sameLiveDeclaration(p, cur, *r.decl, facts) {
				plan.declSame = true
				break
			}
			d, derrs := market.CheckDeclaration(p, *r.decl, facts)
			for _, fe := range derrs {
				r.errs = append(r.errs, r.row.Error("", fe))
			}
			if d == nil || len(r.errs) > 0 {
				continue
			}
			for _, w := range market.DeclarationWarnings(d) {
				im.rep.Warnings = append(im.rep.Warnings, r.row.Error("", w))
			}
			plan.decl = d
			if cur != nil {
				plan.endLive, plan.endAs = cur.ID, market.DeclReplaced
			}
		case cur != nil && plan.changed && !market.DeclarationStillValid(p, cur, im.today):
			// The patent lapsed, was invalidated or now expires before the promised term ends.
			plan.endLive, plan.endAs = cur.ID, market.DeclWithdrawn
		}
		if len(r.errs) > 0 {
			continue
		}
		plans = append(plans, plan)
	}
	return plans, nil
}

// sameLiveDeclaration reports whether the row restates the live declaration: the same terms, judged as
// of the day it was published (its term started then), and still allowed today.
func (im *patentImport) sameLiveDeclaration(p *market.Patent, cur *market.Declaration, in market.DeclarationInput, f market.DeclarationFacts) bool {
	f.Today = market.DateOf(cur.PublishedAt)
	d, errs := market.CheckDeclaration(p, in, f)
	return len(errs) == 0 && market.SameTerms(d, cur) && market.DeclarationStillValid(p, cur, im.today)
}

// write stores a chunk's plans: new patents in one batch, changed ones one by one, declarations ended
// and published in batches, and one outbox row per patent touched.
func (im *patentImport) write(plans []*patentPlan) error {
	var news []market.Patent
	for _, pl := range plans {
		if pl.isNew {
			pl.p.CreatedAt, pl.p.UpdatedAt = im.now, im.now
			news = append(news, *pl.p)
		}
	}
	if len(news) > 0 {
		if err := im.tx.CreateInBatches(news, market.InsertBatch(im.tx, 18)).Error; err != nil {
			return err
		}
	}
	var (
		touched            []int64
		written            []market.Patent
		replaced, withdraw []int64
		decls              []market.Declaration
		n                  int
		// What the index rows need of the patents written is known (market.IndexRowsKnown): the
		// patentees, and each patent's live declaration as check found it or as this chunk ends or
		// publishes it.
		facts market.IndexRowFacts
	)
	if im.opts.Written != nil {
		facts = market.IndexRowFacts{Patentees: im.byID, Declarations: map[int64]*market.Declaration{}}
	}
	for _, pl := range plans {
		switch {
		case pl.isNew:
			pl.p.ID = news[n].ID
			n++
			im.rep.Created++
		case pl.changed:
			pl.p.UpdatedAt = im.now
			if err := im.tx.Model(&market.Patent{}).Where("id = ?", pl.p.ID).Updates(market.PatentUpdates(pl.p)).Error; err != nil {
				return err
			}
			im.rep.Updated++
		default:
			im.rep.Unchanged++
		}
		switch pl.endAs {
		case market.DeclReplaced:
			replaced = append(replaced, pl.endLive)
			im.rep.DeclarationsReplaced++
		case market.DeclWithdrawn:
			withdraw = append(withdraw, pl.endLive)
			im.rep.DeclarationsWithdrawn++
		}
		if pl.decl != nil {
			pl.decl.PatentID, pl.decl.PublishedAt = pl.p.ID, im.now
			decls = append(decls, *pl.decl)
			im.rep.DeclarationsPublished++
		}
		if pl.declSame {
			im.rep.DeclarationsUnchanged++
		}
		if pl.isNew || pl.changed || pl.decl != nil || pl.endLive != 0 {
			touched = append(touched, pl.p.ID)
			if im.opts.Written != nil {
				written = append(written, *pl.p)
				switch {
				case pl.decl != nil: // once published, below
				case pl.endLive != 0:
					facts.Declarations[pl.p.ID] = nil // withdrawn
				default:
					facts.Declarations[pl.p.ID] = pl.live // untouched (nil: none)
				}
			}
		}
	}
	if err := market.EndDeclarations(im.tx, im.now, market.DeclReplaced, replaced...); err != nil {
		return err
	}
	if err := market.EndDeclarations(im.tx, im.now, market.DeclWithdrawn, withdraw...); err != nil {
		return err
	}
	if err := market.CreateDeclaration(im.tx, decls); err != nil {
		return err
	}
	if facts.Declarations != nil {
		for i := range decls {
			facts.Declarations[decls[i].PatentID] = &decls[i]
		}
	}
	// EnqueueIndex is handed one statement's worth of rows at a time (InsertBatch).
	for len(touched) > 0 {
		n := min(len(touched), market.InsertBatch(im.tx, 3))
		if err := market.EnqueueIndex(im.tx, im.now, touched[:n]...); err != nil {
			return err
		}
		touched = touched[n:]
	}
	if im.opts.Written != nil && len(written) > 0 {
		rows, err := market.IndexRowsKnown(im.tx, written, facts)
		if err != nil {
			return err
		}
		return im.opts.Written(rows)
	}
	return nil
}
