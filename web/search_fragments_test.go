package web

import (
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
		g := facetGroup{Param: "industry", Values: values}
		if got, want := string(checkboxItems(g.Param, g.Values, true)), render("facet_items", g); !sameMarkup(got, want) {
			t.Errorf("%s facet items:\n got  %s\n want %s", lang, got, want)
		}
		offers := offerOptions(lang, []string{"transfer"})
		if got, want := string(checkboxItems("offer", offers, false)), render("offer_items", offers); !sameMarkup(got, want) {
			t.Errorf("%s offer items:\n got  %s\n want %s", lang, got, want)
		}
	}
	// The script in the title is text wherever it appears.
	if got := string(resultRowHTML(LangZH, &resultRow{PatentView: rows[0].PatentView})); strings.Contains(got, "<script>") {
		t.Errorf("unescaped title: %s", got)
	}
}
