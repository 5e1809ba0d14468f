package imports_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/market/markettest"
)

const (
	benchPatents = 100_000
	benchOrgs    = 300
)

var benchWords = []string{"电池", "锂离子", "电极", "传感器", "控制", "方法", "装置", "系统", "图像", "识别", "神经网络", "芯片",
	"封装", "半导体", "药物", "组合物", "抗体", "检测", "光学", "机器人", "新能源", "汽车", "储能", "数据", "通信", "基站"}

var benchIPC = []string{"H01M 10/052", "G06F 16/9535", "G06N 3/08", "A61K 39/395", "H01L 21/56", "B25J 9/16", "H04W 24/02", "G01N 33/53"}

// writeBenchCSV writes n valid patents spread over benchOrgs organisations: 60% inventions, 30% utility
// models, 10% designs; four in five publish a declaration, cycling through the fee modes.
func writeBenchCSV(b *testing.B, dir string, n int) (orgsPath, patentsPath string) {
	b.Helper()
	orgRows := make([][]string, benchOrgs)
	for i := range orgRows {
		orgRows[i] = catOrgRow(b, i+1)
	}
	orgsPath = filepath.Join(dir, "orgs.csv")
	if err := os.WriteFile(orgsPath, []byte(catCSVText(b, catOrgHeader, orgRows)), 0o644); err != nil {
		b.Fatal(err)
	}
	rows := make([][]string, n)
	for i := range rows {
		typ, year := 1, 2015+i%8
		switch {
		case i%10 >= 9:
			typ, year = 3, 2021+i%3
		case i%10 >= 6:
			typ, year = 2, 2018+i%5 // still in force, with room for the term
		}
		w := func(k int) string { return benchWords[(i*7+k*13)%len(benchWords)] }
		set := map[string]string{
			"application_no": catAppNo(b, year, typ, i+1),
			"title":          "一种" + w(1) + w(2) + "的" + w(3) + w(4),
			"abstract":       "本发明公开了一种" + w(1) + w(2) + "，涉及" + w(5) + "技术领域，通过" + w(6) + "与" + w(7) + "提高了" + w(8) + "的效率。",
			"ipc":            benchIPC[i%len(benchIPC)] + ";" + benchIPC[(i+3)%len(benchIPC)],
			"patentee_uscc":  catUSCC(b, i%benchOrgs+1),
			"filing_date":    fmt.Sprintf("%d-%02d-%02d", year, i%12+1, i%28+1),
			"grant_date":     fmt.Sprintf("%d-%02d-%02d", year+1, i%12+1, i%28+1),
			"industry":       []string{"集成电路", "生物医药", "人工智能", "新能源汽车"}[i%4],
		}
		if typ == 3 {
			set["ipc"] = ""
		}
		if i%5 != 4 {
			set["term_months"] = "24"
			if typ != 1 {
				set["evaluation_report_no"] = fmt.Sprintf("PJ%d%07d", year, i)
			}
			switch i % 4 {
			case 0:
				set["fee_model"] = "free"
			case 1:
				set["fee_model"], set["fee_yuan"] = "lump_sum", fmt.Sprintf("%d.50", 1000+i%50000)
			case 2:
				set["fee_model"], set["royalty_percent"] = "royalty", fmt.Sprintf("%d.25", 1+i%10)
			case 3:
				set["fee_model"], set["entry_fee_yuan"], set["royalty_percent"] = "entry_plus_royalty", "20000", "2.5"
			}
		}
		rows[i] = catPatentRow(b, i+1, set)
	}
	patentsPath = filepath.Join(dir, "patents.csv")
	text := catCSVText(b, catPatentHeader, rows)
	if err := os.WriteFile(patentsPath, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d patents, %.1f MB of CSV", n, float64(len(text))/1e6)
	return orgsPath, patentsPath
}

func benchStore(b *testing.B, dialect, orgsPath string) *market.Store {
	b.Helper()
	var s *market.Store
	if dialect == "postgres" {
		s = markettest.Postgres(b)
	} else {
		s = markettest.SQLite(b)
	}
	s.Now = markettest.NewClock(catNow).Now
	tab, err := imports.Open(orgsPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := imports.ImportOrgs(context.Background(), s, tab, imports.Options{}); err != nil {
		b.Fatal(err)
	}
	return s
}

// importFile is the timed part: read the file and import it, as `patentwall import patents` does.
func importFile(b *testing.B, s *market.Store, path string) imports.Report {
	tab, err := imports.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := imports.ImportPatents(context.Background(), s, tab, imports.Options{})
	if err != nil {
		b.Fatalf("%v: %s", err, strings.Join(catErrLines(rep.Errors[:min(len(rep.Errors), 5)]), "; "))
	}
	return rep
}

// BenchmarkImportPatents imports 100,000 patents (80,000 declarations) into an empty catalogue: file
// reading, validation, inserts and outbox rows (indexing is the search worker's, measured elsewhere).
func BenchmarkImportPatents(b *testing.B) {
	orgsPath, patentsPath := writeBenchCSV(b, b.TempDir(), benchPatents)
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := benchStore(b, dialect, orgsPath)
				b.StartTimer()
				rep := importFile(b, s, patentsPath)
				if rep.Created != benchPatents || rep.DeclarationsPublished != benchPatents*4/5 {
					b.Fatalf("report %+v", rep)
				}
			}
			b.ReportMetric(float64(benchPatents)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkReimportPatents imports the same 100,000 patents again: every row is compared and skipped.
func BenchmarkReimportPatents(b *testing.B) {
	orgsPath, patentsPath := writeBenchCSV(b, b.TempDir(), benchPatents)
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			s := benchStore(b, dialect, orgsPath)
			importFile(b, s, patentsPath)
			b.ResetTimer()
			for b.Loop() {
				if rep := importFile(b, s, patentsPath); rep.Unchanged != benchPatents {
					b.Fatalf("report %+v", rep)
				}
			}
			b.ReportMetric(float64(benchPatents)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
