package main

// patentwall bonus disqualify | recover: the reviewer's Art. 26 actions besides reviewing lines
// (docs/interfaces.md §2.1, docs/rules.md §9.8, §9.10).

import (
	"context"
	"flag"
	"fmt"

	"patentwall/bonus"
	"patentwall/market"
)

func bonusDisqualify(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus disqualify", flag.ContinueOnError)
	roundID := fs.String("round", "", "round ID")
	recipient := fs.String("recipient", "", "the recipient's USCC")
	note := fs.String("note", "", "why (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roundID == "" || *recipient == "" {
		return usageErr("--round and --recipient are required")
	}
	s, err := env.Store(ctx)
	if err != nil {
		return err
	}
	uscc, _, err := market.ValidateUSCC(*recipient)
	if err != nil {
		return fieldErrors(env, err)
	}
	if _, err := bonus.Disqualify(ctx, s, bonus.CommandLine, *roundID, uscc, *note); err != nil {
		return fieldErrors(env, err)
	}
	fmt.Fprintf(env.Stdout, "disqualified %s in %s; the next run claws back what it was paid\n", uscc, *roundID)
	return nil
}

func bonusRecover(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bonus recover", flag.ContinueOnError)
	roundID := fs.String("round", "", "round ID")
	contractNo := fs.String("contract", "", "contract number")
	patent := fs.String("patent", "", "application number (per-patent rounds)")
	amount := fs.String("amount-yuan", "", "the amount recovered, in yuan")
	on := fs.String("on", "", "the day the money came back (YYYY-MM-DD)")
	reference := fs.String("reference", "", "the repayment's reference (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roundID == "" || *contractNo == "" || *amount == "" || *on == "" {
		return usageErr("--round, --contract, --amount-yuan and --on are required")
	}
	fen, fe := market.ParseYuanFen("amount_yuan", *amount)
	if fe != nil {
		return usageErr("--amount-yuan: %s", fe.MessageEN)
	}
	day, err := dateFlag("on", *on)
	if err != nil {
		return err
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
	rv, err := bonus.RecordRecovery(ctx, s, bonus.CommandLine, *roundID, bonus.RecoveryInput{ContractNo: *contractNo, Patent: p,
		AmountFen: fen, RecoveredOn: day, Reference: *reference})
	if err != nil {
		return fieldErrors(env, err)
	}
	fmt.Fprintf(env.Stdout, "recorded %s yuan recovered on %s %s in %s\n", bonus.Yuan(rv.AmountFen), rv.ContractNo, rv.Patent, *roundID)
	return nil
}
