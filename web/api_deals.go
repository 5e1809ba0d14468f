package web

// The API of offers, intents, deals, registrations and channel statistics (docs/interfaces.md §5.9).
// The rules and the authorisation are market's; this file only translates.

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"patentwall/market"
)

type apiIntentMessage struct {
	ID        int64     `json:"id"`
	OrgUSCC   string    `json:"org_uscc"`
	OrgName   string    `json:"org_name"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type apiIntent struct {
	ID            int64              `json:"id"`
	IntentID      int64              `json:"intent_id"`
	Status        string             `json:"status"`
	Kind          string             `json:"kind"`
	ApplicationNo string             `json:"application_no"`
	Title         string             `json:"title"`
	BuyerUSCC     string             `json:"buyer_uscc"`
	BuyerName     string             `json:"buyer_name"`
	HolderUSCC    string             `json:"holder_uscc"`
	HolderName    string             `json:"holder_name"`
	OfferYuan     *json.Number       `json:"offer_yuan"`
	Channel       *string            `json:"channel"`
	ContractNo    *string            `json:"contract_no"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	ClosedAt      *time.Time         `json:"closed_at"`
	URL           string             `json:"url"`
	Messages      []apiIntentMessage `json:"messages,omitempty"`
}

func (a *App) toAPIIntent(v *market.IntentView) apiIntent {
	out := apiIntent{ID: v.ID, IntentID: v.ID, Status: v.Status, Kind: v.Kind, ApplicationNo: v.Patent.ApplicationNo,
		Title: v.Patent.Title, BuyerUSCC: v.Buyer.USCC, BuyerName: v.Buyer.Name, HolderUSCC: v.Holder.USCC,
		HolderName: v.Holder.Name, Channel: v.Channel, CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(),
		ClosedAt: utcPtr(v.ClosedAt), URL: a.BaseURL + market.IntentLink(v.ID)}
	if v.OfferFen != nil {
		n := yuanNumber(*v.OfferFen)
		out.OfferYuan = &n
	}
	if v.ContractNo != "" {
		no := v.ContractNo
		out.ContractNo = &no
	}
	for _, m := range v.Messages {
		am := apiIntentMessage{ID: m.ID, Body: m.Body, CreatedAt: m.CreatedAt.UTC()}
		switch m.OrgID {
		case v.BuyerID:
			am.OrgUSCC, am.OrgName = v.Buyer.USCC, v.Buyer.Name
		case v.HolderID:
			am.OrgUSCC, am.OrgName = v.Holder.USCC, v.Holder.Name
		}
		out.Messages = append(out.Messages, am)
	}
	if v.Messages != nil && out.Messages == nil {
		out.Messages = []apiIntentMessage{}
	}
	return out
}

// apiPutOffer is PUT /api/v1/patents/{no}/offer {"transfer_price_yuan","negotiable_licence"}.
func (a *App) apiPutOffer(c *fiber.Ctx) error {
	var in struct {
		TransferPriceYuan market.Numeric `json:"transfer_price_yuan"`
		NegotiableLicence bool           `json:"negotiable_licence"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var price int64
	if !in.TransferPriceYuan.Blank() {
		v, fe := market.ParseYuanFen("transfer_price_yuan", string(in.TransferPriceYuan))
		if fe != nil {
			return a.apiFail(c, fe)
		}
		price = v
	}
	no := utils.CopyString(c.Params("no"))
	p, err := a.Store.SetOffer(c.UserContext(), ActorOf(c), no, market.OfferInput{TransferPriceFen: price, NegotiableLicence: in.NegotiableLicence})
	if err != nil {
		return a.apiFail(c, err)
	}
	pv, err := a.Store.PatentByApplicationNo(c.UserContext(), p.ApplicationNo)
	if err != nil {
		return err
	}
	out := a.toAPIPatent(pv, false)
	return c.JSON(struct {
		apiPatent
		NegotiableLicence bool `json:"negotiable_licence"`
	}{out, p.NegotiableLicence})
}

// apiCreateIntent is POST /api/v1/intents {"application_no","kind","offer_yuan","message","via"}: 201.
func (a *App) apiCreateIntent(c *fiber.Ctx) error {
	var in struct {
		ApplicationNo string         `json:"application_no"`
		Kind          string         `json:"kind"`
		OfferYuan     market.Numeric `json:"offer_yuan"`
		Message       string         `json:"message"`
		Via           string         `json:"via"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	req := market.IntentInput{ApplicationNo: in.ApplicationNo, Kind: in.Kind, Message: in.Message, Via: in.Via}
	if !in.OfferYuan.Blank() {
		v, fe := market.ParseYuanFen("offer_yuan", string(in.OfferYuan))
		if fe != nil {
			return a.apiFail(c, fe)
		}
		req.OfferFen = &v
	}
	if err := a.allowIntent(c); err != nil {
		return a.apiFail(c, err)
	}
	it, err := a.Store.CreateIntent(c.UserContext(), ActorOf(c), req)
	if err != nil {
		return a.apiFail(c, err)
	}
	return a.sendIntent(c, fiber.StatusCreated, it.ID)
}

func (a *App) sendIntent(c *fiber.Ctx, status int, id int64) error {
	v, err := a.Store.IntentByID(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(a.toAPIIntent(v))
}

// intentID reads the {id} of an intent path (an unknown one is not found).
func intentID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, market.ErrNotFound
	}
	return id, nil
}

