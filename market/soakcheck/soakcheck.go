// Package soakcheck holds the database checks of the load-and-fault run (cmd/pwsoak, `make soak`):
// after each injected fault, every acceptance the server acknowledged must exist exactly once, and no
// acceptance, acknowledged or not, may half-exist (docs/rules.md §6 "Exactly once", §7 "History").
// The SQL lives here because web and cmd run none (docs/architecture.md §1).
package soakcheck

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"patentwall/market"
)

// Attempt is one acceptance a client sent (POST /api/v1/licences), acknowledged or not: the licensee's
// USCC, the idempotency key as sent and the patent's application number (canonical).
type Attempt struct {
	LicenseeUSCC string `json:"licensee_uscc"`
	Key          string `json:"key"`
	AppNo        string `json:"application_no"`
}

// Ack is an acceptance the server acknowledged (201 or 200 with a contract number).
type Ack struct {
	Attempt
	ContractNo string `json:"contract_no"`
	Created    bool   `json:"created"` // 201: this key formed the contract
}

// Report is what Check found. Lost, Duplicated and HalfExisting must be empty.
type Report struct {
	Attempts     int `json:"attempts"`     // distinct keys sent
	Acknowledged int `json:"acknowledged"` // distinct keys acknowledged
	Contracts    int `json:"contracts"`    // contracts of the licensees checked
	// Unacknowledged: keys never acknowledged whose contract exists, complete (the request committed and
	// its answer was lost, e.g. to a killed server, and the client gave up). Absent: keys never
	// acknowledged that formed nothing. Both are allowed.
	Unacknowledged int `json:"unacknowledged_complete"`
	Absent         int `json:"unacknowledged_absent"`
	// Lost: acknowledged contracts that are missing or are not what the answer said.
	Lost []string `json:"lost"`
	// Duplicated: two contracts for one key, one contract number or one (licensee, patent) pair.
	Duplicated []string `json:"duplicated"`
	// HalfExisting: contracts without history, with a broken sequence, without their patent link or
	// without an anchor or pending anchor; events, patent links, payments or pending anchors of no
	// contract.
	HalfExisting []string `json:"half_existing"`
}

// OK reports whether nothing is lost, duplicated or half-existing.
func (r *Report) OK() bool {
	return len(r.Lost) == 0 && len(r.Duplicated) == 0 && len(r.HalfExisting) == 0
}

type contractRow struct {
	ID             int64
	ContractNo     string
	LicenseeID     int64
	IdempotencyKey *string
}

