-- The raw Postgres ceiling for signing: one transaction doing two INSERTs, like a contract row plus its
-- first history event. Run by scripts/bench_signing_pgbench.sh after scripts/bench_signing_pgbench_setup.sql
-- created the two tables (pgbench scripts cannot hold set-up statements):
--   pgbench -n -f scripts/pgbench_two_inserts.sql -c 32 -j 2 -T 10
BEGIN;
INSERT INTO bench_contracts (licensee, amount_fen, terms, created_at)
  VALUES (:client_id, 5000000, repeat('x', 600), now()) RETURNING id \gset
INSERT INTO bench_events (contract_id, seq, kind, payload, hash, at)
  VALUES (:id, 1, 'notified', '{"status":"effective"}', md5(:id::text), now());
END;
