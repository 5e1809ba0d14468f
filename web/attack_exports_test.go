package web_test

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"patentwall/market"
)

// Hostile names for organisations, industries and demands: each would run as a formula in a
// spreadsheet if an export wrote it as is (docs/interfaces.md §6).
var hostileCells = []string{
	`=HYPERLINK("http://evil.example/x","点击")`,
	`+cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	"\t=1+2",
	"\r=3+4",
}

// formulaRisk reports whether a cell would be read as a formula: it starts with = + - @, a tab or a
// carriage return, and is not a plain number (a negative amount is data).
func formulaRisk(cell string) bool {
	if cell == "" {
		return false
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		_, err := strconv.ParseFloat(cell, 64)
		return err != nil
	}
	return false
}

// exportCells reads a CSV or XLSX download into its cells, by sheet ("csv" for a CSV).
func exportCells(t *testing.T, what string, r response) map[string][][]string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: status %d: %.300s", what, r.status, r.body)
	}
	if strings.HasPrefix(r.body, "PK") {
		return readXLSX(t, r.body)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff")))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: not CSV: %v", what, err)
	}
	return map[string][][]string{"csv": rows}
}

// checkExport fails for any cell that a spreadsheet would run, and returns the hostile texts the
// export carried (neutralised, with the leading quote).
func checkExport(t *testing.T, what string, r response) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	for sheet, rows := range exportCells(t, what, r) {
		for i, row := range rows {
			for j, cell := range row {
				if formulaRisk(cell) {
					t.Errorf("%s: sheet %s row %d column %d is a formula: %q", what, sheet, i+1, j+1, cell)
				}
				for _, h := range hostileCells {
					if cell == h {
						t.Errorf("%s: hostile text written as is: %q", what, cell)
					}
					if strings.HasPrefix(cell, "'"+h) {
						seen[h] = true
					}
				}
			}
		}
	}
	return seen
}

// Every CSV and XLSX download (transaction records, bonus runs, channel statistics, the demand
// analysis; page and API) neutralises cells starting with = + - @, a tab or a carriage return, and
// the hostile names do reach the files (so the check has something to find).
func TestExportsNeutraliseFormulas(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	w := e.bureauWorld(t)
	db := e.store.Gorm()
	rename := func(model any, id int64, col, val string) {
		t.Helper()
		if err := db.Model(model).Where("id = ?", id).Update(col, val).Error; err != nil {
			t.Fatal(err)
		}
	}
	rename(&market.Organisation{}, w.lic.ID, "name", hostileCells[0])
	rename(&market.Organisation{}, w.sme1.ID, "name", hostileCells[1])
	rename(&market.Organisation{}, w.big.ID, "name", hostileCells[2])
	rename(&market.Organisation{}, w.newco.ID, "name", hostileCells[3])
	rename(&market.Patent{}, w.p[0].ID, "industry", hostileCells[4])
	rename(&market.Patent{}, w.p[3].ID, "industry", hostileCells[5])

	tok := e.token(t, p.bureau)
	bc := e.bureauClient(t, p)
	mustStatus(t, "compute", e.bearer(t, http.MethodPost, "/api/v1/bureau/rounds/art22-2022/runs", tok, `{"as_of":"2023-03-01"}`), http.StatusCreated)

	// A demand with a hostile title and industry, posted by an organisation with a hostile name.
	wallOp := e.demandWallOperator(t)
	rename(&market.Organisation{}, e.fx.corp.ID, "name", hostileCells[3])
	d := market.Demand{OrgID: e.fx.corp.ID, Title: hostileCells[0], Description: "需求", Industry: hostileCells[1],
		Deadline: market.MustDate("2024-12-31"), Channel: "wall:new-energy", Status: market.DemandOpen, CreatedAt: now}
	if err := db.Create(&d).Error; err != nil {
		t.Fatal(err)
	}
	opc := e.client()
	opc.login(t, wallOp.Email)

	for _, format := range []string{"csv", "xlsx"} {
		// Transaction records: licensor and licensee names, industries.
		records := map[string]bool{}
		for k := range checkExport(t, "records page "+format, bc.get(t, "/bureau/contracts/export?format="+format)) {
			records[k] = true
		}
		checkExport(t, "records API "+format, e.bearer(t, http.MethodGet, "/api/v1/bureau/contracts?format="+format, tok, ""))
		for _, h := range hostileCells {
			if !records[h] {
				t.Errorf("records %s: %q not found neutralised", format, h)
			}
		}
		// A bonus run: recipients' and licensees' names.
		run := checkExport(t, "run page "+format, bc.get(t, "/bureau/rounds/art22-2022/runs/1/export?format="+format))
		checkExport(t, "run API "+format, e.bearer(t, http.MethodGet, "/api/v1/bureau/rounds/art22-2022/runs/1?format="+format, tok, ""))
		for _, h := range hostileCells[:2] {
			if !run[h] {
				t.Errorf("run %s: %q not found neutralised", format, h)
			}
		}
		// Channel statistics: their only text is the channel's key, never user text; scanned all the same.
		checkExport(t, "channels API "+format, e.bearer(t, http.MethodGet, "/api/v1/bureau/channels?format="+format+"&from=2024-05-01&to=2024-05-31", tok, ""))
		checkExport(t, "channel page "+format, opc.get(t, "/operator/channels/wall:new-energy?from=2024-05-01&to=2024-05-31&format="+format))
		// The demand analysis: title, organisation, industry (in both sheets of the workbook).
		an := checkExport(t, "demand analysis "+format, opc.get(t, "/operator/demands/analysis?channel=wall:new-energy&format="+format))
		for _, h := range []string{hostileCells[0], hostileCells[1], hostileCells[3]} {
			if !an[h] {
				t.Errorf("demand analysis %s: %q not found neutralised", format, h)
			}
		}
	}
}
