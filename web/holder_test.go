package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"patentwall/market"
)

func TestHolderAddsPatentPublishesReplacesWithdraws(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		cl := e.client()
		cl.login(t, p.holder.Email)
		um := appNo(2021, '2', 123456) // a utility model: needs an evaluation report
		newPatent := url.Values{"application_no": {"ZL" + um}, "title": {"一种测试用夹持装置"}, "abstract": {"夹持。"},
			"ipc": {"B25B 11/00"}, "filing_date": {"2021-03-01"}, "grant_date": {"2021-12-01"}, "status": {"granted"}, "industry": {"高端装备"}}

		bad := url.Values{}
		for k, v := range newPatent {
			bad[k] = v
		}
		bad.Set("application_no", "202110123456.0")
		bad.Set("filing_date", "2021-13-01")
		r := cl.submit(t, "/account/patents/new", "/account/patents", bad)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad patent: %d", r.status)
		}
		mustContain(t, "patent messages", r.body, `id="e-application_no"`, `id="e-filing_date"`)

		r = cl.submit(t, "/account/patents/new", "/account/patents", newPatent)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account/patents/"+um+"?done=done.patent_created" {
			t.Fatalf("create: %d %q %.400s", r.status, r.header.Get("Location"), r.body)
		}
		page := "/account/patents/" + um

		// Every docs/rules.md §5 violation is shown on the form.
		r = cl.submit(t, page, page+"/declaration", url.Values{"fee_model": {"lump_sum"}, "fee_yuan": {"-5"}, "term_months": {"6"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad declaration: %d", r.status)
		}
		mustContain(t, "declaration messages", r.body, `id="e-fee_yuan"`, "不能为负数", `id="e-term_months"`, `id="e-evaluation_report_no"`)
		if n := e.count(t, &market.Declaration{}, "status = ? AND patent_id = (SELECT id FROM patents WHERE application_no = ?)", market.DeclLive, um); n != 0 {
			t.Fatal("a refused declaration was published")
		}

		decl := url.Values{"fee_model": {"lump_sum"}, "fee_yuan": {"8000"}, "term_months": {"24"}, "evaluation_report_no": {"PJ2022-123"}}
		r = cl.submit(t, page, page+"/declaration", decl)
		if r.status != http.StatusSeeOther {
			t.Fatalf("publish: %d %.600s", r.status, r.body)
		}
		r = cl.get(t, r.header.Get("Location"))
		mustContain(t, "published", r.body, "开放许可声明已发布。", "一次性 8,000.00 元", `value="8000.00"`)
		decl.Set("fee_yuan", "6000.50")
		if r = cl.submit(t, page, page+"/declaration", decl); r.status != http.StatusSeeOther {
			t.Fatalf("replace: %d", r.status)
		}
		var ds []market.Declaration
		e.store.Gorm().Where("patent_id = (SELECT id FROM patents WHERE application_no = ?)", um).Order("id").Find(&ds)
		if len(ds) != 2 || ds[0].Status != market.DeclReplaced || ds[1].Status != market.DeclLive || ds[1].FeeFen != 600050 {
			t.Fatalf("after replace: %+v", ds)
		}
		if r = cl.submit(t, page, page+"/withdraw", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", r.status)
		}
		if r = cl.submit(t, page, page+"/withdraw", url.Values{}); r.status != http.StatusConflict {
			t.Fatalf("withdraw twice: %d", r.status)
		}

		// Another organisation's patent is not editable, whatever the URL says.
		other := e.client()
		other.login(t, p.otherHolder.Email)
		if r := other.get(t, page); r.status != http.StatusForbidden {
			t.Fatalf("other org's edit page: %d", r.status)
		}
		tok := csrfOf(t, other.get(t, "/account").body)
		for _, action := range []string{page, page + "/declaration", page + "/withdraw"} {
			r := other.post(t, action, url.Values{"_csrf": {tok}, "title": {"改名"}, "fee_model": {"free"}, "term_months": {"12"}, "filing_date": {"2021-03-01"}, "status": {"granted"}})
			if r.status != http.StatusForbidden {
				t.Errorf("other org posts %s: %d", action, r.status)
			}
		}
		var pt market.Patent
		e.store.Gorm().Where("application_no = ?", um).First(&pt)
		if pt.Title != "一种测试用夹持装置" {
			t.Fatal("another organisation changed the patent")
		}
		// An unverified organisation may not publish.
		unv := e.client()
		unv.login(t, p.unverified.Email)
		if r := unv.get(t, "/account/patents/new"); r.status != http.StatusForbidden || !strings.Contains(r.body, "尚未通过审核") {
			t.Fatalf("unverified new patent page: %d", r.status)
		}
	})
}

