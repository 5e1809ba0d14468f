package web

import (
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"testing"

	"patentwall/market"
)

// The templates the search page's lists had before search_fragments.go wrote them in Go: the reference
// the Go code must keep matching (markup and escaping) until someone changes both on purpose.
const referenceFragments = `
{{define "result_row"}}{{$p := .PatentView.Patent}}{{$o := .PatentView.Patentee}}{{$d := .PatentView.Declaration}}
<li class="result">
  <h3 class="result-title"><a href="/patents/{{$p.ApplicationNo}}">{{with index .Highlight "title"}}{{hl .}}{{else}}{{$p.Title}}{{end}}</a></h3>
  <p class="meta">
    <span class="badge badge-{{$p.Type}}">{{ptype $p.Type}}</span>
    <span class="mono">{{$p.ApplicationNo}}</span>
    {{with split $p.IPC}}<span class="mono">{{index . 0}}</span>{{end}}
    {{if $p.Industry}}<span>{{industry $p.Industry}}</span>{{end}}
  </p>
  {{with index .Highlight "abstract"}}<p class="snippet">{{hl .}}</p>{{end}}
  <p class="holder">{{$o.Name}} <span class="muted">({{kind $o.Kind}}{{if $o.DistrictCode}} · {{district $o.DistrictCode}}{{end}})</span></p>
  <p class="fee{{if $d}} fee-{{$d.FeeModel}}{{end}}">{{feeSummary $d}}{{if $p.TransferPriceFen}} · {{t "offer.transfer"}} {{money $p.TransferPriceFen}}{{end}}</p>
</li>
{{end}}
{{define "facet_items"}}{{$param := .Param}}{{range .Values}}
        <li><input type="checkbox" class="js-autosubmit" id="{{.ID}}" name="{{$param}}" value="{{.Value}}"{{if .Checked}} checked{{end}}>
          <label for="{{.ID}}">{{.Label}} <span class="count">{{.Count}}</span></label></li>
{{end}}{{end}}
{{define "offer_items"}}{{range .}}
        <li><input type="checkbox" class="js-autosubmit" id="{{.ID}}" name="offer" value="{{.Value}}"{{if .Checked}} checked{{end}}>
          <label for="{{.ID}}">{{.Label}}</label></li>
{{end}}{{end}}`

var spaceRun = regexp.MustCompile(`\s+`)

// sameMarkup compares HTML up to whitespace between and inside text (indentation and line breaks).
func sameMarkup(a, b string) bool {
	norm := func(s string) string {
		s = spaceRun.ReplaceAllString(s, " ")
		return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "> <", "><"), "> ", ">"))
	}
	return norm(a) == norm(b)
}

func TestSearchFragmentsMatchTheTemplates(t *testing.T) {
	decl := &market.Declaration{ID: 1, FeeModel: market.FeeEntryPlusRoyalty, EntryFeeFen: 12_345_67, RoyaltyBP: 350,
		RoyaltyBase: "net_sales", TermMonths: 36}
	rows := []resultRow{
		{PatentView: market.PatentView{
			Patent: market.Patent{ApplicationNo: "202010566088.9", Type: market.TypeInvention, Title: "一种锂电池 <script>alert('x')</script> & C++ \"正极\"",
				IPC: "H01M 10/0525;H01M 4/36", Industry: "新能源", TransferPriceFen: 500_000_00},
			Patentee:    market.Organisation{Name: "上海某某大学 & 研究院 <b>", Kind: market.KindUniversity, DistrictCode: "310110"},
			Declaration: decl},
			Highlight: map[string]string{"title": "一种<mark>锂电池</mark> &lt;script&gt;", "abstract": "…本发明公开了<mark>锂电池</mark>…"}},
		{PatentView: market.PatentView{
			Patent:   market.Patent{ApplicationNo: "201920123456.X", Type: market.TypeUtilityModel, Title: "无 IPC 与产业的专利"},
			Patentee: market.Organisation{Name: "外省企业", Kind: market.KindEnterprise}}},
		{PatentView: market.PatentView{
			Patent:      market.Patent{ApplicationNo: "202130000001.2", Type: market.TypeDesign, Title: "外观", IPC: "G06F 16/9535", Industry: "未知产业"},
			Patentee:    market.Organisation{Name: "医院", Kind: market.KindHospital, DistrictCode: "310104"},
			Declaration: &market.Declaration{ID: 2, FeeModel: market.FeeFree, TermMonths: 12}},
			// A fragment with other tags is escaped as text, not trusted.
			Highlight: map[string]string{"title": "<b>not a mark</b>"}},
	}
	values := []facetValue{
		{ID: "f-industry-0", Value: "新能源", Label: "新能源", Count: 12, Checked: true},
		{ID: "f-industry-1", Value: `a"b<c>&'d+e`, Label: `标签 "<x>" & 'y' + z`, Count: 0},
	}
	for _, lang := range []string{LangZH, LangEN} {
		compareFragments(t, lang, rows, "industry", values)
	}
	// The script in the title is text wherever it appears.
	if got := string(resultRowHTML(LangZH, &resultRow{PatentView: rows[0].PatentView})); strings.Contains(got, "<script>") {
		t.Errorf("unescaped title: %s", got)
	}
}

