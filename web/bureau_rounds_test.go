package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"patentwall/bonus"
)

func roundForm(kv ...string) url.Values {
	v := url.Values{"id": {"art22-2023"}, "name": {"2023年度许可人奖补"}, "rule": {"licensor_open_licence"},
		"window_from": {"2023-01-01"}, "window_to": {"2023-12-31"}, "basis": {"effective"}, "unit_yuan": {"3000"},
		"cap_yuan": {"300000"}, "requires_filing": {"1"}, "flag_related_party": {"1"}, "circular_days": {"365"},
		"new_licensee_days": {"180"}, "burst_count": {"5"}, "burst_days": {"30"}, "reversal_days": {"365"},
		"low_fee_percent": {"10"}, "flag_double_claim": {"1"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

// fieldErrorOf returns the message shown at a field of a re-rendered form ("" when none).
func fieldErrorOf(body, field string) string {
	i := strings.Index(body, `id="e-`+field+`">`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`id="e-`+field+`">`):]
	return rest[:strings.Index(rest, "<")]
}

func TestBureauRoundForm(t *testing.T) {
	e := sqliteEnv(t)
	p := e.people(t)
	bc := e.bureauClient(t, p)
	page := bc.get(t, "/bureau/rounds/new")
	mustStatus(t, "new round form", page, http.StatusOK)
	mustContain(t, "new round form", page.body, `name="unit_yuan"`, `value="365"`, `name="requires_filing" value="1" checked`)
	mustNotContain(t, "new round form", page.body, `name="confirm_overlap"`)

	cases := []struct {
		name   string
		form   url.Values
		fields map[string]string // field → part of its message
	}{
		{"inverted window", roundForm("window_from", "2023-12-31", "window_to", "2023-01-01"),
			map[string]string{"window_to": "结束日期早于开始日期"}},
		{"unknown rule", roundForm("rule", "per_head"), map[string]string{"rule": "未知的奖补规则"}},
		{"zero and negative amounts", roundForm("unit_yuan", "0", "cap_yuan", "-5", "recipient_cap_yuan", "0"),
			map[string]string{"unit_yuan": "必须大于零", "cap_yuan": "必须大于零", "recipient_cap_yuan": "必须大于零"}},
		{"empty amounts", roundForm("unit_yuan", "", "cap_yuan", ""),
			map[string]string{"unit_yuan": "必须大于零", "cap_yuan": "必须大于零"}},
		{"unreadable fields and the engine's findings together", roundForm("unit_yuan", "三千", "window_from", "2023/01/01",
			"rule", "x", "burst_days", "many", "cap_yuan", "0"),
			map[string]string{"unit_yuan": "格式错误", "window_from": "日期格式", "rule": "未知的奖补规则", "burst_days": "整数",
				"cap_yuan": "必须大于零"}},
		{"bad ID", roundForm("id", "Art 22!"), map[string]string{"id": "小写字母"}},
		{"taken ID", roundForm("id", "art22-2022"), map[string]string{"id": "已存在"}},
		{"overlap needs confirmation", roundForm("window_from", "2022-12-01"), map[string]string{"window_from": "重叠"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := bc.postForm(t, "/bureau/rounds/new", "/bureau/rounds", tc.form)
			mustStatus(t, tc.name, r, http.StatusUnprocessableEntity)
			for field, want := range tc.fields {
				if got := fieldErrorOf(r.body, field); !strings.Contains(got, want) {
					t.Errorf("%s: message %q, want one with %q", field, got, want)
				}
			}
			// the form keeps what was typed
			mustContain(t, tc.name, r.body, `value="`+tc.form.Get("unit_yuan")+`"`)
			if _, err := bonus.GetRound(t.Context(), e.store, "art22-2023"); err == nil {
				t.Fatal("an invalid round was saved")
			}
		})
	}

	// The overlap: the form now shows the confirmation, and with it ticked the round is created.
	over := roundForm("window_from", "2022-12-01")
	r := bc.postForm(t, "/bureau/rounds/new", "/bureau/rounds", over)
	mustContain(t, "overlap form", r.body, `name="confirm_overlap"`, "art22-2022")
	over.Set("confirm_overlap", "1")
	r = bc.postForm(t, "/bureau/rounds/new", "/bureau/rounds", over)
	mustStatus(t, "confirmed overlap", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/bureau/rounds/art22-2023") {
		t.Fatalf("redirect to %q", loc)
	}
	got, err := bonus.GetRound(t.Context(), e.store, "art22-2023")
	if err != nil {
		t.Fatal(err)
	}
	if got.UnitFen != 300000 || got.CapFen != 30000000 || got.RecipientCapFen != nil || !got.RequiresFiling ||
		got.Flags != bonus.DefaultFlags() || got.WindowFrom.String() != "2022-12-01" {
		t.Fatalf("saved round %+v", got)
	}
	page = bc.get(t, "/bureau/rounds/art22-2023?done=done.round_created")
	mustContain(t, "round page", page.body, "奖补轮次已创建", "2023年度许可人奖补", "3,000.00 元", "新设企业：被许可方成立不足 180 天")

	// Editing: the ID stays, the flag settings change, a flag switched off disappears.
	edit := bc.get(t, "/bureau/rounds/art22-2023/edit")
	mustStatus(t, "edit form", edit, http.StatusOK)
	mustContain(t, "edit form", edit.body, `value="3000.00"`, `value="2022-12-01"`)
	ef := roundForm("id", "ignored", "window_from", "2023-01-01", "unit_yuan", "2500.50", "recipient_cap_yuan", "10000",
		"new_licensee_days", "0", "flag_double_claim", "")
	r = bc.postForm(t, "/bureau/rounds/art22-2023/edit", "/bureau/rounds/art22-2023", ef)
	mustStatus(t, "edit", r, http.StatusSeeOther)
	got, _ = bonus.GetRound(t.Context(), e.store, "art22-2023")
	if got.UnitFen != 250050 || got.RecipientCapFen == nil || *got.RecipientCapFen != 1000000 || got.Flags.NewLicenseeDays != 0 ||
		got.Flags.DoubleClaim || got.WindowFrom.String() != "2023-01-01" {
		t.Fatalf("edited round %+v", got)
	}
	if _, err := bonus.GetRound(t.Context(), e.store, "ignored"); err == nil {
		t.Fatal("the edit created a round under the posted ID")
	}
	bad := bc.postForm(t, "/bureau/rounds/art22-2023/edit", "/bureau/rounds/art22-2023", roundForm("cap_yuan", "100", "unit_yuan", "50",
		"recipient_cap_yuan", "200"))
	mustStatus(t, "edit: recipient cap above the cap", bad, http.StatusUnprocessableEntity)
	if msg := fieldErrorOf(bad.body, "recipient_cap_yuan"); !strings.Contains(msg, "不能高于") {
		t.Fatalf("recipient cap message %q", msg)
	}
	list := bc.get(t, "/bureau/rounds")
	mustContain(t, "rounds list", list.body, "art22-2022", "art19-2022", "art22-2023", "2,500.50 元")

	// English
	en := bc.get(t, "/bureau/rounds/new?lang=en")
	mustContain(t, "English form", en.body, "Unit amount (yuan)", "Fraud flags (Art. 26)")
}
