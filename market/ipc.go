package market

// IPC titles: the eight section titles are built in; finer titles come from the official scheme file
// through ImportIPCScheme (the TSV format of shared/data/real/ipc_scheme_zh_en.tsv).

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// IPC levels.
const (
	IPCSection  = "section"
	IPCClass    = "class"
	IPCSubclass = "subclass"
	IPCGroup    = "group"
	// IPCMainGroup is a main group as a prefix ("G06F 16/"): every group under it (rules and filters).
	IPCMainGroup = "main_group"
)

var ipcSections = map[string]IPCTitle{
	"A": {Symbol: "A", Level: IPCSection, TitleZH: "人类生活必需", TitleEN: "Human necessities"},
	"B": {Symbol: "B", Level: IPCSection, TitleZH: "作业；运输", TitleEN: "Performing operations; transporting"},
	"C": {Symbol: "C", Level: IPCSection, TitleZH: "化学；冶金", TitleEN: "Chemistry; metallurgy"},
	"D": {Symbol: "D", Level: IPCSection, TitleZH: "纺织；造纸", TitleEN: "Textiles; paper"},
	"E": {Symbol: "E", Level: IPCSection, TitleZH: "固定建筑物", TitleEN: "Fixed constructions"},
	"F": {Symbol: "F", Level: IPCSection, TitleZH: "机械工程；照明；加热；武器；爆破", TitleEN: "Mechanical engineering; lighting; heating; weapons; blasting"},
	"G": {Symbol: "G", Level: IPCSection, TitleZH: "物理", TitleEN: "Physics"},
	"H": {Symbol: "H", Level: IPCSection, TitleZH: "电学", TitleEN: "Electricity"},
}

var ipcClassRe = regexp.MustCompile(`^[A-H]\d{2}$`)

// canonicalIPCSymbol returns the stored form and level of a section, class, subclass, main-group prefix
// ("G06F 16/") or group symbol.
func canonicalIPCSymbol(s string) (string, string, bool) {
	s = strings.ToUpper(strings.TrimSpace(halfWidth(s)))
	switch {
	case len(s) == 1 && s[0] >= 'A' && s[0] <= 'H':
		return s, IPCSection, true
	case ipcClassRe.MatchString(s):
		return s, IPCClass, true
	}
	if mg, ok := ParseIPCMainGroup(s); ok {
		return mg, IPCMainGroup, true
	}
	ipc, err := ParseIPC(s)
	if err != nil {
		return "", "", false
	}
	if ipc.Group == "" {
		return ipc.Subclass, IPCSubclass, true
	}
	return ipc.String(), IPCGroup, true
}

// ipcAncestors lists a symbol's section, class, subclass, main group and itself (canonical, deduplicated).
func ipcAncestors(s string) []string {
	canon, level, ok := canonicalIPCSymbol(s)
	if !ok {
		return nil
	}
	out := []string{canon[:1]}
	if level != IPCSection {
		out = append(out, canon[:3])
	}
	if level == IPCSubclass || level == IPCGroup || level == IPCMainGroup {
		out = append(out, canon[:4])
	}
	if level == IPCMainGroup { // its title is the main group's, "G06F 16/00"
		return append(out, canon+"00")
	}
	if level == IPCGroup {
		main, sub, _ := strings.Cut(canon, "/")
		if strings.Trim(sub, "0") != "" {
			out = append(out, main+"/00")
		}
		out = append(out, canon)
	}
	return out
}

