package searchtest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/width"

	"patentwall/search"
)

// FindRealData locates the folder of real test data (shared/data/real): $PATENTWALL_REAL_DATA, or the
// first shared/data/real found walking up from the working directory.
func FindRealData() (string, bool) {
	if d := os.Getenv("PATENTWALL_REAL_DATA"); d != "" {
		_, err := os.Stat(d)
		return d, err == nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		cand := filepath.Join(dir, "shared", "data", "real")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// RealTitle is one row of cn_patents_titles_ipc.csv.
type RealTitle struct {
	PublicationNo string
	Kind          string // A, B, U
	Title         string
	Subclasses    []string
}

// RealTitles reads the 9,740 real Chinese patent titles with their IPC subclasses; it skips the test
// when the data is absent.
func RealTitles(t testing.TB) []RealTitle {
	t.Helper()
	dir, ok := FindRealData()
	if !ok {
		t.Skip("real data not found: no shared/data/real above the working directory and PATENTWALL_REAL_DATA unset")
	}
	out, err := LoadRealTitles(dir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("real titles absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// RealTitlesIfPresent is the real titles, or none when the real data is absent or unreadable: for
// corpora that are built from real titles where they are at hand and synthesized alone otherwise.
func RealTitlesIfPresent() []RealTitle {
	dir, ok := FindRealData()
	if !ok {
		return nil
	}
	real, _ := LoadRealTitles(dir)
	return real
}

// LoadRealTitles reads cn_patents_titles_ipc.csv from the real-data folder.
func LoadRealTitles(dir string) ([]RealTitle, error) {
	path := filepath.Join(dir, "cn_patents_titles_ipc.csv")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"publication_number", "kind_code", "title", "ipc_subclasses"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: no column %s", path, c)
		}
	}
	var out []RealTitle
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, RealTitle{
			PublicationNo: rec[col["publication_number"]],
			Kind:          rec[col["kind_code"]],
			Title:         rec[col["title"]],
			Subclasses:    strings.Split(rec[col["ipc_subclasses"]], "|"),
		})
	}
	return out, nil
}

// Doc turns a real title into an index document with ID id (title and IPC only: the file has no more).
func (r RealTitle) Doc(id int64) search.Document {
	d := search.Document{ID: id, ApplicationNo: r.PublicationNo, Title: r.Title, Status: "granted", Type: "invention"}
	if r.Kind == "U" {
		d.Type = "utility_model"
	}
	seen := map[string]bool{}
	for _, s := range r.Subclasses {
		if len(s) != 4 {
			continue
		}
		d.IPCSubclass = append(d.IPCSubclass, s)
		for _, v := range []string{s[:1], s[:3]} {
			if !seen[v] {
				seen[v] = true
				if len(v) == 1 {
					d.IPCSection = append(d.IPCSection, v)
				} else {
					d.IPCClass = append(d.IPCClass, v)
				}
			}
		}
	}
	return d
}

// QualityQueries are the keyword queries measured over the real titles: one to four characters, common
// technical terms, a Latin-digit mix and two-word AND queries.
var QualityQueries = []string{
	"电", "电池", "锂电池", "无人机", "图像识别", "传感器", "机器人", "中药", "光伏", "芯片", "5G",
	"混凝土", "新能源汽车", "人工智能", "神经网络", "激光", "轴承", "电机", "光纤", "清洗", "检测方法",
	"锂电池 正极", "机器人 控制",
}

// QualityRow is the measurement of one query.
type QualityRow struct {
	Query                      string
	Hits, Relevant, Correct    int
	Precision, InOrder, Recall float64
}

func fold(s string) string { return strings.ToLower(width.Fold.String(s)) }

// containsInOrder reports whether every rune of word occurs in s in order (not necessarily adjacent).
func containsInOrder(s, word string) bool {
	for _, r := range word {
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+len(string(r)):]
	}
	return true
}

// Quality indexes the real titles and measures, for each of QualityQueries, precision (hits whose title
// contains every word; also with the words' characters merely in order) and recall against a brute-force
// substring scan. It asserts recall ≥ 0.98 and in-order precision ≥ 0.9.
func Quality(t *testing.T, newIndex NewIndex) []QualityRow {
	titles := RealTitles(t)
	ds := make([]search.Document, len(titles))
	for i, r := range titles {
		ds[i] = r.Doc(int64(i + 1))
	}
	idx := newIndex(t)
	ctx := context.Background()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := idx.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(ds); i += search.Batch {
		if err := idx.Upsert(ctx, ds[i:min(i+search.Batch, len(ds))]); err != nil {
			t.Fatal(err)
		}
	}
	var rows []QualityRow
	t.Logf("%-12s %6s %8s %9s %9s %7s", "query", "hits", "relevant", "precision", "in-order", "recall")
	for _, q := range QualityQueries {
		words := strings.Fields(fold(q))
		matches := func(title string, in func(s, w string) bool) bool {
			for _, w := range words {
				if !in(fold(title), w) {
					return false
				}
			}
			return true
		}
		relevant := map[int64]bool{}
		for _, d := range ds {
			if matches(d.Title, strings.Contains) {
				relevant[d.ID] = true
			}
		}
		hits := fetchAll(t, idx, q)
		row := QualityRow{Query: q, Hits: len(hits), Relevant: len(relevant)}
		inOrder := 0
		for _, id := range hits {
			title := ds[id-1].Title
			if relevant[id] {
				row.Correct++
			}
			if matches(title, containsInOrder) {
				inOrder++
			}
		}
		row.Precision, row.InOrder, row.Recall = 1, 1, 1
		if len(hits) > 0 {
			row.Precision = float64(row.Correct) / float64(len(hits))
			row.InOrder = float64(inOrder) / float64(len(hits))
		}
		if len(relevant) > 0 {
			row.Recall = float64(row.Correct) / float64(len(relevant))
		}
		t.Logf("%-12s %6d %8d %9.3f %9.3f %7.3f", q, row.Hits, row.Relevant, row.Precision, row.InOrder, row.Recall)
		if row.Relevant == 0 {
			t.Errorf("%q: no title contains it; pick a query that measures something", q)
		}
		if row.Recall < 0.98 {
			t.Errorf("%q: recall %.3f < 0.98", q, row.Recall)
		}
		if row.InOrder < 0.9 {
			t.Errorf("%q: precision %.3f < 0.9", q, row.InOrder)
		}
		rows = append(rows, row)
	}
	return rows
}

// fetchAll pages through every hit of a text query (up to search.MaxResultWindow).
func fetchAll(t *testing.T, idx search.Index, text string) []int64 {
	var out []int64
	for page := 1; page*search.MaxPerPage <= search.MaxResultWindow; page++ {
		res, err := idx.Search(context.Background(), Normalized(t, search.Query{Text: text, Page: page, PerPage: search.MaxPerPage}))
		if err != nil {
			t.Fatalf("%q page %d: %v", text, page, err)
		}
		out = append(out, ids(res)...)
		if len(out) >= res.Total || len(res.Hits) == 0 {
			break
		}
	}
	return out
}
