package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"patentwall/market"
)

// auditFixture creates, through the CLI's own configuration (SQLite under DATA_DIR), one signed free
// licence and returns its store and contract.
func auditFixture(t *testing.T) (*market.Store, *market.Contract) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DATA_DIR", dir)
	t.Setenv("DATABASE_URL", "")
	var out, errb bytes.Buffer
	if code := run([]string{"migrate"}, &out, &errb); code != 0 {
		t.Fatalf("migrate: %d %s", code, errb.String())
	}
	s, err := market.Open(filepath.Join(dir, "patentwall.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Now().UTC()
	holder := &market.Organisation{USCC: "914403001922038216", Name: "持有人", Kind: market.KindUniversity, CreatedAt: now, UpdatedAt: now, VerifiedAt: &now}
	lic := &market.Organisation{USCC: "91330100799655058B", Name: "被许可人", Kind: market.KindEnterprise, CreatedAt: now, UpdatedAt: now, VerifiedAt: &now}
	for _, o := range []*market.Organisation{holder, lic} {
		if err := s.Gorm().Create(o).Error; err != nil {
			t.Fatal(err)
		}
	}
	p := &market.Patent{ApplicationNo: "202010566088.9", Type: market.TypeInvention, Title: "一种装置", PatenteeID: holder.ID,
		FilingDate: market.MustDate("2020-06-19"), Status: market.StatusGranted, CreatedAt: now, UpdatedAt: now}
	if err := s.Gorm().Create(p).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.Gorm().Create(&market.Declaration{PatentID: p.ID, FeeModel: market.FeeFree, TermMonths: 12, Status: market.DeclLive, PublishedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	u := &market.User{OrgID: &lic.ID, Email: "l@example.cn", PasswordHash: "-", Role: market.RoleLicensee, CreatedAt: now}
	if err := s.Gorm().Create(u).Error; err != nil {
		t.Fatal(err)
	}
	c, _, err := s.AcceptLicence(context.Background(), market.ActorOf(u, lic), p.ApplicationNo, "")
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestAuditVerify(t *testing.T) {
	s, c := auditFixture(t)
	var out, errb bytes.Buffer
	if code := run([]string{"audit", "verify"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "ok: 1 contracts, 2 events\ndigest 1 ") {
		t.Fatalf("clean: exit %d, %q %q", code, out.String(), errb.String())
	}
	// Tamper with the second event's payload, as someone bypassing the append-only trigger would.
	for _, q := range []string{"DROP TRIGGER contract_events_no_update",
		"UPDATE contract_events SET payload = REPLACE(payload, 'nothing due', 'paid') WHERE seq = 2"} {
		if err := s.Gorm().Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	errb.Reset()
	code := run([]string{"audit", "verify"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "contract "+c.ContractNo+": seq 2: hash: expected ") {
		t.Errorf("tampered: exit %d, %q %q", code, out.String(), errb.String())
	}
	for _, args := range [][]string{{"audit"}, {"audit", "check"}, {"audit", "verify", "x"}, {"audit", "digest", "--expect", "f"}} {
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// An edited licensee and a contract deleted without a trace inside the database: the first breaks the
// history's facts, the second only the digest an auditor kept.
func TestAuditVerifyFactsAndDigest(t *testing.T) {
	s, c := auditFixture(t)
	saved := filepath.Join(t.TempDir(), "digest.txt")
	var out, errb bytes.Buffer
	if code := run([]string{"audit", "digest", "--out", saved}, &out, &errb); code != 0 {
		t.Fatalf("digest: exit %d %q", code, errb.String())
	}
	b, err := os.ReadFile(saved)
	if err != nil || !regexp.MustCompile(`^1 [0-9a-f]{64}\n$`).Match(b) {
		t.Fatalf("saved digest %q %v", b, err)
	}
	out.Reset()
	if code := run([]string{"audit", "digest"}, &out, &errb); code != 0 || out.String() != string(b) {
		t.Errorf("digest printed %q, saved %q", out.String(), b)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := s.Gorm().Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	exec("UPDATE contracts SET licensee_id = ? WHERE id = ?", c.LicensorID, c.ID)
	out.Reset()
	errb.Reset()
	code := run([]string{"audit", "verify"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "contract "+c.ContractNo+": seq 2: facts: expected licensee_id=") {
		t.Errorf("licensee edited: exit %d, %q %q", code, out.String(), errb.String())
	}
	exec("UPDATE contracts SET licensee_id = ? WHERE id = ?", c.LicenseeID, c.ID)
	// The contract goes with everything that names it, anchors and head included.
	for _, q := range []string{"DROP TRIGGER contract_events_no_delete", "DROP TRIGGER audit_anchors_no_delete",
		"DELETE FROM contract_events", "DELETE FROM contract_patents", "DELETE FROM notifications", "DELETE FROM contracts",
		"DELETE FROM audit_anchors", "UPDATE audit_head SET seq = 0, digest = '" + market.GenesisHash + "'"} {
		exec(q)
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"audit", "verify"}, &out, &errb); code != 0 {
		t.Fatalf("emptied: exit %d %q", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	code = run([]string{"audit", "verify", "--expect", saved}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "digest after anchor 1: expected "+strings.Fields(string(b))[1]) {
		t.Errorf("deleted contract: exit %d, %q %q", code, out.String(), errb.String())
	}
}

func TestAdminCreateUser(t *testing.T) {
	s, _ := auditFixture(t)
	var out, errb bytes.Buffer
	code := run([]string{"admin", "create-user", "--email", "Staff@SIPA.gov.cn", "--password", "a long password", "--role", "bureau"}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "created bureau user staff@sipa.gov.cn") {
		t.Fatalf("exit %d: %q %q", code, out.String(), errb.String())
	}
	if u, err := s.UserByEmail(context.Background(), "staff@sipa.gov.cn"); err != nil || u.Role != market.RoleBureau {
		t.Errorf("user %+v %v", u, err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"admin", "create-user", "--email", "x@y.cn", "--password", "a long password"}, 2, "required"},
		{[]string{"admin", "create-user", "--email", "x@y.cn", "--password", "short", "--role", "admin"}, 1, "password"},
		{[]string{"admin", "create-user", "--email", "x@y.cn", "--password", "a long password", "--role", "operator"}, 1, "org"},
		{[]string{"admin", "create-user", "--email", "staff@sipa.gov.cn", "--password", "a long password", "--role", "admin"}, 1, "already"},
		{[]string{"admin", "create-user", "--bogus"}, 2, ""},
		{[]string{"admin", "delete-user"}, 2, "usage"},
	} {
		out.Reset()
		errb.Reset()
		if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d %q, want %d containing %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
	}
}
