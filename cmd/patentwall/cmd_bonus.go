package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"patentwall/bonus"
	"patentwall/market"
	"patentwall/market/imports"
)

const bonusUsage = `usage:
  patentwall bonus round create --id ID --rule licensor_open_licence|institution_per_patent --from DATE --to DATE
        --unit-yuan N --cap-yuan N [--recipient-cap-yuan N] [--basis effective|filed]
        [--requires-filing true|false] [--confirm-overlap] [--name NAME]
  patentwall bonus round update --id ID [any create flag]     change a round (unset flags keep their values)
  patentwall bonus round list
  patentwall bonus run --round ID [--as-of YYYY-MM-DD] [--format json|csv|xlsx] [--out FILE] [--freeze] [--dry-run]
        compute and store the round's next run (JSON on stdout by default; xlsx needs --out)
  patentwall bonus runs --round ID                             list the stored runs
  patentwall bonus show --round ID --run N [--format json|csv|xlsx] [--out FILE]
  patentwall bonus freeze --round ID --run N                   mark a run final (paid)
  patentwall bonus compare --round ID --runs A,B               added, removed and changed lines, clawbacks
  patentwall bonus held --round ID                             the review queue of the latest run
  patentwall bonus review --round ID --contract NO [--patent APPNO] --approve|--reject --note TEXT
        decide a flagged line, or reject a paid line without flags (a fake deal)
  patentwall bonus disqualify --round ID --recipient USCC --note TEXT
  patentwall bonus recover --round ID --contract NO [--patent APPNO] --amount-yuan N --on DATE --reference REF
  patentwall bonus records [--from DATE] [--to DATE] [--district D] [--industry I] [--kind K] [--fee-model F]
        [--format json|csv|xlsx] [--out FILE]                  transaction records`

func init() {
	commands["bonus"] = command{summary: "bonus round create|update|list, run, runs, show, freeze, compare, held, review, disqualify, recover, records", run: runBonus}
}

func runBonus(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, bonusUsage)
		if len(args) == 0 {
			return usageErr("a subcommand is required")
		}
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	if sub == "round" {
		if len(rest) == 0 {
			return usageErr("round create|update|list\n%s", bonusUsage)
		}
		sub, rest = "round "+rest[0], rest[1:]
	}
	run, ok := map[string]func(context.Context, *Env, []string) error{
		"round create": bonusRoundSave, "round update": bonusRoundSave, "round list": bonusRoundList,
		"run": bonusRun, "runs": bonusRuns, "show": bonusShow, "freeze": bonusFreeze, "compare": bonusCompare,
		"held": bonusHeld, "review": bonusReview, "records": bonusRecords,
		"disqualify": bonusDisqualify, "recover": bonusRecover,
	}[sub]
	if !ok {
		return usageErr("unknown subcommand %q\n%s", sub, bonusUsage)
	}
	if strings.HasPrefix(sub, "round ") {
		return run(ctx, env, append([]string{strings.TrimPrefix(sub, "round ")}, rest...))
	}
	return run(ctx, env, rest)
}

// parseFlags parses flags and refuses positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageErr("%s", bonusUsage)
		}
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments: %v", fs.Args())
	}
	return nil
}

// fieldErrors prints user errors (every field) and fails silently; other errors pass through.
func fieldErrors(env *Env, err error) error {
	fes := market.AsFieldErrors(err)
	if fes == nil {
		return err
	}
	lang := cliLang()
	for _, fe := range fes {
		if fe.Field != "" {
			field := fe.Field
			if f, ok := roundFlags[field]; ok {
				field = f
			}
			fmt.Fprintf(env.Stderr, "%s: %s\n", field, fe.Message(lang))
		} else {
			fmt.Fprintln(env.Stderr, fe.Message(lang))
		}
	}
	return errSilent{err}
}

// roundFlags names the command-line flag of a round's field in error messages.
var roundFlags = map[string]string{"id": "--id", "rule": "--rule", "window_from": "--from", "window_to": "--to",
	"basis": "--basis", "unit_fen": "--unit-yuan", "cap_fen": "--cap-yuan", "recipient_cap_fen": "--recipient-cap-yuan"}

// yuanFlag parses an amount in yuan into fen. A minus sign is kept so that the round's validation
// reports a negative amount together with every other problem of the round.
func yuanFlag(name, s string) (int64, error) {
	fen, fe := market.ParseSignedYuan(name, s)
	if fe != nil {
		return 0, usageErr("--%s: %s", name, fe.MessageEN)
	}
	return int64(fen), nil
}

func dateFlag(name, s string) (market.Date, error) {
	d, fe := market.ParseDateField(name, s)
	if fe != nil {
		return d, usageErr("--%s: %s", name, fe.MessageEN)
	}
	return d, nil
}