func TestAPIPublishing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		tok := e.token(t, p.holder)
		no := appNo(2022, '1', 424242)
		in := map[string]string{"application_no": no, "title": "一种接口测试方法", "filing_date": "2022-01-05", "grant_date": "2023-06-01", "status": "granted", "ipc": "G06F 16/9535"}
		status, m := e.jsonReq(t, http.MethodPost, "/api/v1/patents", tok, in)
		if status != http.StatusCreated || m["application_no"] != no || m["patentee_uscc"] != e.fx.uni.USCC {
			t.Fatalf("create: %d %v", status, m)
		}
		status, m = e.jsonReq(t, http.MethodPost, "/api/v1/patents", tok, in)
		if status != http.StatusUnprocessableEntity || errCode(m) != "already_exists" {
			t.Fatalf("create twice: %d %v", status, m)
		}
		in2 := map[string]string{"application_no": appNo(2022, '1', 424243), "title": "x", "filing_date": "2022-01-05", "status": "granted", "patentee_uscc": e.fx.corp.USCC}
		if status, _ = e.jsonReq(t, http.MethodPost, "/api/v1/patents", tok, in2); status != http.StatusForbidden {
			t.Fatalf("create for another org: %d", status)
		}

		target := "/api/v1/patents/" + no + "/declaration"
		status, m = e.jsonReq(t, http.MethodPut, target, tok, map[string]any{"fee_model": "royalty", "royalty_percent": 25, "term_months": 6})
		if status != http.StatusUnprocessableEntity || len(m["errors"].([]any)) < 1 {
			t.Fatalf("bad declaration: %d %v", status, m)
		}
		status, m = e.jsonReq(t, http.MethodPut, target, tok, map[string]any{"fee_model": "royalty", "royalty_percent": "25", "term_months": 36})
		if status != http.StatusOK || m["royalty_bp"] != float64(2500) || m["status"] != "live" || len(m["warnings"].([]any)) != 1 {
			t.Fatalf("publish above the ceiling (a warning): %d %v", status, m)
		}
		if status, _ = e.jsonReq(t, http.MethodPut, target, e.token(t, p.otherHolder), map[string]any{"fee_model": "free", "term_months": 36}); status != http.StatusForbidden {
			t.Fatalf("other org publishes: %d", status)
		}
		if status, _ = e.jsonReq(t, http.MethodDelete, target, e.token(t, p.corp), nil); status != http.StatusForbidden {
			t.Fatalf("other org withdraws: %d", status)
		}
		status, m = e.jsonReq(t, http.MethodDelete, target, tok, nil)
		if status != http.StatusOK || m["status"] != "withdrawn" {
			t.Fatalf("withdraw: %d %v", status, m)
		}
		if status, _ = e.jsonReq(t, http.MethodDelete, target, tok, nil); status != http.StatusConflict {
			t.Fatalf("withdraw twice: %d", status)
		}
		if status, _ = e.jsonReq(t, http.MethodDelete, "/api/v1/patents/"+appNo(2022, '1', 999999)+"/declaration", tok, nil); status != http.StatusNotFound {
			t.Fatalf("withdraw unknown: %d", status)
		}
	})
}

// upload posts a file to the import form with the session's token.
func (cl *client) upload(t *testing.T, name, content string, skip bool) response {
	t.Helper()
	page := cl.get(t, "/account/patents/import")
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", csrfOf(t, page.body))
	if skip {
		w.WriteField("skip_invalid", "1")
	}
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(content))
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/account/patents/import", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return cl.do(t, req)
}