// compareFragments renders rows and facet values with the Go writers and with the reference templates
// in one language and reports every difference.
func compareFragments(t *testing.T, lang string, rows []resultRow, param string, values []facetValue) {
	t.Helper()
	ref := template.Must(template.New("ref").Funcs(baseFuncs(lang)).Parse(referenceFragments))
	render := func(name string, data any) string {
		var b strings.Builder
		if err := ref.ExecuteTemplate(&b, name, data); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for i := range rows {
		want := render("result_row", rows[i])
		got := string(resultRowHTML(lang, &rows[i]))
		if !sameMarkup(got, want) {
			t.Errorf("%s row %d:\n got  %s\n want %s", lang, i, got, want)
		}
	}
	g := facetGroup{Param: param, Values: values}
	if got, want := string(checkboxItems(g.Param, g.Values, true)), render("facet_items", g); !sameMarkup(got, want) {
		t.Errorf("%s facet items:\n got  %s\n want %s", lang, got, want)
	}
	offers := offerOptions(lang, []string{"transfer"})
	if got, want := string(checkboxItems("offer", offers, false)), render("offer_items", offers); !sameMarkup(got, want) {
		t.Errorf("%s offer items:\n got  %s\n want %s", lang, got, want)
	}
	// The offer list again, with generated values in place of the fixed kinds.
	if got, want := string(checkboxItems("offer", values, false)), render("offer_items", values); !sameMarkup(got, want) {
		t.Errorf("%s generated offer items:\n got  %s\n want %s", lang, got, want)
	}
}

// FuzzSearchFragments compares the Go writers with the reference templates on generated rows and
// facet values: markup-hostile text (<>&"'+, NUL), Chinese and other Unicode, invalid UTF-8, empty and
// long strings, in both languages. Known values (types, kinds, districts, fee models) are mixed with
// arbitrary ones; the application number is always canonical (digits, a dot and a check character), as
// the store keeps it, because the templates put it in a URL, where html/template escapes differently.
// The seeds run with every go test; go test -fuzz FuzzSearchFragments ./web explores further.
func FuzzSearchFragments(f *testing.F) {
	seeds := [][4]string{
		{"", "", "", ""},
		{"一种锂电池正极材料", "一种<mark>锂电池</mark>正极材料", "上海某某大学", "新能源"},
		{`<script>alert('x')</script> & C++ "正极"`, "<b>not a mark</b>", `A & B "C" 'D' +E`, "<>&\"'+"},
		{"\x00nul\x00", "&lt;mark&gt;<mark>x</mark>", "\xff\xfe broken", "\u2028\u2029 🙂"},
		{strings.Repeat("很长的标题 ", 200), strings.Repeat("<mark>长</mark>", 100), strings.Repeat("名", 500), strings.Repeat("x", 1000)},
		{"Lithium-ion battery", "<mark>Lithium</mark>-ion", "Fudan University", "high-end equipment"},
		{"  spaced\ttext\n", "\n", " ", "\t"},
	}
	for i, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], int64(i)*1_234_567_89, uint16(i)*4099)
	}
	f.Fuzz(func(t *testing.T, a, b, c, d string, n int64, sel uint16) {
		pick := func(bit uint, known []string, other string) string {
			if sel&(1<<bit) != 0 {
				return other
			}
			return known[int(uint64(n)%uint64(len(known)))]
		}
		abs := n
		if abs < 0 {
			abs = -(abs + 1)
		}
		p := market.Patent{
			ApplicationNo: fmt.Sprintf("%012d.%c", abs%1_000_000_000_000, "0123456789X"[abs%11]),
			Type:          pick(0, []string{market.TypeInvention, market.TypeUtilityModel, market.TypeDesign}, d),
			Title:         a,
			IPC:           pick(1, []string{"", "H01M 10/0525;H01M 4/36", "G06F 16/9535"}, c),
			Industry:      pick(2, []string{"", "新能源", "人工智能"}, d),
		}
		if sel&(1<<3) != 0 {
			p.TransferPriceFen = abs % 10_000_000_00
		}
		o := market.Organisation{Name: c, Kind: pick(4, market.OrgKinds, b), DistrictCode: pick(5, []string{"", "310110", "310104"}, a)}
		var decl *market.Declaration
		if sel&(1<<6) != 0 {
			decl = &market.Declaration{ID: 1, FeeModel: pick(7, market.FeeModels, d), FeeFen: abs % 1_000_000_00,
				EntryFeeFen: abs % 7_000_000, RoyaltyBP: abs % 10_000, RoyaltyBase: pick(13, []string{"net_sales", "profit"}, b), TermMonths: int(abs%120) + 1}
		}
		row := resultRow{PatentView: market.PatentView{Patent: p, Patentee: o, Declaration: decl}}
		if sel&(1<<8) != 0 {
			row.Highlight = map[string]string{"title": b}
			if sel&(1<<9) != 0 {
				row.Highlight["abstract"] = c
			}
		}
		values := []facetValue{
			{ID: d, Value: a, Label: b, Count: int(n % 1_000_000), Checked: sel&(1<<10) != 0},
			{ID: "f-x-1", Value: c, Label: d, Count: 0, Checked: sel&(1<<11) != 0},
		}
		rows := []resultRow{row, {PatentView: market.PatentView{Patent: p, Patentee: o}}}
		for _, lang := range []string{LangZH, LangEN} {
			compareFragments(t, lang, rows, pick(12, []string{"industry", "type"}, c), values)
		}
	})
}