// apiListIntents is GET /api/v1/intents?role=buyer|holder&status=&page=.
func (a *App) apiListIntents(c *fiber.Ctx) error {
	page := bPage(c)
	vs, total, err := a.Store.Intents(c.UserContext(), ActorOf(c), market.IntentQuery{Role: bQuery(c, "role"),
		Status: bQuery(c, "status"), Limit: 50, Offset: (page - 1) * 50})
	if err != nil {
		return err
	}
	out := make([]apiIntent, len(vs))
	for i := range vs {
		out[i] = a.toAPIIntent(&vs[i])
	}
	return c.JSON(fiber.Map{"total": total, "page": page, "per_page": 50, "intents": out})
}

// apiGetIntent is GET /api/v1/intents/{id}: the intent with its thread.
func (a *App) apiGetIntent(c *fiber.Ctx) error {
	id, err := intentID(c)
	if err != nil {
		return err
	}
	return a.sendIntent(c, fiber.StatusOK, id)
}

// apiIntentMessage is POST /api/v1/intents/{id}/messages {"body"}: 201 with the intent.
func (a *App) apiPostIntentMessage(c *fiber.Ctx) error {
	id, err := intentID(c)
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := a.Store.PostIntentMessage(c.UserContext(), ActorOf(c), id, in.Body); err != nil {
		return a.apiFail(c, err)
	}
	return a.sendIntent(c, fiber.StatusCreated, id)
}

// apiCloseIntent is POST /api/v1/intents/{id}/decline (holder) and …/withdraw (buyer).
func (a *App) apiCloseIntent(decline bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := intentID(c)
		if err != nil {
			return err
		}
		if decline {
			_, err = a.Store.DeclineIntent(c.UserContext(), ActorOf(c), id)
		} else {
			_, err = a.Store.WithdrawIntent(c.UserContext(), ActorOf(c), id)
		}
		if err != nil {
			return a.apiFail(c, err)
		}
		return a.sendIntent(c, fiber.StatusOK, id)
	}
}

