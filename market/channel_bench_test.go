package market_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"patentwall/market"
	"patentwall/market/markettest"
)

// BenchmarkChannelStats measures the channels' statistics over 1,000,000 contracts on Postgres (target:
// at most 2 s; docs/rules.md §10.5): "bureau" is the bureau's table of every channel for a year, "wall"
// one wall's page with its months. The data is generated in the database (generate_series): 25,000
// organisations, 400,000 patents (three in five with a declaration), 1,000,000 contracts over three
// years (six in ten through one of the 3 walls, their screens or 4 supermarkets), 100,000 intents and
// 500,000 visits. Each iteration is timed; min, median and max are reported in seconds.
// PATENTWALL_BENCH_CONTRACTS scales it all (a smoke run of make bench uses a few thousand contracts).
//
// Run with: pg_virtualenv -t go test -run '^$' -bench BenchmarkChannelStats -benchtime 3x ./market/
func BenchmarkChannelStats(b *testing.B) {
	s := markettest.Postgres(b)
	ctx := context.Background()
	genChannelData(b, s)
	bureau := market.Actor{UserID: 1, Role: market.RoleBureau}
	from, to := market.MustDate("2023-01-01"), market.MustDate("2023-12-31")
	for _, bc := range []struct {
		name string
		fn   func() error
	}{
		{"bureau", func() error {
			all, err := s.AllChannelStats(ctx, bureau, from, to)
			if err == nil && (len(all) != 7 || all[0].Contracts == 0) {
				b.Fatalf("unexpected statistics %+v", all)
			}
			return err
		}},
		{"wall", func() error {
			st, err := s.ChannelStatsFor(ctx, bureau, "wall:w0", from, to)
			if err == nil && (st.Contracts == 0 || len(st.Months) != 12 || st.MedianDays == nil) {
				b.Fatalf("unexpected statistics %+v", st)
			}
			return err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				if err := bc.fn(); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(took[0].Seconds(), "min-s")
			b.ReportMetric(took[len(took)/2].Seconds(), "median-s")
			b.ReportMetric(took[len(took)-1].Seconds(), "max-s")
		})
	}
}

// channelBenchContracts is PATENTWALL_BENCH_CONTRACTS, 1,000,000 by default.
func channelBenchContracts(b *testing.B) int {
	if v := os.Getenv("PATENTWALL_BENCH_CONTRACTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("PATENTWALL_BENCH_CONTRACTS=%q: want a number ≥ 1000", v)
		}
		return n
	}
	return 1_000_000
}

