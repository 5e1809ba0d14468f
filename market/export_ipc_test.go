package market

import "testing"

// IPCAgainstRegexp lets the external fuzz target (ident_fuzz_test.go) hold ParseIPC to its regular
// expressions (ipc_regexp_test.go).
func IPCAgainstRegexp(t *testing.T, s string) { checkIPCAgainstRegexp(t, s) }
