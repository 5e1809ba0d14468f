package market

import "testing"

func TestWritesAuthTable(t *testing.T) {
	for sql, want := range map[string]bool{
		`UPDATE "api_tokens" SET "revoked_at"=$1 WHERE id = $2`:                                  true,
		`update users set role = 'admin' where id = 1`:                                           true,
		`INSERT INTO organisations (uscc) VALUES ($1) ON CONFLICT DO UPDATE SET x=1`:             true,
		`insert into "users" ("email") values ($1)`:                                              true,
		`DELETE FROM api_tokens WHERE user_id = $1`:                                              true,
		"DELETE\n  FROM\t\"organisations\" WHERE id = 1":                                         true,
		`WITH x AS (UPDATE users SET name = 'a' RETURNING id) SELECT * FROM x`:                   true,
		`SELECT * FROM users WHERE id = 1`:                                                       false,
		`SELECT o.name FROM patents p JOIN organisations o ON o.id = p.patentee_id`:              false,
		`WITH rl0 AS (INSERT INTO rate_limits (key) VALUES ($1)) SELECT 1 FROM organisations le`: false,
		`UPDATE contracts SET channel = $1 WHERE licensee_id IN (SELECT id FROM organisations)`:  false,
		`INSERT INTO notifications (org_id) SELECT id FROM users`:                                false,
		`UPDATE organisations_archive SET x = 1`:                                                 false,
		`DELETE FROM sessions WHERE user_id IN (SELECT id FROM users)`:                           false,
	} {
		if got := writesAuthTable(sql); got != want {
			t.Errorf("%q: %v, want %v", sql, got, want)
		}
	}
}
