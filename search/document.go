package search

import (
	"strings"

	"patentwall/market"
)

// DocumentOf builds the index document of one patent from what the store loaded for it.
func DocumentOf(r market.IndexRow) Document {
	d := Document{
		ID:            r.ID,
		ApplicationNo: r.ApplicationNo,
		Title:         r.Title,
		Abstract:      r.Abstract,
		Patentee:      r.PatenteeName,
		HolderKind:    r.PatenteeKind,
		District:      r.DistrictCode,
		Type:          r.Type,
		Industry:      r.Industry,
		Status:        r.Status,
		ListedAt:      r.CreatedAt.UTC(),
	}
	if !r.GrantDate.IsZero() {
		d.GrantYear = r.GrantDate.Year()
	}
	seen := map[string]bool{}
	addOnce := func(list *[]string, v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			*list = append(*list, v)
		}
	}
	for _, sym := range strings.Split(r.IPC, ";") {
		ipc, err := market.ParseIPC(sym)
		if err != nil {
			continue
		}
		addOnce(&d.IPC, ipc.String())
		addOnce(&d.IPCSection, ipc.Section)
		addOnce(&d.IPCClass, ipc.Class)
		addOnce(&d.IPCSubclass, ipc.Subclass)
		addOnce(&d.IPCMainGroup, ipc.MainGroup())
	}
	// The symbols lead the IPC text, so a query such as G06F finds the patents classified there.
	titles := append([]string(nil), d.IPC...)
	for _, t := range r.IPCTitles {
		for _, s := range []string{t.TitleZH, t.TitleEN} {
			if s = strings.TrimSpace(s); s != "" {
				titles = append(titles, s)
			}
		}
	}
	d.IPCTitles = strings.Join(titles, "；")
	if decl := r.Declaration; decl != nil {
		d.FeeModel = decl.FeeModel
		d.FeeFen = decl.AmountDueFen()
		d.ListedAt = decl.PublishedAt.UTC()
		d.Offers = append(d.Offers, OfferOpenLicence)
	}
	d.PriceBand = PriceBandOf(d.FeeModel, d.FeeFen)
	if r.TransferPriceFen > 0 {
		d.Offers = append(d.Offers, OfferTransfer)
	}
	return d
}

// HasDeclaration reports whether the document carries a live open-licence declaration (its fee fields
// mean something; engines leave fee_fen out otherwise so fee sorts put such patents last).
func (d *Document) HasDeclaration() bool { return d.FeeModel != "" }

// IndexedFeeModel is the fee_model value engines index: FeeModelNone without a declaration, so the
// "none" filter and facet work like any other value.
func (d *Document) IndexedFeeModel() string {
	if d.FeeModel == "" {
		return FeeModelNone
	}
	return d.FeeModel
}
