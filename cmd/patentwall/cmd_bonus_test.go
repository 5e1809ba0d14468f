package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func bonusCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"bonus"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestBonusCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv("DATABASE_URL", "")
	t.Setenv("LC_ALL", "C")

	code, out, errs := bonusCLI(t, "round", "list")
	if code != 0 || !strings.Contains(out, "art22-2022") || !strings.Contains(out, "art19-2022") {
		t.Fatalf("round list: %d %q %q", code, out, errs)
	}
	code, out, errs = bonusCLI(t, "round", "create", "--id", "art22-2023", "--rule", "licensor_open_licence", "--from", "2023-01-01",
		"--to", "2023-12-31", "--unit-yuan", "3000", "--cap-yuan", "300000", "--recipient-cap-yuan", "30000", "--requires-filing", "false")
	if code != 0 || !strings.Contains(out, "created round art22-2023") {
		t.Fatalf("create: %d %q %q", code, out, errs)
	}
	// bad rounds: every problem listed, exit 1, nothing created
	code, _, errs = bonusCLI(t, "round", "create", "--id", "bad", "--rule", "per_deal", "--from", "2024-12-31", "--to", "2024-01-01",
		"--unit-yuan", "0", "--cap-yuan", "-5")
	for _, want := range []string{"--rule:", "--to:", "--unit-yuan:", "--cap-yuan:"} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("bad round: exit %d, stderr %q lacks %q", code, errs, want)
		}
	}
	code, _, errs = bonusCLI(t, "round", "create", "--id", "art22-more", "--rule", "licensor_open_licence", "--from", "2023-06-01",
		"--to", "2024-05-31", "--unit-yuan", "3000", "--cap-yuan", "300000")
	if code != 1 || !strings.Contains(errs, "claimed twice") {
		t.Errorf("overlap without confirmation: %d %q", code, errs)
	}
	if code, _, _ := bonusCLI(t, "round", "create", "--id", "x", "--rule", "licensor_open_licence"); code != 2 {
		t.Errorf("missing flags: exit %d, want 2", code)
	}
	if code, _, _ := bonusCLI(t, "round", "create", "--id", "x", "--rule", "licensor_open_licence", "--from", "2025-01-01",
		"--to", "2025-12-31", "--unit-yuan", "1.234", "--cap-yuan", "5"); code != 2 {
		t.Errorf("three decimals: exit %d, want 2", code)
	}
	code, out, _ = bonusCLI(t, "round", "list")
	if strings.Contains(out, "bad") || strings.Contains(out, "art22-more") || !strings.Contains(out, "30000.00") {
		t.Errorf("rounds after bad input: %q", out)
	}

	code, out, errs = bonusCLI(t, "run", "--round", "art22-2022", "--as-of", "2023-03-31")
	if code != 0 || !strings.Contains(errs, "stored as run 1") {
		t.Fatalf("run: %d %q", code, errs)
	}
	var doc struct {
		Round     string `json:"round"`
		AsOf      string `json:"as_of"`
		InputHash string `json:"input_hash"`
		Lines     []any  `json:"lines"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Round != "art22-2022" || doc.AsOf != "2023-03-31" || len(doc.InputHash) != 64 {
		t.Fatalf("run JSON %q: %v", out, err)
	}
	_, again, _ := bonusCLI(t, "run", "--round", "art22-2022", "--as-of", "2023-03-31", "--dry-run")
	if again != out {
		t.Error("the same run twice differs")
	}
	if code, _, errs := bonusCLI(t, "run", "--round", "art22-2022", "--format", "xlsx"); code != 2 || !strings.Contains(errs, "--out") {
		t.Errorf("xlsx to stdout: %d %q", code, errs)
	}
	xlsx := filepath.Join(dir, "run.xlsx")
	if code, _, errs := bonusCLI(t, "run", "--round", "art22-2022", "--as-of", "2023-03-31", "--format", "xlsx", "--out", xlsx, "--freeze"); code != 0 {
		t.Fatalf("xlsx: %d %q", code, errs)
	}
	if f, err := excelize.OpenFile(xlsx); err != nil {
		t.Fatalf("xlsx: %v", err)
	} else {
		if sheets := f.GetSheetList(); len(sheets) < 2 || sheets[0] != "汇总" {
			t.Errorf("sheets %v", sheets)
		}
		f.Close()
	}
	if code, out, _ := bonusCLI(t, "runs", "--round", "art22-2022"); code != 0 || !strings.Contains(out, "true") {
		t.Errorf("runs: %d %q", code, out)
	}
	if code, out, _ := bonusCLI(t, "compare", "--round", "art22-2022", "--runs", "1,2"); code != 0 || !strings.Contains(out, `"same_input_hash": true`) {
		t.Errorf("compare: %d %q", code, out)
	}
	if code, _, errs := bonusCLI(t, "run", "--round", "nope"); code != 1 || !strings.Contains(errs, "nope") {
		t.Errorf("unknown round: %d %q", code, errs)
	}
	if code, _, _ := bonusCLI(t, "show", "--round", "art22-2022", "--run", "9"); code != 1 {
		t.Errorf("missing run: exit %d", code)
	}
	csvPath := filepath.Join(dir, "records.csv")
	if code, _, errs := bonusCLI(t, "records", "--from", "2022-01-01", "--format", "csv", "--out", csvPath); code != 0 {
		t.Fatalf("records: %d %q", code, errs)
	}
	if b, err := os.ReadFile(csvPath); err != nil || !strings.Contains(string(b), "合同编号") {
		t.Errorf("records CSV %q %v", b, err)
	}
	if code, _, _ := bonusCLI(t, "records", "--district", "东京"); code != 1 {
		t.Errorf("unknown district: exit %d", code)
	}
	if code, _, _ := bonusCLI(t, "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}