func genChannelData(b *testing.B, s *market.Store) {
	b.Helper()
	start := time.Now()
	// The sizes, in proportion to the contracts as at 1,000,000: $O ordinary organisations (the walls'
	// and supermarkets' operators follow them), $P patents, $I intents, $V visits; intents go to every
	// 13th patent of the first $K·13.
	c := channelBenchContracts(b)
	p := max(1000, c*2/5)
	size := strings.NewReplacer("$O7", strconv.Itoa(max(100, c/40)+7), "$O", strconv.Itoa(max(100, c/40)),
		"$P", strconv.Itoa(p), "$C", strconv.Itoa(c), "$I", strconv.Itoa(max(100, c/10)), "$V", strconv.Itoa(max(100, c/2)),
		"$K", strconv.Itoa(max(1, p*3/40)),
		// the walls' operators, the supermarkets' offices, their agency
		"$W", strconv.Itoa(max(100, c/40)+1), "$F", strconv.Itoa(max(100, c/40)+4), "$A", strconv.Itoa(max(100, c/40)+5))
	for _, q := range []string{
		`INSERT INTO organisations (id, uscc, name, kind, district_code, is_sme, sme_confirmed, created_at, updated_at, verified_at)
		 SELECT i, 'B' || lpad(i::text, 17, '0'), '机构' || i,
		   CASE WHEN i > $O THEN 'association' WHEN i % 50 < 3 THEN 'university' ELSE 'enterprise' END,
		   '3101' || lpad((i % 16)::text, 2, '0'), i % 4 < 3, true, now(), now(), now()
		 FROM generate_series(1, $O7) i`,
		`INSERT INTO walls (id, slug, name, industry, org_id, created_at)
		 SELECT i, 'w' || i, '墙' || i, '行业' || i, $W + i, now() FROM generate_series(0, 2) i`,
		`INSERT INTO supermarkets (id, slug, name, district_code, office_id, agency_id, created_at)
		 SELECT i, 's' || i, '超市' || i, '3101' || lpad(i::text, 2, '0'), $F + i % 3, $A, now() FROM generate_series(0, 3) i`,
		`INSERT INTO patents (id, application_no, type, title, patentee_id, status, industry, transfer_price_fen, created_at, updated_at)
		 SELECT i, 'P' || i, 'invention', '专利' || i, 1 + (i * 7919) % $O, 'granted', '行业' || (i % 5),
		   CASE WHEN i % 13 = 0 THEN 5000000 ELSE 0 END, now(), now()
		 FROM generate_series(1::bigint, $P) i`,
		`INSERT INTO declarations (id, patent_id, fee_model, fee_fen, term_months, status, published_at)
		 SELECT i, i, CASE WHEN i % 3 = 0 THEN 'free' ELSE 'lump_sum' END, CASE WHEN i % 3 = 0 THEN 0 ELSE 100000 END, 36, 'live',
		   timestamptz '2020-06-01' + (i % 900) * interval '1 day'
		 FROM generate_series(1::bigint, $P) i WHERE i % 5 < 3`,
		`INSERT INTO contracts (id, contract_no, kind, source, declaration_id, licensor_id, licensee_id, status, fee_fen,
		   signed_on, effective_on, channel, created_at, updated_at)
		 SELECT i, 'C' || i, CASE WHEN p % 5 < 3 THEN 'open_licence' ELSE 'transfer' END, 'import',
		   CASE WHEN p % 5 < 3 THEN p END, 1 + (p * 7919) % $O, 1 + (i * 31) % $O,
		   CASE WHEN i % 100 < 2 THEN 'cancelled' ELSE 'effective' END, (i % 7) * 100000,
		   date '2021-01-01' + (i % 1095)::int, date '2021-01-01' + (i % 1095)::int,
		   (ARRAY[NULL, NULL, NULL, NULL, 'wall:w0', 'screen:w0', 'wall:w1', 'screen:w2', 'supermarket:s0', 'supermarket:s3'])[1 + i % 10],
		   now(), now()
		 FROM (SELECT i, 1 + (i * 13) % $P AS p FROM generate_series(1::bigint, $C) i) x`,
		`INSERT INTO contract_patents (contract_id, patent_id) SELECT i, 1 + (i * 13) % $P FROM generate_series(1::bigint, $C) i`,
		`INSERT INTO intents (id, patent_id, kind, buyer_id, holder_id, status, channel, created_by, created_at, updated_at)
		 SELECT i, 13 * (1 + i % $K), 'transfer', 1 + (i * 17) % $O, 1 + (13 * (1 + i % $K) * 7919) % $O,
		   CASE WHEN i % 4 = 0 THEN 'open' ELSE 'declined' END,
		   (ARRAY[NULL, 'wall:w0', 'screen:w1', 'supermarket:s1', 'wall:w2'])[1 + i % 5], 1,
		   timestamptz '2021-01-01' + (i % 1095) * interval '1 day', now()
		 FROM generate_series(1::bigint, $I) i`,
		`INSERT INTO channel_visits (channel, patent_id, visitor, day, hits)
		 SELECT (ARRAY['wall:w0', 'screen:w0', 'wall:w1', 'supermarket:s0', 'screen:w2'])[1 + i % 5], 1 + i % $P, 'v' || i,
		   date '2021-01-01' + (i % 1095)::int, 1 + i % 3
		 FROM generate_series(1::bigint, $V) i`,
		`ANALYZE`,
	} {
		if err := s.Gorm().Exec(size.Replace(q)).Error; err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d contracts generated in %s", c, time.Since(start).Round(time.Second))
}
