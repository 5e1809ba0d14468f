package web

// The review queue (复核): lines of every round's latest run held by a fraud flag (seed Art. 26), each
// with its flags explained, and a form to approve or reject it with a required note. A decision records
// who and when, shows here at once and takes effect from the round's next run.

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"patentwall/bonus"
	"patentwall/market"
)

const reviewsPerPage = 30

var reviewShows = []string{"pending", "decided", "all"}

// reviewItem is one flagged line in the queue.
type reviewItem struct {
	RoundID, RoundName           string
	Run                          int
	ContractNo, Patent           string
	RecipientUSCC, RecipientName string
	LicenseeUSCC, LicenseeName   string
	Status, StatusText           string
	Flags                        []string
	Deal                         *market.DealFacts // what the reviewer needs to judge the flags
	Decision                     *bonus.Decision
	DecidedBy                    string
	Pending                      bool // awaits a decision
	NextRun                      bool // decided after the latest run: counts from the next run
	Anchor                       string
	Error                        string // this line's form failed
	Note                         string // as typed, after a failure
}

// reviewTarget identifies the line a review form was posted for, and the messages to show on it.
type reviewTarget struct {
	round, contractNo, patent string
	errs                      []string
	note                      string
}

// awaiting reports whether a flagged line needs a (new) decision: held, and either undecided or approved
// for fewer flags than it raises now (an approval covers only the flags the reviewer saw).
func awaiting(fl *bonus.FlaggedLine) bool {
	if fl.Status != bonus.StatusHeld {
		return false
	}
	d := fl.Decision
	return d == nil || (d.Approved && fl.Flags&^d.Flags != 0)
}

// reviewsPage is GET /bureau/reviews?round=&show=pending|decided|all&page=.
func (b *bureau) reviewsPage(c *fiber.Ctx) error {
	return b.renderReviews(c, fiber.StatusOK, nil)
}

func (b *bureau) renderReviews(c *fiber.Ctx, status int, target *reviewTarget) error {
	ctx, lang := c.UserContext(), Lang(c)
	rounds, err := bonus.ListRounds(ctx, b.a.Store)
	if err != nil {
		return err
	}
	only := bQuery(c, "round")
	show := bQuery(c, "show")
	if target != nil {
		only, show = formValue(c, "back_round"), formValue(c, "back_show")
	}
	if show != "decided" && show != "all" {
		show = "pending"
	}
	var items []reviewItem
	var disq []roundDisqualification
	var rejected []roundDecision
	counts := map[string]int{}
	for i := range rounds {
		r := &rounds[i]
		if only != "" && r.ID != only {
			continue
		}
		if disq, rejected, err = b.art26Decisions(ctx, r.ID, disq, rejected); err != nil {
			return err
		}
		lines, err := bonus.FlaggedLines(ctx, b.a.Store, r.ID)
		if err != nil {
			return err
		}
		for j := range lines {
			fl := &lines[j]
			pending := awaiting(fl)
			if pending {
				counts["pending"]++
			} else if fl.Decision != nil {
				counts["decided"]++
			}
			counts["all"]++
			isTarget := target != nil && target.round == r.ID && target.contractNo == fl.ContractNo && target.patent == fl.Patent
			if !isTarget && ((show == "pending" && !pending) || (show == "decided" && (pending || fl.Decision == nil))) {
				continue
			}
			it := reviewItem{RoundID: r.ID, RoundName: r.Name, Run: fl.Run, ContractNo: fl.ContractNo, Patent: fl.Patent,
				RecipientUSCC: fl.RecipientUSCC, RecipientName: fl.RecipientName, LicenseeUSCC: fl.LicenseeUSCC,
				LicenseeName: fl.LicenseeName, Status: fl.Status.String(), StatusText: tr(lang, "bstatus."+fl.Status.String()),
				Flags: flagTexts(lang, r, fl.Flags), Decision: fl.Decision, Pending: pending,
				NextRun: !pending && fl.Status == bonus.StatusHeld && fl.Decision != nil,
				Anchor:  fmt.Sprintf("l-%s-%s-%s", fileSafe(r.ID), fileSafe(fl.ContractNo), fileSafe(fl.Patent))}
			if isTarget {
				it.Note = target.note
				for _, e := range target.errs {
					it.Error += e + " "
				}
			}
			items = append(items, it)
		}
	}
	page := bPage(c)
	if target != nil {
		page, _ = strconv.Atoi(formValue(c, "back_page"))
		page = max(page, 1)
	}
	start := min((page-1)*reviewsPerPage, len(items))
	shown := items[start:min(start+reviewsPerPage, len(items))]
	var reviewers []int64
	targetShown := false // the posted line is on this page: its messages show at its form
	for _, it := range shown {
		if target != nil && it.RoundID == target.round && it.ContractNo == target.contractNo && it.Patent == target.patent {
			targetShown = true
		}
		if it.Decision != nil && it.Decision.ReviewerUserID != nil {
			reviewers = append(reviewers, *it.Decision.ReviewerUserID)
		}
	}
	names, err := userNames(ctx, b.a.Store, reviewers)
	if err != nil {
		return err
	}
	nos := make([]string, len(shown))
	for i := range shown {
		nos[i] = shown[i].ContractNo
	}
	deals, err := b.a.Store.DealFactsByNo(ctx, nos)
	if err != nil {
		return err
	}
	for i := range shown {
		shown[i].Deal = deals[shown[i].ContractNo]
	}
	for i := range shown {
		if d := shown[i].Decision; d != nil {
			if d.ReviewerUserID == nil {
				shown[i].DecidedBy = tr(lang, "bureau.review.by_cli")
			} else {
				shown[i].DecidedBy = names[*d.ReviewerUserID]
			}
		}
	}
	data := b.pageData(c, "/bureau/reviews")
	data["Items"] = shown
	data["Disqualified"] = disq
	data["RejectedUnflagged"] = rejected
	data["Total"] = len(items)
	data["Counts"] = counts
	data["Show"] = show
	data["Shows"] = reviewShows
	data["RoundFilter"] = only
	data["Rounds"] = rounds
	data["Page"] = page
	data["Pager"] = makePager(page, reviewsPerPage, int64(len(items)), func(n int) string {
		return reviewsURL(only, show, n)
	})
	if target != nil && !targetShown {
		data["General"] = target.errs
	}
	return b.a.Render(c, status, "bureau/reviews", data)
}

