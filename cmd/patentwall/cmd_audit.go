package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

const auditUsage = "usage: patentwall audit verify [--expect FILE] | patentwall audit digest [--out FILE]"

func init() {
	commands["audit"] = command{summary: "audit verify|digest: check every contract's history and the running digest over all of them", run: runAudit}
}

// runAudit checks the hash chains of every contract's history, its facts and the anchors' running
// digest (market/events.go and market/audit.go document them; docs/interfaces.md §2 the commands).
//
// Both first anchor the chain heads still waiting for the anchorer (market.Store.AnchorPending).
//
//	verify [--expect FILE]  prints "ok: N contracts, M events" and "digest SEQ HEX", or the first broken
//	                        link of each broken contract and exits 1; with --expect, the digest an auditor
//	                        saved earlier (a line "SEQ HEX") must still be the digest after anchor SEQ.
//	digest [--out FILE]     verifies, then prints (or writes to FILE) the line "SEQ HEX" to keep outside
//	                        the database.
func runAudit(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "digest") {
		return usageErr(auditUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("audit "+sub, flag.ContinueOnError)
	var expect, out string
	if sub == "verify" {
		fs.StringVar(&expect, "expect", "", "a digest saved by audit digest, to compare")
	} else {
		fs.StringVar(&out, "out", "", "write the digest to this file")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return usageErr(auditUsage)
	}
	var wantSeq int64
	var wantDigest string
	if expect != "" {
		b, err := os.ReadFile(expect)
		if err != nil {
			return err
		}
		f := strings.Fields(string(b))
		if len(f) != 2 {
			return fmt.Errorf("audit: %s: want one line \"SEQ DIGEST\"", expect)
		}
		if wantSeq, err = strconv.ParseInt(f[0], 10, 64); err != nil || wantSeq < 0 || len(f[1]) != 64 {
			return fmt.Errorf("audit: %s: want one line \"SEQ DIGEST\"", expect)
		}
		wantDigest = strings.ToLower(f[1])
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	// Anchor the chain heads still waiting (a serving process does this about once a second), so the
	// digest printed covers every step committed before this command started.
	if _, err := s.AnchorPending(ctx); err != nil {
		return err
	}
	rep, err := s.VerifyChains(ctx)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%d %s\n", rep.Anchors, rep.Digest)
	bad := !rep.OK()
	for _, b := range rep.Broken {
		fmt.Fprintf(env.Stderr, "broken: %s\n", b)
	}
	if expect != "" {
		if got, ok := rep.DigestAt(wantSeq); !ok || got != wantDigest {
			if !ok {
				got = fmt.Sprintf("only %d anchors", rep.Anchors)
			}
			fmt.Fprintf(env.Stderr, "broken: digest after anchor %d: expected %s (%s), found %s\n", wantSeq, wantDigest, expect, got)
			bad = true
		}
	}
	if bad {
		fmt.Fprintf(env.Stderr, "%d of %d contracts have a broken history (%d events checked)\n", len(rep.Broken), rep.Contracts, rep.Events)
		return errSilent{fmt.Errorf("audit: %d broken chains", len(rep.Broken))}
	}
	if sub == "digest" {
		if out != "" {
			return os.WriteFile(out, []byte(line), 0o644)
		}
		_, err := fmt.Fprint(env.Stdout, line)
		return err
	}
	fmt.Fprintf(env.Stdout, "ok: %d contracts, %d events\ndigest %s", rep.Contracts, rep.Events, line)
	return nil
}
