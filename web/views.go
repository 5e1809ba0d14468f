package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// Templates and static files are compiled into the binary, so `patentwall serve` needs no files beside it.
// Other engineers' pages are picked up automatically: put a page in templates/pages/<name>.html (it
// defines "content", optionally "title" and "head") and shared pieces in templates/partials/*.html.
//
//go:embed templates static
var assets embed.FS

// Layouts a page can be rendered into (the template names defined in templates/layouts/).
const (
	LayoutMain   = "layouts/main"   // header, navigation, footer
	LayoutScreen = "layouts/screen" // the wall's big-screen display: no navigation, large type
	LayoutPrint  = "layouts/print"  // printable documents (contracts, notices)
)

// views implements fiber.Views over html/template. Every page is parsed per language, with the
// language's functions bound (so templates write {{t "key"}} rather than passing the language around),
// layouts and partials included: checked at start, kept from its first render (page).
type views struct {
	pages map[string]map[string]*page // lang -> page name -> its template set
	funcs func(lang string) template.FuncMap
	bufs  sync.Pool
}

// page is one page's template set in one language, built on the page's first render. Load has built
// and checked every set once, so a broken template still fails the start; but each set holds its own
// copy of the layouts and partials (html/template escapes a set's trees in place, so sets cannot share
// them), and the 2 × 50-odd sets kept from the start were a third of a serving server's live heap
// (18 MB of 55), most of it for pages a server rarely or never shows.
type page struct {
	base *template.Template // the language's layouts and partials; cloned, never executed
	file string
	once sync.Once
	t    *template.Template
	err  error
}

// template returns the page's set, building it on first use.
func (p *page) template() (*template.Template, error) {
	p.once.Do(func() { p.t, p.err = buildPage(p.base, p.file) })
	return p.t, p.err
}

// buildPage parses the page template file into a copy of base (the layouts and partials).
func buildPage(base *template.Template, file string) (*template.Template, error) {
	t, err := base.Clone()
	if err != nil {
		return nil, err
	}
	if err := parseFile(t, file); err != nil {
		return nil, err
	}
	if t.Lookup("content") == nil {
		return nil, fmt.Errorf("web: template %s defines no \"content\"", file)
	}
	return t, nil
}

var _ fiber.Views = (*views)(nil)

func newViews(funcs func(lang string) template.FuncMap) (*views, error) {
	v := &views{funcs: funcs, bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	return v, v.Load()
}

// Load parses every template; an error names the file.
func (v *views) Load() error {
	shared, err := globAll("templates/layouts", "templates/partials")
	if err != nil {
		return err
	}
	pageFiles, err := globAll("templates/pages")
	if err != nil {
		return err
	}
	v.pages = map[string]map[string]*page{}
	for _, lang := range Langs {
		base := template.New("").Funcs(v.funcs(lang))
		for _, f := range shared {
			if err := parseFile(base, f); err != nil {
				return err
			}
		}
		v.pages[lang] = map[string]*page{}
		for _, f := range pageFiles {
			// Built here only to be checked: the page builds it again when first shown.
			if _, err := buildPage(base, f); err != nil {
				return err
			}
			name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/pages/"), ".html")
			v.pages[lang][name] = &page{base: base, file: f}
		}
	}
	return nil
}

func parseFile(t *template.Template, file string) error {
	b, err := assets.ReadFile(file)
	if err != nil {
		return err
	}
	if _, err := t.New(file).Parse(string(b)); err != nil {
		return fmt.Errorf("web: parse %s: %w", file, err)
	}
	return nil
}

// globAll lists the .html files under the folders (recursively), sorted, so parse order is stable.
func globAll(dirs ...string) ([]string, error) {
	var out []string
	for _, dir := range dirs {
		err := fs.WalkDir(assets, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && path.Ext(p) == ".html" {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("web: list %s: %w", dir, err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Render executes page name in the layout (LayoutMain when none is given) into w. The language is the
// binding's "Lang" entry. The page is rendered into a buffer first so that a template error never
// sends half a page.
func (v *views) Render(w io.Writer, name string, binding any, layouts ...string) error {
	lang := LangZH
	if m, ok := binding.(fiber.Map); ok {
		if l, ok := m["Lang"].(string); ok && l == LangEN {
			lang = LangEN
		}
	}
	p := v.pages[lang][name]
	if p == nil {
		return fmt.Errorf("web: no page template %q", name)
	}
	t, err := p.template()
	if err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	layout := LayoutMain
	if len(layouts) > 0 && layouts[0] != "" {
		layout = layouts[0]
	}
	buf := v.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer v.bufs.Put(buf)
	if err := t.ExecuteTemplate(buf, layout, binding); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
