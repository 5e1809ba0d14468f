package web

// Forms of the accounts, publishing and signing pages: the values as typed, each field's message in the
// request's language, and the small pieces templates need to draw a field. Handlers follow one pattern:
// parse → call market → on user errors re-render with status 422 → on success redirect (POST-redirect-GET).

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

// form is a submitted (or empty) form.
type form struct {
	lang     string
	Values   map[string]string
	Errors   map[string]string // field → message
	Warnings map[string]string // field → overridable finding (e.g. a USCC check character)
	General  []string          // messages that name no field of this form
	fields   map[string]bool
}

func newForm(lang string, fields ...string) *form {
	f := &form{lang: lang, Values: map[string]string{}, Errors: map[string]string{}, Warnings: map[string]string{},
		fields: map[string]bool{}}
	for _, n := range fields {
		f.fields[n] = true
	}
	return f
}

// parseForm reads the named fields from the request body (copied: Fiber reuses its buffers).
func parseForm(c *fiber.Ctx, fields ...string) *form {
	f := newForm(Lang(c), fields...)
	for _, n := range fields {
		f.Values[n] = utils.CopyString(c.FormValue(n))
	}
	return f
}

// Get returns a value as typed, trimmed.
func (f *form) Get(name string) string { return strings.TrimSpace(f.Values[name]) }

// Checked reports whether a checkbox was ticked.
func (f *form) Checked(name string) bool {
	switch strings.ToLower(f.Get(name)) {
	case "1", "on", "true", "yes":
		return true
	}
	return false
}

// Valid reports whether no error was recorded.
func (f *form) Valid() bool { return len(f.Errors) == 0 && len(f.General) == 0 }

// Add records one field error; a field the form does not show becomes a general message.
func (f *form) Add(fe *market.FieldError) {
	msg := fe.Message(f.lang)
	switch {
	case fe.Warning && f.fields[fe.Field]:
		f.Warnings[fe.Field] = msg
	case f.fields[fe.Field]:
		if _, dup := f.Errors[fe.Field]; !dup {
			f.Errors[fe.Field] = msg
		} else {
			f.Errors[fe.Field] += " " + msg
		}
	default:
		f.General = append(f.General, msg)
	}
}

// AddErr records every user error in err and reports whether err was one (false: an internal error the
// handler must return).
func (f *form) AddErr(err error) bool {
	es := market.AsFieldErrors(err)
	if es == nil {
		return false
	}
	for _, fe := range es {
		f.Add(fe)
	}
	return true
}

// fieldView is what the "acct_field" template draws.
type fieldView struct {
	Name, Label, Type, Value, Error, Warning, Hint string
	Required                                       bool
	Options                                        []option
}

// Field describes an input for the template: {{template "acct_field" (.Form.Field "uscc" (t "…") "text" true)}}.
func (f *form) Field(name, label, typ string, required bool) fieldView {
	return fieldView{Name: name, Label: label, Type: typ, Value: f.Values[name], Error: f.Errors[name],
		Warning: f.Warnings[name], Required: required}
}

// Select describes a drop-down with the given options.
func (f *form) Select(name, label string, opts []option, required bool) fieldView {
	v := f.Field(name, label, "select", required)
	v.Options = opts
	return v
}

// Hinted adds a hint below a field.
func (v fieldView) Hinted(h string) fieldView { v.Hint = h; return v }

// userError reports whether err is made of user errors (FieldErrors); those are shown, others logged.
func userError(err error) bool { return market.AsFieldErrors(err) != nil }

// isCode reports whether err carries a FieldError with the given code.
func isCode(err error, code string) bool {
	for _, fe := range market.AsFieldErrors(err) {
		if fe.Code == code {
			return true
		}
	}
	return false
}

// flash messages travel in the redirect's query string as a catalogue key (?done=key), so a reload shows
// them again but nothing user-typed is ever echoed from the URL.
func withDone(path, key string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "done=" + url.QueryEscape(key)
}

// doneMessage returns the translated flash message of ?done=, "" when absent or unknown.
func doneMessage(c *fiber.Ctx) string {
	key := c.Query("done")
	if key == "" || !strings.HasPrefix(key, "done.") {
		return ""
	}
	if _, ok := catalogue[key]; !ok {
		return ""
	}
	return T(c, key)
}

// pageData starts the data of one of the account pages.
func pageData(c *fiber.Ctx) fiber.Map {
	return fiber.Map{"Done": doneMessage(c)}
}

func itoa(n int) string { return strconv.Itoa(n) }
