package meili

import (
	"strings"
	"unicode"

	"patentwall/search"
)

// document is what Meilisearch stores for a patent. Empty facet values are left out (they would be a
// facet value of their own), and fee_fen without a declaration, so fee sorts put such patents last and
// the fee filter excludes them.
type document struct {
	ID            int64    `json:"id"`
	ApplicationNo string   `json:"application_no"`
	Title         string   `json:"title"`
	TitleCJK      string   `json:"title_cjk,omitempty"`
	Abstract      string   `json:"abstract"`
	AbstractCJK   string   `json:"abstract_cjk,omitempty"`
	Patentee      string   `json:"patentee,omitempty"`
	PatenteeCJK   string   `json:"patentee_cjk,omitempty"`
	IPCTitles     string   `json:"ipc_titles,omitempty"`
	IPCTitlesCJK  string   `json:"ipc_titles_cjk,omitempty"`
	Type          string   `json:"type,omitempty"`
	IPC           []string `json:"ipc,omitempty"`
	IPCSection    []string `json:"ipc_section,omitempty"`
	IPCClass      []string `json:"ipc_class,omitempty"`
	IPCSubclass   []string `json:"ipc_subclass,omitempty"`
	IPCMainGroup  []string `json:"ipc_main_group,omitempty"`
	Industry      string   `json:"industry,omitempty"`
	District      string   `json:"district,omitempty"`
	HolderKind    string   `json:"holder_kind,omitempty"`
	FeeModel      string   `json:"fee_model"`
	FeeFen        *int64   `json:"fee_fen,omitempty"`
	PriceBand     string   `json:"price_band,omitempty"`
	Offers        []string `json:"offers,omitempty"`
	Status        string   `json:"status,omitempty"`
	ListedAt      int64    `json:"listed_at"` // unix seconds: sortable and filterable as a number
	GrantYear     int      `json:"grant_year,omitempty"`
}

func toDocument(d *search.Document) document {
	out := document{
		ID: d.ID, ApplicationNo: d.ApplicationNo,
		Title: d.Title, TitleCJK: spacedHan(d.Title),
		Abstract: d.Abstract, AbstractCJK: spacedHan(d.Abstract),
		Patentee: d.Patentee, PatenteeCJK: spacedHan(d.Patentee),
		IPCTitles: d.IPCTitles, IPCTitlesCJK: spacedHan(d.IPCTitles),
		Type: d.Type, IPC: d.IPC, IPCSection: d.IPCSection, IPCClass: d.IPCClass, IPCSubclass: d.IPCSubclass,
		IPCMainGroup: d.IPCMainGroup,
		Industry:     d.Industry, District: d.District, HolderKind: d.HolderKind, FeeModel: d.IndexedFeeModel(),
		PriceBand: d.PriceBand, Offers: d.Offers, Status: d.Status, ListedAt: d.ListedAt.Unix(), GrantYear: d.GrantYear,
	}
	if d.HasDeclaration() {
		fee := d.FeeFen
		out.FeeFen = &fee
	}
	return out
}

// spacedHan keeps only the Han characters of s, one word each: runs are separated by spaces inside and
// by ". " (a hard separator, so a phrase cannot span two runs) between. "锂电池5G基站" → "锂 电 池 . 基 站".
func spacedHan(s string) string {
	var b strings.Builder
	prevHan, any := false, false
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			prevHan = false
			continue
		}
		switch {
		case prevHan:
			b.WriteByte(' ')
		case any:
			b.WriteString(" . ")
		}
		b.WriteRune(r)
		prevHan, any = true, true
	}
	return b.String()
}

// phrase is the query form of a Han run over the *_cjk attributes: its characters, quoted.
func phrase(run string) string {
	return `"` + spacedHan(run) + `"`
}
