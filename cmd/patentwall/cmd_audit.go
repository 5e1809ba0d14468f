package main

import (
	"context"
	"fmt"
)

func init() {
	commands["audit"] = command{summary: "audit verify: check every contract's event hash chain", run: runAudit}
}

// runAudit checks the hash chains of every contract's history (market/events.go documents the hash). It
// prints "ok: N contracts, M events", or the first broken link of each broken contract and exits 1.
func runAudit(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 || args[0] != "verify" {
		return usageErr("usage: patentwall audit verify")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	rep, err := s.VerifyChains(ctx)
	if err != nil {
		return err
	}
	if rep.OK() {
		fmt.Fprintf(env.Stdout, "ok: %d contracts, %d events\n", rep.Contracts, rep.Events)
		return nil
	}
	for _, b := range rep.Broken {
		fmt.Fprintf(env.Stderr, "broken: %s\n", b)
	}
	fmt.Fprintf(env.Stderr, "%d of %d contracts have a broken history (%d events checked)\n", len(rep.Broken), rep.Contracts, rep.Events)
	return errSilent{fmt.Errorf("audit: %d broken chains", len(rep.Broken))}
}
