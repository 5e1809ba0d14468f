package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SchemaVersion of bench-results/report.json (docs/interfaces.md §8): raised when a
// field changes meaning or disappears; adding fields or rows keeps it.
const SchemaVersion = 1

// Report is bench-results/report.json.
type Report struct {
	Schema        string            `json:"schema"`
	SchemaVersion int               `json:"schema_version"`
	Date          string            `json:"date"`
	Commit        string            `json:"commit"`
	Machine       Machine           `json:"machine"`
	Settings      map[string]string `json:"settings"`
	Parts         []PartStatus      `json:"parts"`
	Rows          []Row             `json:"rows"`
}

// Machine is where the run happened: the figures only compare on the same machine, idle alike.
type Machine struct {
	Cores     int       `json:"cores"`
	GoVersion string    `json:"go_version"`
	OS        string    `json:"os"`
	LoadStart []float64 `json:"load_start"` // load average 1, 5, 15 min when make bench started
	LoadEnd   []float64 `json:"load_end"`   // and when the report was made
	CPUModel  string    `json:"cpu_model"`  // /proc/cpuinfo's model name
	// ReferenceMS is the reference workload's time (calibrate.go) before the parts and after them, in
	// milliseconds; empty when not measured.
	ReferenceMS []float64 `json:"reference_ms"`
}

// PartStatus says how a part of the run ended: "ok" or "failed".
type PartStatus struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

func newFlagSet(name string) *flag.FlagSet {
	return flag.NewFlagSet("pwbench "+name, flag.ContinueOnError)
}

// cmdReport: pwbench report -dir bench-results -parts a,b -failed b …: merges the parts' rows files into
// report.json and report.md, prints the table, and fails when a part failed.
func cmdReport(args []string) error {
	set := newFlagSet("report")
	dir := set.String("dir", "bench-results", "where the parts' rows files are and the report goes")
	partList := set.String("parts", strings.Join(parts(), ","), "the parts that ran, comma-separated")
	failedList := set.String("failed", "", "the parts that failed, comma-separated")
	commit := set.String("commit", "", "the git commit measured")
	loadStart := set.String("load-start", "", "the load average when the run started (/proc/loadavg's first three fields)")
	refStart := set.Float64("reference-start", 0, "the reference workload's time before the parts (pwbench calibrate), ms")
	refEnd := set.Float64("reference-end", 0, "the same after the parts, ms")
	if err := set.Parse(args); err != nil {
		return err
	}
	ran, failed := splitList(*partList), splitList(*failedList)
	for _, p := range append(append([]string(nil), ran...), failed...) {
		if !contains(parts(), p) {
			return fmt.Errorf("report: unknown part %q (%s)", p, strings.Join(parts(), ", "))
		}
	}
	rep := Report{
		Schema: "patentwall-bench", SchemaVersion: SchemaVersion, Date: time.Now().UTC().Format(time.RFC3339), Commit: *commit,
		Machine: Machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
			LoadStart: parseLoad(*loadStart), LoadEnd: parseLoad(readLoadavg()), CPUModel: cpuModel(), ReferenceMS: []float64{}},
		Settings: benchSettings(os.Environ()),
	}
	if *refStart > 0 && *refEnd > 0 {
		rep.Machine.ReferenceMS = []float64{*refStart, *refEnd}
	}
	files := map[string][]Row{}
	for _, p := range ran {
		rf, err := readRows(filepath.Join(*dir, p+".rows.json"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		files[p] = rf.Rows
	}
	rep.Parts, rep.Rows = merge(ran, failed, files)
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dir, "report.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	md := markdown(rep)
	if err := os.WriteFile(filepath.Join(*dir, "report.md"), []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	fmt.Fprintf(os.Stderr, "report written to %s and %s\n", filepath.Join(*dir, "report.json"), filepath.Join(*dir, "report.md"))
	if len(failed) > 0 {
		return fmt.Errorf("failed parts: %s", strings.Join(failed, ", "))
	}
	return nil
}

// merge puts the rows of the parts that ran in the order of the figures: a figure a part did not
// deliver is "missing" (or "failed" when its part failed), and every row of a failed part says failed.
func merge(ran, failed []string, files map[string][]Row) ([]PartStatus, []Row) {
	var ps []PartStatus
	var rows []Row
	for _, p := range parts() {
		if !contains(ran, p) && !contains(failed, p) {
			continue
		}
		st := "ok"
		if contains(failed, p) {
			st = "failed"
		}
		ps = append(ps, PartStatus{Name: p, Status: st})
		got := map[string]Row{}
		for _, r := range files[p] {
			got[r.ID] = r
		}
		for _, f := range figures {
			if f.Part != p {
				continue
			}
			r, ok := got[f.ID]
			if !ok {
				r = makeRow(f, nil, nil, "")
			}
			if st == "failed" {
				r.Status = "failed" // the report says it once, above the table
			}
			rows = append(rows, r)
			delete(got, f.ID)
		}
		// Rows a part wrote that the figures do not list (a newer pwbench): kept, after the others.
		var extra []string
		for id := range got {
			extra = append(extra, id)
		}
		sort.Strings(extra)
		for _, id := range extra {
			rows = append(rows, got[id])
		}
	}
	return ps, rows
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func readLoadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return string(b)
}

// parseLoad reads the first three fields of /proc/loadavg.
func parseLoad(s string) []float64 {
	out := []float64{}
	for i, f := range strings.Fields(s) {
		if i == 3 {
			break
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return []float64{}
		}
		out = append(out, v)
	}
	return out
}

// benchSettings are the BENCH_* and PATENTWALL_BENCH_* variables of the run (the sizes: a run with
// small ones is a smoke run, not a figure).
func benchSettings(env []string) map[string]string {
	out := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "BENCH_") || strings.HasPrefix(k, "PATENTWALL_BENCH_") {
			out[k] = v
		}
	}
	return out
}

