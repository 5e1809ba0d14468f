package web

// The search page's two long lists, the facet checkboxes and the result rows, are written here rather
// than in templates. html/template calls a function through reflection for every value it prints, and
// these lists were most of the page: rendering them took about a fifth of the CPU of a search page
// request. The markup is the one the templates had (search_fragments_test.go renders the former
// templates beside these functions and compares), and every value goes through htmlText, which escapes
// as html/template does in text and quoted attributes.

import (
	"html/template"
	"strconv"
	"strings"
)

// htmlEscaper escapes like html/template's escaper for text and quoted attribute values.
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// htmlText writes s escaped.
func htmlText(b *strings.Builder, s string) { htmlEscaper.WriteString(b, s) }

// checkboxItems renders the <li> checkboxes of one facet (or of the offer kinds, withCount false): each
// submits param=value and is labelled by its value's label and, with counts, the number of results.
func checkboxItems(param string, values []facetValue, withCount bool) template.HTML {
	var b strings.Builder
	for _, v := range values {
		b.WriteString(`<li><input type="checkbox" class="js-autosubmit" id="`)
		htmlText(&b, v.ID)
		b.WriteString(`" name="`)
		htmlText(&b, param)
		b.WriteString(`" value="`)
		htmlText(&b, v.Value)
		b.WriteString(`"`)
		if v.Checked {
			b.WriteString(` checked`)
		}
		b.WriteString(">\n  <label for=\"")
		htmlText(&b, v.ID)
		b.WriteString(`">`)
		htmlText(&b, v.Label)
		if withCount {
			b.WriteString(` <span class="count">`)
			b.WriteString(strconv.Itoa(v.Count))
			b.WriteString(`</span>`)
		}
		b.WriteString("</label></li>\n")
	}
	return template.HTML(b.String())
}

// resultRowHTML renders one search result: the title (highlighted where it matched) linking to the
// patent, its type, number, main IPC symbol and industry, the highlighted abstract fragment, the
// patentee, and the licence fee (plus the transfer price when the patent is also for sale).
func resultRowHTML(lang string, r *resultRow) template.HTML {
	p, o, d := &r.PatentView.Patent, &r.PatentView.Patentee, r.PatentView.Declaration
	var b strings.Builder
	b.WriteString("<li class=\"result\">\n  <h3 class=\"result-title\"><a href=\"/patents/")
	htmlText(&b, p.ApplicationNo)
	b.WriteString(`">`)
	if t := r.Highlight["title"]; t != "" {
		b.WriteString(string(highlightHTML(t)))
	} else {
		htmlText(&b, p.Title)
	}
	b.WriteString("</a></h3>\n  <p class=\"meta\">\n    <span class=\"badge badge-")
	htmlText(&b, p.Type)
	b.WriteString(`">`)
	htmlText(&b, label(lang, "type.", p.Type))
	b.WriteString("</span>\n    <span class=\"mono\">")
	htmlText(&b, p.ApplicationNo)
	b.WriteString("</span>\n")
	if ipc := splitList(p.IPC); len(ipc) > 0 {
		b.WriteString(`    <span class="mono">`)
		htmlText(&b, ipc[0])
		b.WriteString("</span>\n")
	}
	if p.Industry != "" {
		b.WriteString(`    <span>`)
		htmlText(&b, industryName(lang, p.Industry))
		b.WriteString("</span>\n")
	}
	b.WriteString("  </p>\n")
	if a := r.Highlight["abstract"]; a != "" {
		b.WriteString(`  <p class="snippet">`)
		b.WriteString(string(highlightHTML(a)))
		b.WriteString("</p>\n")
	}
	b.WriteString(`  <p class="holder">`)
	htmlText(&b, o.Name)
	b.WriteString(` <span class="muted">(`)
	htmlText(&b, label(lang, "kind.", o.Kind))
	if o.DistrictCode != "" {
		b.WriteString(" · ")
		htmlText(&b, districtName(lang, o.DistrictCode))
	}
	b.WriteString(")</span></p>\n  <p class=\"fee")
	if d != nil {
		b.WriteString(" fee-")
		htmlText(&b, d.FeeModel)
	}
	b.WriteString(`">`)
	htmlText(&b, feeSummary(lang, d))
	if p.TransferPriceFen != 0 {
		b.WriteString(" · ")
		htmlText(&b, tr(lang, "offer.transfer"))
		b.WriteString(" ")
		htmlText(&b, money(lang, p.TransferPriceFen))
	}
	b.WriteString("</p>\n")
	b.WriteString(string(r.Extra))
	b.WriteString("</li>\n")
	return template.HTML(b.String())
}
