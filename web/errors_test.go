package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"patentwall/market"
)

// fset positions the parsed sources in messages.
var fset = token.NewFileSet()

// byDefault lists the domain's codes that deliberately have no entry in statusByCode and take statusOf's
// default: 422 when the error names a field, 409 when it does not.
var byDefault = map[string]string{
	market.CodeNoDeclaration:           "422 as ErrNoDeclaration (a field), 409 as ErrNothingToWithdraw",
	market.CodeDeclarationWithdrawn:    "422: names application_no",
	market.CodeTermsChanged:            "422: names declaration_id",
	market.CodeOwnPatent:               "422: names application_no",
	market.CodePatentNotInForce:        "422: names application_no",
	market.CodeIdempotencyKeyReused:    "422: names idempotency_key",
	market.CodeNotAwaitingPayment:      "409",
	market.CodeNotEffective:            "409",
	market.CodeCannotCancel:            "409",
	market.CodePaymentRejected:         "409",
	market.CodePaymentConfirmed:        "409",
	market.CodeInvalidCharacters:       "422: names the field",
	market.CodeNotOffered:              "422: names kind",
	market.CodeIntentExists:            "422: names application_no",
	market.CodeIntentClosed:            "409",
	market.CodeDealRecorded:            "409",
	market.CodeNotAwaitingRegistration: "409",
	market.CodeMarkupNotAllowed:        "422: names the field",
	market.CodeUnknownChannel:          "422: names via or channel",
}

// codeConsts returns the string constants of the non-test files of dir whose names start with prefix
// followed by an upper-case letter (market's CodeX, web's codeX), by name.
func codeConsts(t *testing.T, dir, prefix string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range parseDir(t, dir) {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, n := range vs.Names {
					rest, ok := strings.CutPrefix(n.Name, prefix)
					if !ok || rest == "" || rest[0] < 'A' || rest[0] > 'Z' || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Errorf("%s.%s is not a string literal", dir, n.Name)
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					out[n.Name] = v
				}
			}
		}
	}
	return out
}

func parseDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// TestStatusTable: every code market defines has a deliberate status (an entry of statusByCode, or the
// documented default), codes are defined once, and the table names only defined codes.
func TestStatusTable(t *testing.T) {
	domain := codeConsts(t, "../market", "Code")
	own := codeConsts(t, ".", "code")
	if len(domain) == 0 || len(own) == 0 {
		t.Fatalf("found no code constants: market %v, web %v", domain, own)
	}
	defined := map[string]string{} // code → constant
	for _, consts := range []map[string]string{domain, own} {
		for name, code := range consts {
			if other, dup := defined[code]; dup {
				t.Errorf("code %q is defined twice: %s and %s", code, other, name)
			}
			defined[code] = name
		}
	}
	for code := range statusByCode {
		if _, ok := defined[code]; !ok {
			t.Errorf("statusByCode maps %q, which no Code constant defines", code)
		}
		if _, ok := byDefault[code]; ok {
			t.Errorf("%q is both in statusByCode and listed as taking the default", code)
		}
	}
	for code := range byDefault {
		if _, ok := domain[defined[code]]; !ok {
			t.Errorf("byDefault lists %q, which market does not define", code)
		}
	}
	var missing []string
	for name, code := range domain {
		_, inTable := statusByCode[code]
		_, isDefault := byDefault[code]
		if !inTable && !isDefault {
			missing = append(missing, "market."+name)
		}
	}
	for name, code := range own {
		if _, ok := statusByCode[code]; !ok {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("codes without a deliberate status (add them to statusByCode or byDefault): %v", missing)
	}
}

// TestCodesAreConstants: market's refusals name their code through a Code constant, never a literal, and
// web never spells out a code of the table, so a code cannot drift from its status.
func TestCodesAreConstants(t *testing.T) {
	check := func(dir string, bad func(code string) bool) {
		for _, f := range parseDir(t, dir) {
			ast.Inspect(f, func(n ast.Node) bool {
				var lit ast.Expr
				switch n := n.(type) {
				case *ast.KeyValueExpr:
					if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Code" {
						lit = n.Value
					}
				case *ast.CallExpr:
					if fn, ok := n.Fun.(*ast.Ident); ok && fn.Name == "Conflict" && len(n.Args) > 0 {
						lit = n.Args[0]
					}
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Conflict" && len(n.Args) > 0 {
						lit = n.Args[0]
					}
				}
				if bl, ok := lit.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					if code, _ := strconv.Unquote(bl.Value); bad(code) {
						t.Errorf("%s: the code %s is spelt out; use its constant", fset.Position(bl.Pos()), bl.Value)
					}
				}
				return true
			})
		}
	}
	check("../market", func(string) bool { return true })
	check(".", func(code string) bool { _, ok := statusByCode[code]; return ok })
}

// TestStatusOf: the table first, then the defaults.
func TestStatusOf(t *testing.T) {
	for _, c := range []struct {
		name string
		fe   *market.FieldError
		want int
	}{
		{"not found", market.ErrNotFound, fiber.StatusNotFound},
		{"forbidden", market.ErrForbidden, fiber.StatusForbidden},
		{"not a licensee", market.ErrNotLicensee, fiber.StatusForbidden},
		{"unverified", market.ErrOrgUnverified, fiber.StatusForbidden},
		{"disabled", market.ErrAccountDisabled, fiber.StatusForbidden},
		{"csrf", errCSRF, fiber.StatusForbidden},
		{"unauthenticated", market.ErrUnauth, fiber.StatusUnauthorized},
		{"bad token (names a field)", errBadToken, fiber.StatusUnauthorized},
		{"rate limited", market.ErrRateLimited, fiber.StatusTooManyRequests},
		{"bad json", errBadJSON, fiber.StatusBadRequest},
		{"conflict", market.ErrConflict, fiber.StatusConflict},
		{"nothing to withdraw", market.ErrNothingToWithdraw, fiber.StatusConflict},
		{"not awaiting payment", market.ErrNotAwaitingPayment, fiber.StatusConflict},
		{"no declaration (a field)", market.ErrNoDeclaration, fiber.StatusUnprocessableEntity},
		{"terms changed", market.ErrTermsChanged, fiber.StatusUnprocessableEntity},
		{"field", market.NewFieldError("title", "too_long", "", ""), fiber.StatusUnprocessableEntity},
		{"parameter", market.NewParamError("q", "too_long", "", ""), fiber.StatusBadRequest},
		{"field as parameter", market.NewFieldError("to", "inverted_window", "", "").AsParam(), fiber.StatusBadRequest},
		{"refusal naming no field", market.Conflict("already_withdrawn", "", ""), fiber.StatusConflict},
	} {
		if got := statusOf(c.fe); got != c.want {
			t.Errorf("%s (%s): %d, want %d", c.name, c.fe.Code, got, c.want)
		}
	}
	// Fiber's own statuses keep their codes consistent with the table.
	for _, st := range []int{fiber.StatusNotFound, fiber.StatusTooManyRequests} {
		if got := statusOf(fiberErrorMessage(st)); got != st {
			t.Errorf("fiber %d → %s → %d", st, fiberErrorMessage(st).Code, got)
		}
	}
	// AsParam copies: the shared value keeps its status.
	fe := market.NewFieldError("to", "x", "", "")
	if fe.AsParam(); statusOf(fe) != fiber.StatusUnprocessableEntity {
		t.Error("AsParam changed its receiver")
	}
}
