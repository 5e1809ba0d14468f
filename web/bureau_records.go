package web

// The bureau's transaction records (交易记录): every deal, signed on the platform or imported, filtered
// by period, district, industry, contract kind and fee model; a page of them on screen, all of them as
// CSV, XLSX or JSON (the page's export links and GET /api/v1/bureau/contracts).

import (
	"io"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

const recordsPerPage = 50

var recordFields = []string{"from", "to", "district", "industry", "kind", "fee_model"}

// contractKinds lists the contract kinds in display order.
var contractKinds = []string{market.ContractOpenLicence, market.ContractOrdinaryLicence, market.ContractSoleLicence,
	market.ContractExclusiveLicence, market.ContractTransfer}

// checkedForm is a form that also keeps its field errors, for answers other than the form itself (the
// API's JSON error, in the client's language).
type checkedForm struct {
	*form
	errs market.Errors
}

func (f *checkedForm) add(fe *market.FieldError) {
	f.errs = append(f.errs, fe)
	f.Add(fe)
}

// date reads an optional YYYY-MM-DD field into d, recording a message when it is not one.
func (f *checkedForm) date(name string, d *market.Date) {
	v := f.Get(name)
	if v == "" {
		return
	}
	p, fe := market.ParseDateField(name, v)
	if fe != nil {
		f.add(fe)
		return
	}
	*d = p
}

// badRequest is the form's first error as a 400 (nil when the form is valid).
func (f *checkedForm) badRequest() error {
	if len(f.errs) == 0 {
		return nil
	}
	return f.errs[0].AsParam()
}

// recordFilter reads the records filter from the query string; the form keeps the values as typed and
// a message per field that is wrong.
func recordFilter(c *fiber.Ctx) (bonus.Filter, *checkedForm) {
	f := &checkedForm{form: newForm(Lang(c), recordFields...)}
	for _, n := range recordFields {
		f.Values[n] = bQuery(c, n)
	}
	var flt bonus.Filter
	f.date("from", &flt.From)
	f.date("to", &flt.To)
	if !flt.From.IsZero() && !flt.To.IsZero() && flt.To.Before(flt.From) {
		f.add(market.NewFieldError("to", "inverted_window", "结束日期早于开始日期", "the period ends before it starts"))
	}
	if v := f.Get("district"); v != "" {
		if d, ok := market.LookupDistrict(v); ok {
			flt.District = d.Code
		} else {
			f.add(market.NewFieldError("district", "unknown", "未知的上海市辖区", "unknown Shanghai district"))
		}
	}
	flt.Industry = f.Get("industry")
	if len([]rune(flt.Industry)) > 100 {
		f.add(market.NewFieldError("industry", "too_long", "行业名称过长", "the industry name is too long"))
	}
	if flt.Kind = f.Get("kind"); flt.Kind != "" && !slices.Contains(contractKinds, flt.Kind) {
		f.add(market.NewFieldError("kind", "invalid", "未知的合同类型", "unknown contract kind"))
	}
	if flt.FeeModel = f.Get("fee_model"); flt.FeeModel != "" && !slices.Contains(market.FeeModels, flt.FeeModel) {
		f.add(market.NewFieldError("fee_model", "invalid", "未知的付费方式", "unknown fee model"))
	}
	return flt, f
}

// formQuery is a form's non-empty values as a query string for links (pages, exports).
func formQuery(f *form, fields []string) string {
	v := url.Values{}
	for _, n := range fields {
		if s := f.Get(n); s != "" {
			v.Set(n, s)
		}
	}
	return v.Encode()
}

// joinQuery appends extra to a query string q, for a link: "?q&extra".
func joinQuery(q, extra string) string {
	switch {
	case q == "" && extra == "":
		return ""
	case q == "":
		return "?" + extra
	case extra == "":
		return "?" + q
	}
	return "?" + q + "&" + extra
}

// recordsPage is GET /bureau/contracts.
func (b *bureau) recordsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	flt, f := recordFilter(c)
	data := b.pageData(c, "/bureau/contracts")
	data["Form"] = f.form
	data["Query"] = formQuery(f.form, recordFields)
	data["Kinds"] = contractKinds
	data["FeeModels"] = market.FeeModels
	data["Districts"] = market.Districts()
	inds, err := b.inds.get("industries", func() (any, error) { return b.a.Store.DealIndustries(ctx) })
	if err != nil {
		return err
	}
	data["Industries"] = inds
	if !f.Valid() {
		return b.a.Render(c, fiber.StatusBadRequest, "bureau/records", data)
	}
	page := bPage(c)
	recs, total, err := bonus.ContractRecordsPage(ctx, b.a.Store, flt, (page-1)*recordsPerPage, recordsPerPage)
	if err != nil {
		return err
	}
	data["Records"] = recs
	data["Total"] = total
	q := data["Query"].(string)
	data["Pager"] = makePager(page, recordsPerPage, total, func(n int) string {
		return "/bureau/contracts" + joinQuery(q, "page="+strconv.Itoa(n))
	})
	return b.a.Render(c, fiber.StatusOK, "bureau/records", data)
}

// recordsExport is GET /bureau/contracts/export?format=…: every record the filter selects.
func (b *bureau) recordsExport(c *fiber.Ctx) error {
	return b.sendRecords(c, formatCSV)
}

// apiRecords is GET /api/v1/bureau/contracts?from=&to=&format=json|csv|xlsx (and the page's filters).
func (b *bureau) apiRecords(c *fiber.Ctx) error {
	return b.sendRecords(c, formatJSON)
}

func (b *bureau) sendRecords(c *fiber.Ctx, def string) error {
	format, err := parseFormat(c, def)
	if err != nil {
		return err
	}
	flt, f := recordFilter(c)
	if err := f.badRequest(); err != nil {
		return err
	}
	recs, err := bonus.ContractRecords(c.UserContext(), b.a.Store, flt)
	if err != nil {
		return err
	}
	from, to := "start", b.today().String()
	if !flt.From.IsZero() {
		from = flt.From.String()
	}
	if !flt.To.IsZero() {
		to = flt.To.String()
	}
	name := "contracts_" + from + "_" + to + "." + format
	return b.sendFile(c, format, name, format != formatJSON || isAttachmentWanted(c), func(w io.Writer) error {
		switch format {
		case formatCSV:
			return bonus.WriteRecordsCSV(w, recs)
		case formatXLSX:
			return bonus.WriteRecordsXLSX(w, recs)
		}
		return bonus.WriteRecordsJSON(w, flt, recs)
	})
}

// isAttachmentWanted: pages' JSON links ask for a file (?download=1); the API answers JSON inline.
func isAttachmentWanted(c *fiber.Ctx) bool { return c.Query("download") == "1" }