// formValue copies a posted field.
func formValue(c *fiber.Ctx, name string) string {
	return string(append([]byte(nil), c.FormValue(name)...))
}

// reviewDecide is POST /bureau/reviews: approve or reject a held line with a note.
func (b *bureau) reviewDecide(c *fiber.Ctx) error {
	t := &reviewTarget{round: formValue(c, "round"), contractNo: formValue(c, "contract_no"), patent: formValue(c, "patent"),
		note: formValue(c, "note")}
	decision := formValue(c, "decision")
	lang := Lang(c)
	if decision != "approve" && decision != "reject" {
		t.errs = append(t.errs, tr(lang, "bureau.review.choose"))
	}
	if len(t.errs) == 0 {
		_, err := bonus.Review(c.UserContext(), b.a.Store, ActorOf(c), t.round, t.contractNo, t.patent, decision == "approve", t.note)
		if err == nil {
			page, _ := strconv.Atoi(formValue(c, "back_page"))
			back := reviewsURL(formValue(c, "back_round"), formValue(c, "back_show"), page)
			return c.Redirect(withDone(back, "done.reviewed"), fiber.StatusSeeOther)
		}
		es := market.AsFieldErrors(err)
		if es == nil || isCode(err, "forbidden") || isCode(err, "not_found") {
			return err
		}
		for _, fe := range es {
			t.errs = append(t.errs, fe.Message(lang))
		}
	} else if t.note == "" {
		t.errs = append(t.errs, tr(lang, "bureau.review.note_required"))
	}
	return b.renderReviews(c, fiber.StatusUnprocessableEntity, t)
}

// userNames maps user IDs to "name (email)" for "decided by".
func userNames(ctx context.Context, s *market.Store, ids []int64) (map[int64]string, error) {
	users, err := s.UserNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(users))
	for id, u := range users {
		out[id] = u.Name + " (" + u.Email + ")"
	}
	return out, nil
}

// reviewsURL is the queue's address with its filters (empty ones left out).
func reviewsURL(round, show string, page int) string {
	v := url.Values{}
	if round != "" {
		v.Set("round", round)
	}
	if show != "" && show != "pending" {
		v.Set("show", show)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/bureau/reviews"
	}
	return "/bureau/reviews?" + v.Encode()
}

// roundDisqualification and roundDecision are the Art. 26 decisions the queue lists beside the flagged
// lines: disqualified recipients and paid lines without flags rejected (docs/rules.md §9.8).
type roundDisqualification struct {
	RoundID string
	Name    string
	bonus.Disqualification
}

type roundDecision struct {
	RoundID string
	bonus.Decision
}

func (b *bureau) art26Decisions(ctx context.Context, roundID string, disq []roundDisqualification, rejected []roundDecision) ([]roundDisqualification, []roundDecision, error) {
	dqs, err := bonus.Disqualifications(ctx, b.a.Store, roundID)
	if err != nil {
		return nil, nil, err
	}
	for _, dq := range dqs {
		name := ""
		if o, err := b.a.Store.OrgByUSCC(ctx, dq.USCC); err == nil {
			name = o.Name
		}
		disq = append(disq, roundDisqualification{RoundID: roundID, Name: name, Disqualification: dq})
	}
	rs, err := bonus.RejectedUnflagged(ctx, b.a.Store, roundID)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range rs {
		rejected = append(rejected, roundDecision{RoundID: roundID, Decision: d})
	}
	return disq, rejected, nil
}
