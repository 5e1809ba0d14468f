package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The Art. 26 commands refuse bad input naming the field, exit 1 and change nothing.
func TestBonusDisqualifyAndRecoverCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv("DATABASE_URL", "")
	t.Setenv("LC_ALL", "C")
	const uscc = "914403001922038216"
	if code, _, _ := bonusCLI(t, "disqualify", "--round", "art22-2022"); code != 2 {
		t.Errorf("disqualify without --recipient: exit %d, want 2", code)
	}
	code, _, errs := bonusCLI(t, "disqualify", "--round", "art22-2022", "--recipient", uscc, "--note", " ")
	if code != 1 || !strings.Contains(errs, "note") {
		t.Errorf("disqualify without a note: %d %q", code, errs)
	}
	code, _, errs = bonusCLI(t, "recover", "--round", "art22-2022", "--contract", "A1", "--amount-yuan", "100", "--on", "2023-06-01",
		"--reference", "R1")
	if code != 1 || !strings.Contains(errs, "contract_no") {
		t.Errorf("recover what is not owed: %d %q", code, errs)
	}
	if code, _, _ := bonusCLI(t, "recover", "--round", "art22-2022", "--contract", "A1", "--amount-yuan", "1.234", "--on", "2023-06-01"); code != 2 {
		t.Errorf("three decimals: exit %d, want 2", code)
	}
}