// Check compares the attempts and acknowledgements with the database. The workload never cancels or
// ends a contract, so a licensee has at most one contract per patent. It reads while load may go on:
// an acknowledgement comes after its commit, so every acknowledged contract is visible to it.
func Check(ctx context.Context, s *market.Store, attempts []Attempt, acks []Ack) (*Report, error) {
	db := s.Gorm().WithContext(ctx)
	rep := &Report{Lost: []string{}, Duplicated: []string{}, HalfExisting: []string{}}

	usccs := map[string]bool{}
	for _, a := range attempts {
		usccs[a.LicenseeUSCC] = true
	}
	for _, a := range acks {
		usccs[a.LicenseeUSCC] = true
	}
	orgID := map[string]int64{}
	if len(usccs) > 0 {
		var orgs []struct {
			ID   int64
			USCC string
		}
		if err := db.Table("organisations").Select("id, uscc").Where("uscc IN ?", keys(usccs)).Scan(&orgs).Error; err != nil {
			return nil, fmt.Errorf("soakcheck: load licensees: %w", err)
		}
		for _, o := range orgs {
			orgID[o.USCC] = o.ID
		}
	}
	ids := make([]int64, 0, len(orgID))
	for _, id := range orgID {
		ids = append(ids, id)
	}

	var cs []contractRow
	if len(ids) > 0 {
		if err := db.Table("contracts").Select("id, contract_no, licensee_id, idempotency_key").
			Where("licensee_id IN ? AND source = ?", ids, "platform").Order("id").Scan(&cs).Error; err != nil {
			return nil, fmt.Errorf("soakcheck: load contracts: %w", err)
		}
	}
	rep.Contracts = len(cs)
	cids := make([]int64, len(cs))
	for i, c := range cs {
		cids[i] = c.ID
	}

	// Patents of each contract, by application number.
	patentsOf := map[int64][]string{}
	type evStat struct {
		ContractID int64
		N          int64
		MinSeq     int64
		MaxSeq     int64
	}
	evs := map[int64]evStat{}
	anchored := map[int64]bool{}
	for _, part := range chunks(cids, 5000) {
		var links []struct {
			ContractID    int64
			ApplicationNo string
		}
		if err := db.Table("contract_patents cp").Select("cp.contract_id, p.application_no").
			Joins("JOIN patents p ON p.id = cp.patent_id").Where("cp.contract_id IN ?", part).Scan(&links).Error; err != nil {
			return nil, fmt.Errorf("soakcheck: load patent links: %w", err)
		}
		for _, l := range links {
			patentsOf[l.ContractID] = append(patentsOf[l.ContractID], l.ApplicationNo)
		}
		var st []evStat
		if err := db.Table("contract_events").Select("contract_id, COUNT(*) AS n, MIN(seq) AS min_seq, MAX(seq) AS max_seq").
			Where("contract_id IN ?", part).Group("contract_id").Scan(&st).Error; err != nil {
			return nil, fmt.Errorf("soakcheck: load event counts: %w", err)
		}
		for _, e := range st {
			evs[e.ContractID] = e
		}
		for _, table := range []string{"audit_pending", "audit_anchors"} {
			var got []int64
			if err := db.Table(table).Distinct("contract_id").Where("contract_id IN ?", part).Pluck("contract_id", &got).Error; err != nil {
				return nil, fmt.Errorf("soakcheck: load %s: %w", table, err)
			}
			for _, id := range got {
				anchored[id] = true
			}
		}
	}

	byNo := map[string][]contractRow{}
	byKey := map[string][]contractRow{}
	byPair := map[string][]string{}
	for _, c := range cs {
		byNo[c.ContractNo] = append(byNo[c.ContractNo], c)
		if c.IdempotencyKey != nil {
			byKey[*c.IdempotencyKey] = append(byKey[*c.IdempotencyKey], c)
		}
		for _, p := range patentsOf[c.ID] {
			pair := strconv.FormatInt(c.LicenseeID, 10) + "|" + p
			byPair[pair] = append(byPair[pair], c.ContractNo)
		}
		// Half-existing: what one acceptance writes in its transaction (docs/rules.md §6, §7).
		e, ok := evs[c.ID]
		switch {
		case !ok:
			rep.HalfExisting = append(rep.HalfExisting, c.ContractNo+": no history events")
		case e.MinSeq != 1 || e.MaxSeq != e.N:
			rep.HalfExisting = append(rep.HalfExisting, fmt.Sprintf("%s: events %d..%d, %d of them", c.ContractNo, e.MinSeq, e.MaxSeq, e.N))
		}
		if len(patentsOf[c.ID]) == 0 {
			rep.HalfExisting = append(rep.HalfExisting, c.ContractNo+": no patent link")
		}
		if !anchored[c.ID] {
			rep.HalfExisting = append(rep.HalfExisting, c.ContractNo+": neither anchored nor pending")
		}
	}

	// Rows of no contract, anywhere (foreign keys should make these impossible).
	for _, o := range []struct{ table, what string }{
		{"contract_events", "events"}, {"contract_patents", "patent links"}, {"payments", "payments"}, {"audit_pending", "pending anchors"},
	} {
		var n int64
		q := fmt.Sprintf("SELECT COUNT(*) FROM %s x WHERE NOT EXISTS (SELECT 1 FROM contracts c WHERE c.id = x.contract_id)", o.table)
		if err := db.Raw(q).Scan(&n).Error; err != nil {
			return nil, fmt.Errorf("soakcheck: orphan %s: %w", o.what, err)
		}
		if n > 0 {
			rep.HalfExisting = append(rep.HalfExisting, fmt.Sprintf("%d %s of no contract", n, o.what))
		}
	}

	for no, rows := range byNo {
		if len(rows) > 1 {
			rep.Duplicated = append(rep.Duplicated, fmt.Sprintf("contract number %s: %d contracts", no, len(rows)))
		}
	}
	for k, rows := range byKey {
		if len(rows) > 1 {
			rep.Duplicated = append(rep.Duplicated, fmt.Sprintf("idempotency key %s: %d contracts", k, len(rows)))
		}
	}
	for pair, nos := range byPair {
		if len(nos) > 1 {
			sort.Strings(nos)
			rep.Duplicated = append(rep.Duplicated, fmt.Sprintf("licensee|patent %s: contracts %v", pair, nos))
		}
	}

	scoped := func(a Attempt) string { return strconv.FormatInt(orgID[a.LicenseeUSCC], 10) + ":" + a.Key }
	acked := map[string]bool{}
	for _, a := range acks {
		k := scoped(a.Attempt)
		if acked[k] {
			continue
		}
		acked[k] = true
		rows := byNo[a.ContractNo]
		if len(rows) == 0 {
			rep.Lost = append(rep.Lost, fmt.Sprintf("%s (key %s, %s): no such contract", a.ContractNo, a.Key, a.AppNo))
			continue
		}
		c := rows[0]
		if c.LicenseeID != orgID[a.LicenseeUSCC] || !contains(patentsOf[c.ID], a.AppNo) {
			rep.Lost = append(rep.Lost, fmt.Sprintf("%s (key %s): not the licensee's contract for %s", a.ContractNo, a.Key, a.AppNo))
			continue
		}
		if a.Created {
			if kr := byKey[k]; len(kr) == 0 || kr[0].ContractNo != a.ContractNo {
				rep.Lost = append(rep.Lost, fmt.Sprintf("%s (key %s): created by this key, which names no such contract", a.ContractNo, a.Key))
			}
		}
	}
	rep.Acknowledged = len(acked)
	sent := map[string]bool{}
	for _, a := range attempts {
		k := scoped(a)
		if sent[k] {
			continue
		}
		sent[k] = true
		if acked[k] {
			continue
		}
		if len(byKey[k]) > 0 {
			rep.Unacknowledged++
		} else {
			rep.Absent++
		}
	}
	rep.Attempts = len(sent)
	sort.Strings(rep.Lost)
	sort.Strings(rep.Duplicated)
	sort.Strings(rep.HalfExisting)
	return rep, nil
}

// PatentCount is the number of patents in the database: what a search index that has converged holds.
func PatentCount(ctx context.Context, s *market.Store) (int64, error) {
	var n int64
	err := s.Gorm().WithContext(ctx).Table("patents").Count(&n).Error
	return n, err
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func chunks(ids []int64, n int) [][]int64 {
	var out [][]int64
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
