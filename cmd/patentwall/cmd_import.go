package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"patentwall/market"
	"patentwall/market/imports"
	"patentwall/search"
)

// importFunc is the shape of every table importer in market/imports.
type importFunc func(context.Context, *market.Store, *imports.Table, imports.Options) (imports.Report, error)

// importers maps `patentwall import KIND` to its importer.
var importers = map[string]importFunc{
	"orgs":      imports.ImportOrgs,
	"patents":   imports.ImportPatents,
	"contracts": imports.ImportContracts,
	"filings":   imports.ImportFilings,
}

// progressThreshold: smaller files finish before a bar is worth drawing (unless stderr is a terminal).
const progressThreshold = 2000

const importUsage = `usage: patentwall import orgs|patents|contracts|filings FILE [--skip-invalid]
       patentwall import ipc FILE.tsv

FILE is CSV (UTF-8, a BOM is fine) or XLSX (first sheet), with the columns of docs/interfaces.md §3.
By default one bad row imports nothing: every bad row is listed as "line N: COLUMN: reason" and the
command exits 1. --skip-invalid imports the good rows and still lists the bad ones.`

func init() {
	commands["import"] = command{summary: "import orgs|patents|contracts|filings|ipc FILE [--skip-invalid]", run: runImport}
}

func runImport(ctx context.Context, env *Env, args []string) error {
	var pos []string
	skip := false
	for _, a := range args {
		switch a {
		case "--skip-invalid", "-skip-invalid":
			skip = true
		case "-h", "--help", "-help":
			fmt.Fprintln(env.Stderr, importUsage)
			return flag.ErrHelp
		default:
			if strings.HasPrefix(a, "-") && a != "-" {
				return usageErr("unknown flag %s\n%s", a, importUsage)
			}
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		return usageErr("need a kind and a file\n%s", importUsage)
	}
	kind, path := pos[0], pos[1]
	lang := cliLang()
	if kind == "ipc" {
		return importIPC(ctx, env, path)
	}
	imp, known := importers[kind]
	if !known {
		return usageErr("unknown kind %q: use orgs, patents, contracts, filings or ipc", kind)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".xlsx":
	default:
		return usageErr("%s: the file must end in .csv or .xlsx", path)
	}

	table, err := imports.Open(path)
	if err != nil {
		return reportFileError(env.Stderr, lang, err)
	}
	store, err := env.Store(ctx)
	if err != nil {
		return err
	}
	opts := imports.Options{SkipInvalid: skip}
	if bar := newImportBar(env.Stderr, len(table.Rows()), kind); bar != nil {
		opts.Progress = func(done, total int) { _ = bar.Set(done) }
		defer bar.Close()
	}
	// A large patent import is indexed while it is written, when this process can hold the embedded
	// index (docs/architecture.md §4); otherwise its outbox rows are drained below.
	var feed *search.Feed
	if kind == "patents" && opts.Owner == nil && len(table.Rows()) > progressThreshold && env.Config.MeiliURL == "" {
		feed = env.startFeed(ctx, store)
	}
	if feed != nil {
		opts.Written = feed.Add
	}
	start := time.Now()
	rep, err := imp(ctx, store, table, opts)
	elapsed := time.Since(start)
	if feed != nil {
		fstart := time.Now()
		bar := newIndexBar(env.Stderr, rep.Rows)
		ferr := feed.Finish(ctx, err == nil, func(done, total int) {
			if bar != nil {
				bar.ChangeMax(max(total, 1))
				_ = bar.Set(done)
			}
		})
		if bar != nil {
			bar.Close()
		}
		if ferr != nil {
			env.Log.Error("indexing the import failed; the search index is rebuilt from the database at the next start", "err", ferr)
		} else if err == nil {
			elapsed += time.Since(fstart)
		}
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(env.Stderr, warningLine(w, lang))
	}
	for _, e := range rep.Errors {
		fmt.Fprintln(env.Stderr, e.Format(lang))
	}
	if errors.Is(err, imports.ErrInvalidRows) {
		if lang == "zh" {
			fmt.Fprintf(env.Stderr, "%d 行有错误：未导入任何数据（--skip-invalid 可导入其余正确的行）\n", rep.Invalid)
		} else {
			fmt.Fprintf(env.Stderr, "%d bad rows: nothing imported (--skip-invalid imports the good rows)\n", rep.Invalid)
		}
		return errSilent{err}
	}
	if err != nil {
		return reportFileError(env.Stderr, lang, err)
	}
	rate := float64(rep.Rows) / max(elapsed.Seconds(), 1e-9)
	fmt.Fprintf(env.Stdout, "imported %s from %s: %s (%.1fs, %.0f rows/s)\n", kind, path, rep.Summary(), elapsed.Seconds(), rate)
	if rep.Invalid > 0 {
		if lang == "zh" {
			fmt.Fprintf(env.Stderr, "已跳过 %d 行错误数据\n", rep.Invalid)
		} else {
			fmt.Fprintf(env.Stderr, "%d bad rows skipped\n", rep.Invalid)
		}
	}
	// The changes are committed with their outbox rows; index them now unless a running server does.
	start = time.Now()
	if err := env.SyncIndex(ctx); err != nil {
		return fmt.Errorf("imported, but updating the search index failed (a later start or `patentwall reindex` catches up): %w", err)
	}
	if el := time.Since(start); el > time.Second {
		total := elapsed + el
		fmt.Fprintf(env.Stdout, "search index updated (%.1fs); end to end %.1fs, %.0f rows/s\n", el.Seconds(), total.Seconds(), float64(rep.Rows)/total.Seconds())
	}
	return nil
}

// importIPC loads IPC titles from a scheme TSV (docs/interfaces.md §3.6).
func importIPC(ctx context.Context, env *Env, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > imports.MaxFileSize {
		return imports.ErrTooLarge
	}
	store, err := env.Store(ctx)
	if err != nil {
		return err
	}
	n, err := store.ImportIPCScheme(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported IPC titles from %s: %d added or changed\n", path, n)
	return env.SyncIndex(ctx)
}

// reportFileError prints a file-level problem (every line of a LineErrors list) and fails silently.
func reportFileError(w io.Writer, lang string, err error) error {
	if es := imports.IsLineErrors(err); es != nil {
		for _, e := range es {
			fmt.Fprintln(w, e.Format(lang))
		}
		return errSilent{err}
	}
	if fes := market.AsFieldErrors(err); fes != nil {
		for _, fe := range fes {
			fmt.Fprintf(w, "patentwall import: %s\n", fe.Message(lang))
		}
		return errSilent{err}
	}
	return err
}

func warningLine(w imports.LineError, lang string) string {
	if lang == "zh" {
		w.ReasonZH = "警告：" + w.ReasonZH
	}
	w.Reason = "warning: " + w.Reason
	return w.Format(lang)
}

// cliLang is "zh" in a Chinese locale, else "en".
func cliLang() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}

// newImportBar draws progress on stderr for long imports, or for any import at a terminal.
func newImportBar(w io.Writer, total int, kind string) *progressbar.ProgressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	if total == 0 || (!tty && total < progressThreshold) {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing "+kind),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}