// apiRecordDeal is POST /api/v1/intents/{id}/deal {"fee_yuan","signed_on","effective_on"}: 201 with the
// contract.
func (a *App) apiRecordDeal(c *fiber.Ctx) error {
	id, err := intentID(c)
	if err != nil {
		return err
	}
	var in struct {
		FeeYuan     market.Numeric `json:"fee_yuan"`
		SignedOn    string         `json:"signed_on"`
		EffectiveOn string         `json:"effective_on"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	deal, errs := dealInput(string(in.FeeYuan), in.SignedOn, in.EffectiveOn)
	if len(errs) > 0 {
		return a.apiFail(c, errs)
	}
	ct, err := a.Store.RecordDeal(c.UserContext(), ActorOf(c), id, deal)
	if err != nil {
		return a.apiFail(c, err)
	}
	return a.sendContract(c, fiber.StatusCreated, ct.ContractNo)
}

// dealInput parses a deal as typed (page or API).
func dealInput(fee, signed, effective string) (market.DealInput, market.Errors) {
	var (
		in   market.DealInput
		errs market.Errors
		fe   *market.FieldError
	)
	if in.FeeFen, fe = market.ParseYuanFen("fee_yuan", fee); fe != nil {
		errs = append(errs, fe)
	}
	if in.SignedOn, fe = parseDay("signed_on", signed); fe != nil {
		errs = append(errs, fe)
	}
	if in.EffectiveOn, fe = parseDay("effective_on", effective); fe != nil {
		errs = append(errs, fe)
	}
	return in, errs
}

// apiRecordRegistration is POST /api/v1/contracts/{no}/registration {"registration_no","registered_on"}.
func (a *App) apiRecordRegistration(c *fiber.Ctx) error {
	var in struct {
		RegistrationNo string `json:"registration_no"`
		RegisteredOn   string `json:"registered_on"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	on, fe := parseDay("registered_on", in.RegisteredOn)
	if fe != nil {
		return a.apiFail(c, fe)
	}
	no := utils.CopyString(c.Params("no"))
	if _, err := a.Store.RecordRegistration(c.UserContext(), ActorOf(c), no, in.RegistrationNo, on); err != nil {
		return a.apiFail(c, err)
	}
	return a.sendContract(c, fiber.StatusOK, no)
}

type apiTargets struct {
	From         string      `json:"from"`
	To           string      `json:"to"`
	Listings     int64       `json:"listings"`
	Intents      int64       `json:"intents"`
	Contracts    int64       `json:"contracts"`
	SMEs         int64       `json:"smes"`
	TurnoverYuan json.Number `json:"turnover_yuan"`
}

type apiChannelStats struct {
	Channel       string           `json:"channel"`
	From          string           `json:"from"`
	To            string           `json:"to"`
	Listings      int64            `json:"listings"`
	Views         int64            `json:"views"`
	QRScans       int64            `json:"qr_scans"`
	Intents       int64            `json:"intents"`
	Contracts     int64            `json:"contracts"`
	FreeContracts int64            `json:"free_contracts"`
	SMEs          int64            `json:"smes"`
	TurnoverYuan  json.Number      `json:"turnover_yuan"`
	TurnoverFen   int64            `json:"turnover_fen"`
	MedianDays    *int             `json:"median_days_listing_to_deal"`
	Targets       *apiTargets      `json:"targets"`
	Progress      map[string]int64 `json:"progress"`
	Months        []apiMonth       `json:"months,omitempty"`
}

type apiMonth struct {
	Month     string `json:"month"`
	Contracts int64  `json:"contracts"`
	Free      int64  `json:"free_contracts"`
	Intents   int64  `json:"intents"`
}

func toAPITargets(t *market.ChannelTarget) *apiTargets {
	if t == nil {
		return nil
	}
	return &apiTargets{From: t.From.String(), To: t.To.String(), Listings: t.Listings, Intents: t.Intents,
		Contracts: t.Contracts, SMEs: t.SMEs, TurnoverYuan: yuanNumber(t.TurnoverFen)}
}

func toAPIChannelStats(st *market.ChannelStats) apiChannelStats {
	out := apiChannelStats{Channel: st.Channel, From: st.From.String(), To: st.To.String(), Listings: st.Listings,
		Views: st.Views, QRScans: st.QRScans, Intents: st.Intents, Contracts: st.Contracts, FreeContracts: st.FreeContracts,
		SMEs: st.SMEs, TurnoverYuan: yuanNumber(st.TurnoverFen), TurnoverFen: st.TurnoverFen, MedianDays: st.MedianDays,
		Targets: toAPITargets(st.Targets), Progress: st.Progress}
	for _, m := range st.Months {
		out.Months = append(out.Months, apiMonth{Month: m.Month, Contracts: m.Contracts, Free: m.Free, Intents: m.Intents})
	}
	return out
}

// statsPeriod reads ?from=&to= (default: the current Shanghai year up to today).
func (a *App) statsPeriod(c *fiber.Ctx) (market.Date, market.Date, error) {
	today := market.DateOf(a.Store.Now())
	from, to := market.NewDate(today.Year(), time.January, 1), today
	for _, p := range []struct {
		name string
		d    *market.Date
	}{{"from", &from}, {"to", &to}} {
		if s := strings.TrimSpace(c.Query(p.name)); s != "" {
			d, fe := market.ParseDateField(p.name, s)
			if fe != nil {
				return from, to, fe.AsParam()
			}
			*p.d = d
		}
	}
	return from, to, nil
}

// apiChannelStats is GET /api/v1/channels/{channel}/stats?from=&to=.
func (a *App) apiChannelStats(c *fiber.Ctx) error {
	from, to, err := a.statsPeriod(c)
	if err != nil {
		return err
	}
	st, err := a.Store.ChannelStatsFor(c.UserContext(), ActorOf(c), channelParam(c), from, to)
	if err != nil {
		return err
	}
	return c.JSON(toAPIChannelStats(st))
}

// channelParam is the {channel} of a path (wall:SLUG…), percent-decoded.
func channelParam(c *fiber.Ctx) string {
	s := utils.CopyString(c.Params("channel"))
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// apiPutTargets is PUT /api/v1/channels/{channel}/targets {"from","to","listings","intents","contracts","smes","turnover_yuan"}.
func (a *App) apiPutTargets(c *fiber.Ctx) error {
	var in struct {
		From         string         `json:"from"`
		To           string         `json:"to"`
		Listings     int64          `json:"listings"`
		Intents      int64          `json:"intents"`
		Contracts    int64          `json:"contracts"`
		SMEs         int64          `json:"smes"`
		TurnoverYuan market.Numeric `json:"turnover_yuan"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, errs := targetInput(in.From, in.To, string(in.TurnoverYuan))
	if len(errs) > 0 {
		return a.apiFail(c, errs)
	}
	t.Listings, t.Intents, t.Contracts, t.SMEs = in.Listings, in.Intents, in.Contracts, in.SMEs
	out, err := a.Store.SetChannelTargets(c.UserContext(), ActorOf(c), channelParam(c), t)
	if err != nil {
		return a.apiFail(c, err)
	}
	return c.JSON(fiber.Map{"channel": out.Channel, "targets": toAPITargets(out)})
}

// targetInput parses a period and a turnover target as typed (an empty turnover is no target).
func targetInput(from, to, turnover string) (market.TargetInput, market.Errors) {
	var (
		t    market.TargetInput
		errs market.Errors
		fe   *market.FieldError
	)
	if t.From, fe = parseDay("from", from); fe != nil {
		errs = append(errs, fe)
	}
	if t.To, fe = parseDay("to", to); fe != nil {
		errs = append(errs, fe)
	}
	if strings.TrimSpace(turnover) != "" {
		if t.TurnoverFen, fe = market.ParseYuanFen("turnover_yuan", turnover); fe != nil {
			errs = append(errs, fe)
		}
	}
	return t, errs
}