func bonusRoundSave(ctx context.Context, env *Env, args []string) error {
	create := args[0] == "create"
	fs := flag.NewFlagSet("bonus round "+args[0], flag.ContinueOnError)
	id := fs.String("id", "", "round ID, e.g. art22-2023")
	name := fs.String("name", "", "name of the round")
	rule := fs.String("rule", "", "licensor_open_licence or institution_per_patent")
	from := fs.String("from", "", "first day of the window (YYYY-MM-DD)")
	to := fs.String("to", "", "last day of the window (YYYY-MM-DD)")
	unit := fs.String("unit-yuan", "", "amount per contract or patent, in yuan")
	capYuan := fs.String("cap-yuan", "", "total cap, in yuan")
	rcap := fs.String("recipient-cap-yuan", "", "per-recipient cap in yuan (\"none\" removes it)")
	basis := fs.String("basis", "", "effective (default) or filed")
	filing := fs.String("requires-filing", "", "true (default) or false")
	confirm := fs.Bool("confirm-overlap", false, "accept a window overlapping another round of the same rule")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *id == "" {
		return usageErr("--id is required")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if create {
		for _, f := range []string{"rule", "from", "to", "unit-yuan", "cap-yuan"} {
			if !set[f] {
				return usageErr("--%s is required\n%s", f, bonusUsage)
			}
		}
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	in := bonus.RoundInput{ID: *id, RequiresFiling: true, Flags: bonus.DefaultFlags(), Basis: bonus.BasisEffective}
	if !create {
		r, err := getRound(ctx, env, s, *id)
		if err != nil {
			return err
		}
		in = r.Input()
	}
	in.ConfirmOverlap = *confirm
	if set["name"] {
		in.Name = *name
	}
	if set["rule"] {
		in.Rule = *rule
	}
	if set["basis"] {
		in.Basis = *basis
	}
	if set["from"] {
		if in.From, err = dateFlag("from", *from); err != nil {
			return err
		}
	}
	if set["to"] {
		if in.To, err = dateFlag("to", *to); err != nil {
			return err
		}
	}
	if set["unit-yuan"] {
		if in.UnitFen, err = yuanFlag("unit-yuan", *unit); err != nil {
			return err
		}
	}
	if set["cap-yuan"] {
		if in.CapFen, err = yuanFlag("cap-yuan", *capYuan); err != nil {
			return err
		}
	}
	if set["recipient-cap-yuan"] {
		in.RecipientCapFen = nil
		if *rcap != "none" && *rcap != "" {
			fen, err := yuanFlag("recipient-cap-yuan", *rcap)
			if err != nil {
				return err
			}
			in.RecipientCapFen = &fen
		}
	}
	if set["requires-filing"] {
		v, fe := imports.ParseBool(*filing)
		if fe != nil {
			return usageErr("--requires-filing: use true or false")
		}
		in.RequiresFiling = v
	}
	save := bonus.UpdateRound
	if create {
		save = bonus.CreateRound
	}
	r, err := save(ctx, s, bonus.CommandLine, in)
	if err != nil {
		return fieldErrors(env, err)
	}
	verb := "updated"
	if create {
		verb = "created"
	}
	fmt.Fprintf(env.Stdout, "%s round %s (%s, %s … %s, %s yuan each, cap %s yuan)\n", verb, r.ID, r.Rule, r.WindowFrom, r.WindowTo,
		bonus.Yuan(r.UnitFen), bonus.Yuan(r.CapFen))
	return nil
}

func bonusRoundList(ctx context.Context, env *Env, args []string) error {
	if err := parseFlags(flag.NewFlagSet("bonus round list", flag.ContinueOnError), args[1:]); err != nil {
		return err
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	rounds, err := bonus.ListRounds(ctx, s)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRULE\tWINDOW\tBASIS\tUNIT (YUAN)\tCAP (YUAN)\tRECIPIENT CAP\tFILING\tNAME")
	for _, r := range rounds {
		rc := "-"
		if r.RecipientCapFen != nil {
			rc = bonus.Yuan(*r.RecipientCapFen)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s … %s\t%s\t%s\t%s\t%s\t%v\t%s\n", r.ID, r.Rule, r.WindowFrom, r.WindowTo, r.Basis,
			bonus.Yuan(r.UnitFen), bonus.Yuan(r.CapFen), rc, r.RequiresFiling, r.Name)
	}
	return tw.Flush()
}

// outputFlags are --format and --out, shared by the commands that write a run or records.
type outputFlags struct{ format, out *string }

func addOutputFlags(fs *flag.FlagSet) outputFlags {
	return outputFlags{fs.String("format", "json", "json, csv or xlsx"), fs.String("out", "", "file to write (default: stdout)")}
}

func (o outputFlags) check() error {
	switch *o.format {
	case "json", "csv":
	case "xlsx":
		if *o.out == "" {
			return usageErr("--format xlsx needs --out FILE")
		}
	default:
		return usageErr("--format must be json, csv or xlsx")
	}
	return nil
}

// write sends the output to --out (written to a temporary file, then renamed) or stdout.
func (o outputFlags) write(env *Env, fn func(w io.Writer) error) error {
	if *o.out == "" {
		return fn(env.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(*o.out), ".patentwall-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *o.out)
}

func writeRun(env *Env, o outputFlags, res *bonus.RunResult, roundName string) error {
	return o.write(env, func(w io.Writer) error {
		switch *o.format {
		case "csv":
			return res.WriteCSV(w)
		case "xlsx":
			return res.WriteXLSX(w, roundName)
		}
		return res.WriteJSON(w)
	})
}

func bonusRun(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus run", flag.ContinueOnError)
	roundID := fs.String("round", "", "round ID")
	asOf := fs.String("as-of", "", "the day whose knowledge counts (default: today, Shanghai)")
	freeze := fs.Bool("freeze", false, "mark the run final (paid) at once")
	dry := fs.Bool("dry-run", false, "compute without storing the run")
	out := addOutputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roundID == "" {
		return usageErr("--round is required")
	}
	if err := out.check(); err != nil {
		return err
	}
	day := market.DateOf(time.Now())
	if *asOf != "" {
		var err error
		if day, err = dateFlag("as-of", *asOf); err != nil {
			return err
		}
	}
	if *dry && *freeze {
		return usageErr("--dry-run and --freeze exclude each other")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	round, err := getRound(ctx, env, s, *roundID)
	if err != nil {
		return err
	}
	start := time.Now()
	var res *bonus.RunResult
	var info *bonus.RunInfo
	if *dry {
		res, err = bonus.Run(ctx, s, round.ID, day)
	} else {
		info, res, err = bonus.Compute(ctx, s, bonus.CommandLine, round.ID, day, *freeze)
	}
	if err != nil {
		return fieldErrors(env, err)
	}
	if err := writeRun(env, out, res, round.Name); err != nil {
		return err
	}
	held := 0
	for i := range res.Lines {
		if res.Lines[i].Status == bonus.StatusHeld {
			held++
		}
	}
	what := "computed (not stored)"
	if info != nil {
		what = fmt.Sprintf("stored as run %d", info.N)
		if info.Frozen {
			what += " (frozen)"
		}
	}
	fmt.Fprintf(env.Stderr, "%s as of %s %s in %.1fs: %d lines, %d held, eligible %s yuan, pays %s yuan of a %s yuan cap, %d clawbacks\n",
		round.ID, day, what, time.Since(start).Seconds(), len(res.Lines), held, bonus.Yuan(res.EligibleFen),
		bonus.Yuan(res.TotalFen), bonus.Yuan(res.CapFen), len(res.Clawbacks))
	return nil
}

// getRound loads a round, explaining a missing one.
func getRound(ctx context.Context, env *Env, s *market.Store, id string) (*bonus.Round, error) {
	r, err := bonus.GetRound(ctx, s, id)
	if errors.Is(err, market.ErrNotFound) {
		fmt.Fprintf(env.Stderr, "no round %q (patentwall bonus round list shows them)\n", id)
		return nil, errSilent{err}
	}
	return r, err
}

func roundAndRun(fs *flag.FlagSet) (*string, *int) {
	return fs.String("round", "", "round ID"), fs.Int("run", 0, "run number")
}

func bonusRuns(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus runs", flag.ContinueOnError)
	roundID := fs.String("round", "", "round ID")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roundID == "" {
		return usageErr("--round is required")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	runs, err := bonus.Runs(ctx, s, *roundID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tAS OF\tLINES\tELIGIBLE\tHELD\tTOTAL (YUAN)\tSCALED\tCLAWBACK (YUAN)\tFROZEN\tCREATED\tINPUT HASH")
	for _, r := range runs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%s\t%v\t%s\t%v\t%s\t%s\n", r.N, r.AsOf, r.LineCount, r.EligibleCount, r.HeldCount,
			bonus.Yuan(r.TotalFen), r.Scaled, bonus.Yuan(r.ClawbackFen), r.Frozen, market.FormatDateTime(r.CreatedAt),
			r.InputHash[:12])
	}
	return tw.Flush()
}

func bonusShow(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus show", flag.ContinueOnError)
	roundID, n := roundAndRun(fs)
	out := addOutputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roundID == "" || *n <= 0 {
		return usageErr("--round and --run are required")
	}
	if err := out.check(); err != nil {
		return err
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	round, err := getRound(ctx, env, s, *roundID)
	if err != nil {
		return err
	}
	_, res, err := bonus.LoadRun(ctx, s, *roundID, *n)
	if err != nil {
		return fieldErrors(env, err)
	}
	return writeRun(env, out, res, round.Name)
}

func bonusFreeze(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus freeze", flag.ContinueOnError)
	roundID, n := roundAndRun(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roundID == "" || *n <= 0 {
		return usageErr("--round and --run are required")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	if err := bonus.Freeze(ctx, s, bonus.CommandLine, *roundID, *n); err != nil {
		return fieldErrors(env, err)
	}
	fmt.Fprintf(env.Stdout, "run %d of %s is frozen\n", *n, *roundID)
	return nil
}

func bonusCompare(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus compare", flag.ContinueOnError)
	roundID := fs.String("round", "", "round ID")
	runs := fs.String("runs", "", "two run numbers, A,B")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, b, ok := strings.Cut(*runs, ",")
	na, errA := strconv.Atoi(strings.TrimSpace(a))
	nb, errB := strconv.Atoi(strings.TrimSpace(b))
	if *roundID == "" || !ok || errA != nil || errB != nil {
		return usageErr("--round ID --runs A,B are required")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	cmp, err := bonus.Compare(ctx, s, *roundID, na, nb)
	if err != nil {
		return fieldErrors(env, err)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", " ")
	return enc.Encode(cmp)
}

func bonusHeld(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus held", flag.ContinueOnError)
	roundID := fs.String("round", "", "round ID")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roundID == "" {
		return usageErr("--round is required")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	lines, err := bonus.HeldLines(ctx, s, *roundID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTRACT\tPATENT\tRECIPIENT\tLICENSEE\tFLAGS\tDECISION")
	for _, l := range lines {
		dec := "-"
		if l.Decision != nil {
			dec = map[bool]string{true: "approved", false: "rejected"}[l.Decision.Approved] + " (new flags since)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s %s\t%s\t%s\n", l.ContractNo, l.Patent, l.RecipientUSCC, l.RecipientName,
			l.LicenseeUSCC, l.LicenseeName, strings.Join(l.Flags.Codes(), ","), dec)
	}
	return tw.Flush()
}

func bonusReview(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus review", flag.ContinueOnError)
	roundID := fs.String("round", "", "round ID")
	contractNo := fs.String("contract", "", "contract number")
	patent := fs.String("patent", "", "application number (per-patent rounds)")
	approve := fs.Bool("approve", false, "approve the line")
	reject := fs.Bool("reject", false, "reject the line")
	note := fs.String("note", "", "why (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roundID == "" || *contractNo == "" || *approve == *reject {
		return usageErr("--round, --contract and one of --approve or --reject are required")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	p := *patent
	if p != "" {
		if p, err = market.NormalizeApplicationNo(p); err != nil {
			return fieldErrors(env, err)
		}
	}
	d, err := bonus.Review(ctx, s, bonus.CommandLine, *roundID, *contractNo, p, *approve, *note)
	if err != nil {
		return fieldErrors(env, err)
	}
	verb := "rejected"
	if d.Approved {
		verb = "approved"
	}
	fmt.Fprintf(env.Stdout, "%s %s %s in %s; the next run applies it\n", verb, d.ContractNo, d.Patent, *roundID)
	return nil
}

func bonusRecords(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus records", flag.ContinueOnError)
	from := fs.String("from", "", "first signing day (YYYY-MM-DD)")
	to := fs.String("to", "", "last signing day (YYYY-MM-DD)")
	var f bonus.Filter
	fs.StringVar(&f.District, "district", "", "a Shanghai district (name or code): either party")
	fs.StringVar(&f.Industry, "industry", "", "an industry of the contract's patents")
	fs.StringVar(&f.Kind, "kind", "", "contract kind")
	fs.StringVar(&f.FeeModel, "fee-model", "", "free, lump_sum, royalty or entry_plus_royalty")
	out := addOutputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := out.check(); err != nil {
		return err
	}
	var err error
	if *from != "" {
		if f.From, err = dateFlag("from", *from); err != nil {
			return err
		}
	}
	if *to != "" {
		if f.To, err = dateFlag("to", *to); err != nil {
			return err
		}
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	recs, err := bonus.ContractRecords(ctx, s, f)
	if err != nil {
		return fieldErrors(env, err)
	}
	return out.write(env, func(w io.Writer) error {
		switch *out.format {
		case "csv":
			return bonus.WriteRecordsCSV(w, recs)
		case "xlsx":
			return bonus.WriteRecordsXLSX(w, recs)
		}
		return bonus.WriteRecordsJSON(w, f, recs)
	})
}