// IPCTitles returns the titles of every given symbol and of its ancestors (section, class, subclass, main
// group), keyed by canonical symbol and also by the symbol as given. Section titles fall back to the
// built-in ones; symbols that do not parse, or have no title, are absent.
func (s *Store) IPCTitles(ctx context.Context, symbols []string) (map[string]IPCTitle, error) {
	want := map[string]bool{}
	for _, sym := range symbols {
		for _, a := range ipcAncestors(sym) {
			want[a] = true
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	out := make(map[string]IPCTitle, len(keys))
	for start := 0; start < len(keys); start += 500 {
		var ts []IPCTitle
		if err := s.reader().WithContext(ctx).Where("symbol IN ?", keys[start:min(start+500, len(keys))]).Find(&ts).Error; err != nil {
			return nil, fmt.Errorf("market: load IPC titles: %w", err)
		}
		for _, t := range ts {
			out[t.Symbol] = t
		}
	}
	for k := range want {
		if b, ok := ipcSections[k]; ok {
			t := out[k]
			if t.TitleZH == "" {
				t.TitleZH = b.TitleZH
			}
			if t.TitleEN == "" {
				t.TitleEN = b.TitleEN
			}
			t.Symbol, t.Level = k, IPCSection
			out[k] = t
		}
	}
	for _, sym := range symbols {
		canon, level, ok := canonicalIPCSymbol(sym)
		if !ok {
			continue
		}
		key := canon
		if level == IPCMainGroup { // "G06F 16/" has the title of "G06F 16/00"
			key = canon + "00"
		}
		if t, found := out[key]; found {
			out[canon], out[sym] = t, t
		}
	}
	return out, nil
}

// Edition markers in the scheme's titles: "〔1，8〕", "[2006.01]", " 2006.01", "[5]".
var (
	zhEditionRe = regexp.MustCompile(`\s*[〔\[][0-9０-９,，.、\s]+[〕\]]\s*$`)
	enEditionRe = regexp.MustCompile(`\s*(\[\d{4}\.\d{2}\]|\d{4}\.\d{2}|\[[0-9,\s]+\])\s*$`)
)

// cleanTitle strips edition markers and, for English, HTML debris left by the scheme's web export
// (`... 2006.01" href="#" ...`).
func cleanTitle(s string, en bool) string {
	if en {
		if i := strings.IndexByte(s, '"'); i >= 0 {
			s = s[:i]
		}
	}
	re := zhEditionRe
	if en {
		re = enEditionRe
	}
	for {
		t := re.ReplaceAllString(s, "")
		if t == s {
			return strings.TrimSpace(t)
		}
		s = t
	}
}

// ImportIPCScheme reads the IPC scheme as TSV with a header naming at least `code` and `title_zh` or an
// English title (`title_en_short`, `title_en` or `title_en_full`, first found wins; a `level` column is
// optional), and upserts the titles into ipc_titles in one transaction. Rows of other levels (e.g.
// subsection headings) are skipped; an empty title keeps the stored one. When titles changed, every
// patent is queued for re-indexing, since IPC titles are searchable. It returns how many titles were
// added or changed.
func (s *Store) ImportIPCScheme(ctx context.Context, r io.Reader) (int, error) {
	titles, err := readIPCScheme(r)
	if err != nil {
		return 0, fmt.Errorf("market: import IPC scheme: %w", err)
	}
	n := 0
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		for start := 0; start < len(titles); start += 500 {
			batch := titles[start:min(start+500, len(titles))]
			syms := make([]string, len(batch))
			for i, t := range batch {
				syms[i] = t.Symbol
			}
			var existing []IPCTitle
			if err := tx.Where("symbol IN ?", syms).Find(&existing).Error; err != nil {
				return err
			}
			cur := make(map[string]IPCTitle, len(existing))
			for _, t := range existing {
				cur[t.Symbol] = t
			}
			var changed []IPCTitle
			for _, t := range batch {
				old, ok := cur[t.Symbol]
				if ok {
					if t.TitleZH == "" {
						t.TitleZH = old.TitleZH
					}
					if t.TitleEN == "" {
						t.TitleEN = old.TitleEN
					}
					if t == old {
						continue
					}
				}
				changed = append(changed, t)
			}
			if len(changed) == 0 {
				continue
			}
			if err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "symbol"}},
				DoUpdates: clause.AssignmentColumns([]string{"level", "title_zh", "title_en"}),
			}).Create(&changed).Error; err != nil {
				return err
			}
			n += len(changed)
		}
		if n == 0 {
			return nil
		}
		err := tx.Exec("INSERT INTO search_outbox (patent_id, created_at, attempts, last_error) SELECT id, ?, 0, '' FROM patents",
			s.now()).Error
		if err == nil {
			noteEnqueued(tx)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("market: import IPC scheme: %w", err)
	}
	return n, nil
}

// readIPCScheme parses the TSV into titles, the last row of a symbol winning.
func readIPCScheme(r io.Reader) ([]IPCTitle, error) {
	cr := csv.NewReader(r)
	cr.Comma = '\t'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty")
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))] = i
	}
	codeCol, ok := col["code"]
	if !ok {
		return nil, errors.New("line 1: the header has no `code` column")
	}
	zhCol, hasZH := col["title_zh"]
	enCol, hasEN := -1, false
	for _, name := range []string{"title_en_short", "title_en", "title_en_full"} {
		if i, ok := col[name]; ok {
			enCol, hasEN = i, true
			break
		}
	}
	if !hasZH && !hasEN {
		return nil, errors.New("line 1: the header names no title column (title_zh, title_en_short, title_en or title_en_full)")
	}
	levelCol, hasLevel := col["level"]
	cell := func(rec []string, i int, ok bool) string {
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	index := map[string]int{}
	var out []IPCTitle
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		sym, level, ok := canonicalIPCSymbol(cell(rec, codeCol, true))
		if !ok {
			continue
		}
		if hasLevel {
			switch l := cell(rec, levelCol, true); l {
			case IPCSection, IPCClass, IPCSubclass, IPCGroup, "main_group", "subgroup":
			default:
				continue // e.g. subsection headings share codes with classes
			}
		}
		t := IPCTitle{Symbol: sym, Level: level, TitleZH: cleanTitle(cell(rec, zhCol, hasZH), false),
			TitleEN: cleanTitle(cell(rec, enCol, hasEN), true)}
		if t.TitleZH == "" && t.TitleEN == "" {
			continue
		}
		if i, dup := index[sym]; dup {
			out[i] = t
			continue
		}
		index[sym] = len(out)
		out = append(out, t)
	}
	return out, nil
}
