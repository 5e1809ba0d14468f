package bonus

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// TestLoadFilingParties: loading CNIPA's list resolves a party the platform knows to its organisation
// and gives every occurrence of an unknown one an index of its own that reads back as its USCC, the
// same USCC named twice included; the list loaded equals the one built with AddFiling.
func TestLoadFilingParties(t *testing.T) {
	markettest.Each(t, func(t *testing.T, s *market.Store) {
		ctx := context.Background()
		now := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
		for _, uscc := range []string{"KNOWN1", "KNOWN2"} {
			o := &market.Organisation{USCC: uscc, Name: "单位" + uscc, Kind: market.KindEnterprise, DistrictCode: "310115",
				CreatedAt: now, UpdatedAt: now}
			if err := s.Gorm().Create(o).Error; err != nil {
				t.Fatal(err)
			}
		}
		parties := [][2]string{{"KNOWN1", "EXT1"}, {"EXT1", "EXT2"}, {"KNOWN2", "KNOWN1"}, {"EXT3", "EXT1"}, {"EXT2", "KNOWN2"}}
		want := NewInputs()
		want.AddOrg(OrgFacts{USCC: "KNOWN1"})
		want.AddOrg(OrgFacts{USCC: "KNOWN2"})
		for i, p := range parties {
			f := market.Filing{FilingNo: fmt.Sprintf("F%d", i), FiledOn: market.MustDate("2022-06-01"), Kind: market.ContractOpenLicence,
				Patents: "P1", LicensorUSCC: p[0], LicenseeUSCC: p[1], Status: "effective", ImportedAt: now}
			if err := s.Gorm().Create(&f).Error; err != nil {
				t.Fatal(err)
			}
			want.AddFiling(f)
		}
		in, err := LoadInputs(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.filings) != len(parties) {
			t.Fatalf("%d filings loaded, want %d", len(in.filings), len(parties))
		}
		byNo := map[string]filing{}
		for _, f := range in.filings {
			byNo[f.no] = f
		}
		for i, p := range parties {
			f := byNo[fmt.Sprintf("F%d", i)]
			for k, party := range []int32{f.licensor, f.licensee} {
				_, known := in.orgByUSCC[p[k]]
				if got := in.usccOf(party); got != p[k] || (party >= 0) != known {
					t.Errorf("filing F%d party %d: index %d reads %q, want %q (known %v)", i, k, party, got, p[k], known)
				}
				if known && in.orgs[party].USCC != p[k] {
					t.Errorf("filing F%d party %d: organisation %q, want %q", i, k, in.orgs[party].USCC, p[k])
				}
			}
		}
		seen := map[int32]bool{}
		for _, f := range in.filings {
			for _, party := range []int32{f.licensor, f.licensee} {
				if party < 0 && seen[party] {
					t.Errorf("unknown party index %d given twice", party)
				}
				seen[party] = true
			}
		}
		if len(in.extraUSCC) != len(want.extraUSCC) || len(in.extraUSCC) != 6 {
			t.Errorf("unknown parties: loaded %v, built %v, want 6 occurrences", in.extraUSCC, want.extraUSCC)
		}
		for _, w := range want.filings {
			f := byNo[w.no]
			if in.usccOf(f.licensor) != want.usccOf(w.licensor) || in.usccOf(f.licensee) != want.usccOf(w.licensee) ||
				(f.licensor < 0) != (w.licensor < 0) || (f.licensee < 0) != (w.licensee < 0) {
				t.Errorf("filing %s: loaded parties %q %q, built %q %q", w.no, in.usccOf(f.licensor), in.usccOf(f.licensee),
					want.usccOf(w.licensor), want.usccOf(w.licensee))
			}
		}
	})
}

// An arena gives back every string in order whether the count it expects is right, short or unknown,
// and when the strings after its sample are longer than those in it.
func TestArenaKeepsEveryString(t *testing.T) {
	var want []string
	for i := range 5000 {
		s := fmt.Sprintf("HT%08d", i)
		if i > arenaSample {
			s += strings.Repeat("长", i%7) // longer than the sample's average
		}
		want = append(want, s)
	}
	for _, expect := range []int{0, 10, 2000, 5000, 6000} {
		a := newArena(expect)
		for _, s := range want {
			a.add([]byte(s))
		}
		var got []string
		a.each(func(i int, s string) {
			if i != len(got) {
				t.Fatalf("expect %d: string %d given as %d", expect, len(got), i)
			}
			got = append(got, s)
		})
		if !slices.Equal(got, want) {
			t.Fatalf("expect %d: the arena gave back other strings", expect)
		}
	}
}
