package web_test

// SQL lives in market and its subpackages (and bonus, for its own tables): web and cmd call named store
// methods and never reach the database themselves (docs/architecture.md). This test holds them to it.
// It type-checks the non-test files of patentwall/web/... and patentwall/cmd/... and fails on any
//
//   - import of gorm.io/... or database/sql/...;
//   - use of an object of those packages, even without importing them: a method called on a value
//     obtained elsewhere (a.Store.Gorm().Raw(...)), a type named, a field read;
//   - expression whose type involves them (a *gorm.DB or *sql.DB passed along, a callback taking a
//     transaction such as Store.Tx's);
//   - call of (*market.Store).Gorm or (*market.Store).Bound, the doors for the packages that own SQL.
//
// Test files may still use Gorm() to write fixtures straight into the tables: they are not loaded here.

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// archForbiddenPkg reports whether a package path is one web and cmd must not touch.
func archForbiddenPkg(path string) bool {
	return path == "database/sql" || strings.HasPrefix(path, "database/sql/") || strings.HasPrefix(path, "gorm.io/")
}

// archForbiddenFuncs are functions of allowed packages that web and cmd must not call.
var archForbiddenFuncs = map[string]bool{
	"(*patentwall/market.Store).Gorm":  true,
	"(*patentwall/market.Store).Bound": true,
}

func TestWebAndCmdRunNoSQL(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedImports |
			packages.NeedTypes | packages.NeedTypesInfo,
		Dir:   root,
		Tests: false,
	}
	pkgs, err := packages.Load(cfg, "patentwall/web/...", "patentwall/cmd/...")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	var found []string
	for _, p := range pkgs {
		if len(p.Syntax) == 0 { // test files only (web/e2e)
			continue
		}
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
		checked++
		found = append(found, archViolations(root, p)...)
	}
	if checked < 3 {
		t.Fatalf("only %d packages checked: the patterns no longer match web and cmd", checked)
	}
	for _, v := range found {
		t.Error(v)
	}
	if len(found) > 0 {
		t.Log("web and cmd call named methods of market.Store (or bonus, search/sqlbaseline) for anything stored: see docs/architecture.md")
	}
}

// archViolations lists one package's violations as "file:line: what", in file and line order. A line
// that names what it uses reports that; a line that only handles such a value reports its type.
func archViolations(root string, p *packages.Package) []string {
	type finding struct {
		file      string
		line, col int
		typeOnly  bool
		what      string
	}
	var fs []finding
	add := func(pos token.Pos, typeOnly bool, format string, args ...any) {
		position := p.Fset.Position(pos)
		file := position.Filename
		if rel, err := filepath.Rel(root, file); err == nil {
			file = filepath.ToSlash(rel)
		}
		fs = append(fs, finding{file, position.Line, position.Column, typeOnly, fmt.Sprintf(format, args...)})
	}
	for _, f := range p.Syntax {
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); archForbiddenPkg(path) {
				add(imp.Pos(), false, "imports %s", path)
			}
		}
	}
	info := p.TypesInfo
	useOf := func(id *ast.Ident, obj types.Object) {
		if obj == nil || obj.Pkg() == nil {
			return
		}
		fn, isFunc := obj.(*types.Func)
		switch {
		case isFunc && archForbiddenFuncs[fn.FullName()]:
			add(id.Pos(), false, "calls %s", fn.FullName())
		case !archForbiddenPkg(obj.Pkg().Path()):
		case isFunc:
			add(id.Pos(), false, "calls %s", fn.FullName())
		default:
			add(id.Pos(), false, "uses %s %s.%s", archKind(obj), obj.Pkg().Path(), obj.Name())
		}
	}
	for id, obj := range info.Uses {
		useOf(id, obj)
	}
	for sel, s := range info.Selections {
		useOf(sel.Sel, s.Obj())
	}
	for e, tv := range info.Types {
		if tv.Type != nil && archMentions(tv.Type) != "" {
			add(e.Pos(), true, "handles a value of type %s", types.TypeString(tv.Type, nil))
		}
	}
	slices.SortFunc(fs, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col),
			cmp.Compare(len(a.what), len(b.what)), cmp.Compare(a.what, b.what))
	})
	direct := map[string]bool{} // file:line with a finding that names what it uses
	for _, f := range fs {
		if !f.typeOnly {
			direct[fmt.Sprintf("%s:%d", f.file, f.line)] = true
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		at := fmt.Sprintf("%s:%d", f.file, f.line)
		if f.typeOnly && (direct[at] || seen[at+":type"]) {
			continue
		}
		if v := at + ": " + f.what; !seen[v] {
			seen[v], seen[at+":type"] = true, true
			out = append(out, v)
		}
	}
	return out
}

func archKind(obj types.Object) string {
	switch o := obj.(type) {
	case *types.TypeName:
		return "type"
	case *types.Var:
		if o.IsField() {
			return "field"
		}
		return "variable"
	case *types.Const:
		return "constant"
	}
	return "object"
}

// archMentions returns the forbidden package a type is built from ("" when none). Named types stop the
// walk: a market type with GORM inside it is market's business.
func archMentions(t types.Type) string {
	switch t := t.(type) {
	case *types.Alias:
		if o := t.Obj(); o.Pkg() != nil && archForbiddenPkg(o.Pkg().Path()) {
			return o.Pkg().Path()
		}
		return archMentions(types.Unalias(t))
	case *types.Named:
		if o := t.Obj(); o.Pkg() != nil && archForbiddenPkg(o.Pkg().Path()) {
			return o.Pkg().Path()
		}
		for a := range t.TypeArgs().Types() {
			if p := archMentions(a); p != "" {
				return p
			}
		}
	case *types.Pointer:
		return archMentions(t.Elem())
	case *types.Slice:
		return archMentions(t.Elem())
	case *types.Array:
		return archMentions(t.Elem())
	case *types.Chan:
		return archMentions(t.Elem())
	case *types.Map:
		if p := archMentions(t.Key()); p != "" {
			return p
		}
		return archMentions(t.Elem())
	case *types.Signature:
		if p := archMentions(t.Params()); p != "" {
			return p
		}
		return archMentions(t.Results())
	case *types.Tuple:
		if t == nil {
			return ""
		}
		for v := range t.Variables() {
			if p := archMentions(v.Type()); p != "" {
				return p
			}
		}
	case *types.Struct:
		for f := range t.Fields() {
			if p := archMentions(f.Type()); p != "" {
				return p
			}
		}
	}
	return ""
}