func TestUploadImportsOnlyOwnPatentsAllOrNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.people(t)
		cl := e.client()
		cl.login(t, p.holder.Email)
		good1, good2 := appNo(2020, '1', 111111), appNo(2020, '1', 111112)
		csv := "application_no,title,patentee_uscc,filing_date,grant_date,status,fee_model,term_months\n" +
			good1 + ",好的专利一," + e.fx.uni.USCC + ",2020-01-02,2021-05-06,granted,free,24\n" +
			good2 + ",坏的日期," + e.fx.uni.USCC + ",2020-02-30,,granted,,\n" +
			appNo(2020, '1', 111113) + ",别人的专利," + e.fx.corp.USCC + ",2020-01-02,2021-05-06,granted,,\n" +
			e.fx.vision.ApplicationNo + ",抢别人的专利," + e.fx.uni.USCC + ",2020-01-02,2021-05-06,granted,,\n"

		r := cl.upload(t, "patents.csv", csv, false)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("upload with bad rows: %d %.500s", r.status, r.body)
		}
		mustContain(t, "line errors", r.body, "3 行有错误，未导入任何数据",
			"line 3: filing_date:", "line 4: patentee_uscc: 不是本单位", "line 5: application_no: 该专利已登记在其他机构名下")
		if n := e.count(t, &market.Patent{}, "application_no IN ?", []string{good1, good2}); n != 0 {
			t.Fatalf("%d patents imported from a bad file", n)
		}
		var vision market.Patent
		e.store.Gorm().First(&vision, e.fx.vision.ID)
		if vision.PatenteeID != e.fx.corp.ID || vision.Title != e.fx.vision.Title {
			t.Fatal("the upload changed another organisation's patent")
		}

		r = cl.upload(t, "patents.csv", csv, true)
		if r.status != http.StatusOK {
			t.Fatalf("upload skipping bad rows: %d %.500s", r.status, r.body)
		}
		mustContain(t, "skipped", r.body, "已跳过 3 行错误数据", "新增 1 件", "发布 1 项", "line 4: patentee_uscc")
		if n := e.count(t, &market.Patent{}, "application_no = ? AND patentee_id = ?", good1, e.fx.uni.ID); n != 1 {
			t.Fatal("the good row was not imported")
		}
		if n := e.count(t, &market.Patent{}, "application_no = ?", appNo(2020, '1', 111113)); n != 0 {
			t.Fatal("another organisation's row was imported")
		}
		// The same file again changes nothing.
		r = cl.upload(t, "patents.csv", csv, true)
		mustContain(t, "again", r.body, "新增 0 件", "未变 1 件")

		r = cl.upload(t, "patents.txt", csv, false)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "不支持的文件类型") {
			t.Fatalf("wrong type: %d", r.status)
		}
		r = cl.upload(t, "patents.csv", "foo,bar\n1,2\n", false)
		mustContain(t, "bad header", r.body, "line 1: foo:", "line 1: application_no:")
	})
}

func TestUploadXLSX(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	cl := e.client()
	cl.login(t, p.holder.Email)
	x := excelize.NewFile()
	rows := [][]any{
		{"application_no", "title", "patentee_uscc", "filing_date", "grant_date", "status", "fee_model", "fee_yuan", "term_months"},
		{appNo(2020, '1', 222221), "表格导入的专利", e.fx.uni.USCC, "2020-01-02", "2021-05-06", "granted", "lump_sum", "3000.5", "24"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r := cl.upload(t, "patents.xlsx", buf.String(), false)
	if r.status != http.StatusOK {
		t.Fatalf("xlsx upload: %d %.600s", r.status, r.body)
	}
	mustContain(t, "xlsx", r.body, "导入完成", "新增 1 件", "发布 1 项")
	var d market.Declaration
	e.store.Gorm().Where("patent_id = (SELECT id FROM patents WHERE application_no = ?) AND status = ?", appNo(2020, '1', 222221), market.DeclLive).First(&d)
	if d.FeeFen != 300050 {
		t.Fatalf("declaration %+v", d)
	}
}
