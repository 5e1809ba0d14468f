package imports

import (
	"context"
	"fmt"

	"patentwall/market"
)

// Columns of the orgs import (docs/interfaces.md §3.2).
var (
	OrgsRequired = []string{"uscc", "name", "kind"}
	OrgsOptional = []string{"district", "address", "legal_rep", "phone", "email", "founded_on", "is_sme",
		"operating_normally", "good_credit", "facts_from"}
)

// orgBools are the boolean columns with their default for an empty cell.
var orgBools = []struct {
	column string
	def    bool
	set    func(o *market.Organisation, v bool)
}{
	{"is_sme", false, func(o *market.Organisation, v bool) { o.IsSME = v }},
	{"operating_normally", true, func(o *market.Organisation, v bool) { o.OperatingNormally = v }},
	{"good_credit", true, func(o *market.Organisation, v bool) { o.GoodCredit = v }},
}

// ImportOrgs imports organisations keyed by USCC. Imported organisations count as verified and their
// is_sme, operating_normally and good_credit as confirmed by staff (facts source "import"). Columns
// absent from the file keep their stored values; a USCC failing its check characters is a warning.
func ImportOrgs(ctx context.Context, store *market.Store, t *Table, opts Options) (Report, error) {
	rep := Report{Rows: len(t.Rows())}
	if err := t.Expect(OrgsRequired, OrgsOptional); err != nil {
		return rep.headerFailed(err)
	}
	now := store.Now().UTC()
	today := market.DateOf(now)
	seen := map[string]int{}
	good := make([]market.Organisation, 0, len(t.Rows()))
	opts.progress(0, rep.Rows)
	for _, row := range t.Rows() {
		o, errs := market.CheckOrg(market.OrgRecord{
			USCC: row.Get("uscc"), Name: row.Get("name"), Kind: row.Get("kind"), District: row.Get("district"),
			Address: row.Get("address"), LegalRep: row.Get("legal_rep"), Phone: row.Get("phone"),
			Email: row.Get("email"), FoundedOn: row.Get("founded_on"),
		}, today, false)
		var bad []LineError
		for _, fe := range errs {
			bad = append(bad, row.Error("", fe))
		}
		for _, b := range orgBools {
			v := b.def
			if s := row.Get(b.column); s != "" {
				var fe *market.FieldError
				if v, fe = ParseBool(s); fe != nil {
					bad = append(bad, row.Error(b.column, fe))
				}
			}
			b.set(o, v)
		}
		if o.USCC != "" {
			if first, dup := seen[o.USCC]; dup {
				bad = append(bad, lineErr(row.Line, "uscc", fmt.Sprintf("duplicate USCC: already on line %d", first),
					fmt.Sprintf("统一社会信用代码重复：与第 %d 行相同", first)))
			} else {
				seen[o.USCC] = row.Line
			}
		}
		if o.USCCWarning != "" {
			zh, en := splitWarning(o.USCCWarning)
			rep.Warnings = append(rep.Warnings, lineErr(row.Line, "uscc", en, zh))
		}
		if len(bad) > 0 {
			rep.Errors = append(rep.Errors, bad...)
			continue
		}
		o.VerifiedAt = &now
		o.SMEConfirmed = t.Has("is_sme")
		if t.Has("is_sme") || t.Has("operating_normally") || t.Has("good_credit") {
			o.FactsSource, o.FactsAsOf = "import", today
		}
		if s := row.Get("facts_from"); s != "" { // the day a change of the facts took effect (docs/rules.md §3)
			from, fe := ParseDate(s)
			switch {
			case fe != nil:
				bad = append(bad, row.Error("facts_from", fe))
			case from.After(today):
				bad = append(bad, lineErr(row.Line, "facts_from", "is in the future: import a change once it has taken effect",
					"在未来：请在变更生效后再导入"))
			default:
				o.FactsAsOf, o.FactsFrom = from, from
			}
		}
		if len(bad) > 0 {
			rep.Errors = append(rep.Errors, bad...)
			continue
		}
		good = append(good, *o)
	}
	rep.finish()
	if len(rep.Errors) > 0 && !opts.SkipInvalid {
		return rep, ErrInvalidRows
	}
	c, err := store.UpsertOrgs(ctx, good, orgColumnsOf(t)...)
	if err != nil {
		return rep, fmt.Errorf("imports: organisations: %w", err)
	}
	rep.Created, rep.Updated, rep.Unchanged = c.Created, c.Updated, c.Unchanged
	opts.progress(rep.Rows, rep.Rows)
	return rep, nil
}

// orgColumnsOf maps the file's columns onto the organisation columns they set.
func orgColumnsOf(t *Table) []string {
	cols := []string{"name", "kind"}
	for _, c := range OrgsOptional {
		if !t.Has(c) {
			continue
		}
		switch c {
		case "district":
			cols = append(cols, "district_code")
		case "is_sme":
			cols = append(cols, "is_sme", "sme_confirmed")
		case "facts_from": // dates the facts' change, sets no column of its own
		default:
			cols = append(cols, c)
		}
	}
	return cols
}