// markdown is report.md: one table, figure | min / median / max | target | met | baseline | ratio.
func markdown(rep Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# make bench, %s\n\n", rep.Date)
	fmt.Fprintf(&b, "commit %s; %d cores (%s), %s, %s; load average %s at the start, %s at the end",
		orDash(rep.Commit), rep.Machine.Cores, orDash(rep.Machine.CPUModel), rep.Machine.GoVersion, rep.Machine.OS,
		loadText(rep.Machine.LoadStart), loadText(rep.Machine.LoadEnd))
	if r := rep.Machine.ReferenceMS; len(r) == 2 {
		fmt.Fprintf(&b, "; reference workload %s ms at the start, %s ms at the end (`pwbench calibrate`: lower is a faster machine)", num(r[0]), num(r[1]))
	}
	var keys []string
	for k := range rep.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+"="+rep.Settings[k])
		}
		fmt.Fprintf(&b, "; settings %s", strings.Join(kv, " "))
	}
	b.WriteString(".\n\n")
	for _, p := range rep.Parts {
		if p.Status != "ok" {
			fmt.Fprintf(&b, "**Part %s failed** (its output is in bench-results/): its rows below are not figures.\n\n", p.Name)
		}
	}
	b.WriteString("| figure | min / median / max | target | met | baseline | ratio |\n|---|---|---|---|---|---|\n")
	for _, r := range rep.Rows {
		fmt.Fprintf(&b, "| %s: %s | %s | %s | %s | %s | %s |\n", r.Part, mdEscape(r.Name), mmmText(r), targetText(r), metText(r), baselineText(r), ratioText(r))
	}
	var notes []string
	for _, r := range rep.Rows {
		if r.Notes != "" {
			notes = append(notes, fmt.Sprintf("- %s (%s): %s", r.Name, r.ID, r.Notes))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\nNotes:\n\n" + strings.Join(notes, "\n") + "\n")
	}
	return b.String()
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func loadText(l []float64) string {
	if len(l) == 0 {
		return "?"
	}
	var s []string
	for _, v := range l {
		s = append(s, strconv.FormatFloat(v, 'f', 2, 64))
	}
	return strings.Join(s, " ")
}

func mmmText(r Row) string {
	if r.Status == "failed" && r.Median == nil {
		return "failed"
	}
	if r.Median == nil {
		return r.Status
	}
	s := fmt.Sprintf("%s / %s / %s %s", num(*r.Min), num(*r.Median), num(*r.Max), r.Unit)
	if len(r.Runs) != 3 {
		if len(r.Runs) == 1 {
			s += " (1 run)"
		} else {
			s += fmt.Sprintf(" (%d runs)", len(r.Runs))
		}
	}
	if r.Status == "failed" {
		s += " (failed)"
	}
	return s
}

func targetText(r Row) string {
	t := r.Target
	if t == nil {
		return "—"
	}
	op := "≥"
	if t.Op == "<=" {
		op = "≤"
	}
	v := strconv.FormatFloat(t.Value, 'f', -1, 64)
	if t.Value >= 1000 {
		v = groupThousands(strconv.FormatFloat(t.Value, 'f', 0, 64))
	}
	if t.Of == "ratio" {
		return fmt.Sprintf("ratio %s %s", op, v)
	}
	return fmt.Sprintf("%s %s %s", op, v, r.Unit)
}

func metText(r Row) string {
	switch {
	case r.TargetMet == nil:
		return "—"
	case *r.TargetMet:
		return "yes"
	default:
		return "**no**"
	}
}

func baselineText(r Row) string {
	if r.BaselineName == "" {
		return "—"
	}
	if r.BaselineValue == nil {
		return mdEscape(r.BaselineName) + ": none"
	}
	return fmt.Sprintf("%s: %s", mdEscape(r.BaselineName), num(*r.BaselineValue))
}

func ratioText(r Row) string {
	if r.Ratio == nil {
		return "—"
	}
	return num(*r.Ratio) + "×"
}

// num prints a figure with the precision it deserves: 8,306 / 85.3 / 4.95 / 0.137.
func num(v float64) string {
	a := v
	if a < 0 {
		a = -a
	}
	switch {
	case a >= 1000:
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1 || a == 0:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
