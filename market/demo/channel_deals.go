package demo

// The demo's channels at work (docs/rules.md §10.3–§10.5): holders offer patents for transfer and invite
// negotiation, SMEs arrive through walls, screens and supermarkets, send intents that end in every state
// (open with a thread, declined, withdrawn, agreed: transfers registered or awaiting registration,
// negotiated licences), accept open licences through channels, and every wall and supermarket has
// targets for the year. Like the platform deals, everything goes through the market API on a store bound
// to Load's transaction, with a clock reading each step's instant, in the last 90 days before the demo's
// "now".

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"

	"patentwall/market"
)

// channelScene is what insertChannels needs of the dataset: offered patents, buyers and channels.
type channelScene struct {
	offered  []int // patent indexes: granted, offered for transfer, of a verified holder or enterprise
	declared []int // patent indexes with a live free or royalty-only declaration
	buyers   []int // org indexes: verified Shanghai SME enterprises
	channels []string
}

func sceneOf(ds *Dataset) channelScene {
	var sc channelScene
	for i := range ds.Orgs {
		o := &ds.Orgs[i]
		if o.Kind == market.KindEnterprise && o.IsSME && o.VerifiedAt != nil && o.DistrictCode != "" {
			sc.buyers = append(sc.buyers, i)
		}
	}
	canAct := func(p *market.Patent) bool {
		o := ds.Org(p.PatenteeID)
		return p.Status == market.StatusGranted && o.VerifiedAt != nil && market.RoleForKind(o.Kind) != market.RoleOperator &&
			!p.FeesUnpaid && !p.UnderDispute && !p.PledgedNoConsent
	}
	for i := range ds.Patents {
		if p := &ds.Patents[i]; p.TransferPriceFen > 0 && canAct(p) && len(sc.offered) < 10 {
			sc.offered = append(sc.offered, i)
		}
	}
	for i := range ds.Declarations {
		d := &ds.Declarations[i]
		if d.Status != market.DeclLive || (d.FeeModel != market.FeeFree && d.FeeModel != market.FeeRoyalty) || len(sc.declared) >= 12 ||
			!d.PublishedAt.Before(ds.Now.Add(-100*24*time.Hour)) {
			continue
		}
		if p := ds.Patent(d.PatentID); canAct(p) && !slices.Contains(sc.declared, int(d.PatentID-1)) {
			sc.declared = append(sc.declared, int(d.PatentID-1))
		}
	}
	for _, w := range ds.Walls {
		sc.channels = append(sc.channels, market.ChannelWall+":"+w.Slug, market.ChannelScreen+":"+w.Slug)
	}
	for _, m := range ds.Supermarkets {
		sc.channels = append(sc.channels, market.ChannelSupermarket+":"+m.Slug)
	}
	return sc
}

// insertChannelDeals plays the channel scene and returns the contracts it made; it needs at least 8 offered
// patents, 6 buyers and a channel.
func insertChannelDeals(ctx context.Context, s *market.Store, tx *gorm.DB, ds *Dataset) (int, error) {
	sc := sceneOf(ds)
	if len(sc.offered) < 8 || len(sc.buyers) < 6 || len(sc.channels) == 0 {
		return 0, nil
	}
	orgs := map[int]bool{}
	for _, b := range sc.buyers[:6] {
		orgs[b] = true
	}
	for _, p := range append(append([]int{}, sc.offered...), sc.declared...) {
		orgs[int(ds.Patents[p].PatenteeID-1)] = true
	}
	for _, w := range ds.Walls {
		orgs[int(w.OrgID-1)] = true
	}
	for _, m := range ds.Supermarkets {
		orgs[int(m.OfficeID-1)] = true
	}
	actors, err := channelUsers(tx, ds, orgs)
	if err != nil {
		return 0, err
	}
	var clock time.Time
	ts := s.Bound(tx, func() time.Time { return clock })
	start := ds.Now.Add(-90 * 24 * time.Hour).Truncate(time.Hour)
	at := func(day, hour int) {
		clock = start.Add(time.Duration(day)*24*time.Hour + time.Duration(hour)*time.Hour)
	}
	holder := func(p int) market.Actor { return actors[int(ds.Patents[p].PatenteeID-1)] }
	appNo := func(p int) string { return ds.Patents[p].ApplicationNo }
	// buyer is the k-th buyer that is not the patentee of p
	buyer := func(k, p int) market.Actor {
		for j := range 6 {
			if b := sc.buyers[(k+j)%6]; int64(b+1) != ds.Patents[p].PatenteeID {
				return actors[b]
			}
		}
		return actors[sc.buyers[0]]
	}
	channel := func(i int) string { return sc.channels[i%len(sc.channels)] }
	made := 0
	wrap := func(what string, err error) error { return fmt.Errorf("demo channels: %s: %w", what, err) }

	// offers: all offered for transfer, every other one also inviting negotiation
	at(0, 2)
	for k, p := range sc.offered {
		in := market.OfferInput{TransferPriceFen: ds.Patents[p].TransferPriceFen, NegotiableLicence: k%2 == 0}
		if _, err := ts.SetOffer(ctx, holder(p), appNo(p), in); err != nil {
			return 0, wrap("offer "+appNo(p), err)
		}
	}
	// visits and QR scans, then acceptances through channels
	for k := range 40 {
		at(1+k*2, 3)
		ch := channel(k)
		p := sc.offered[k%len(sc.offered)]
		id, err := ts.PatentIDByNo(ctx, appNo(p))
		if err != nil {
			return 0, wrap("visit", err)
		}
		for v := range 1 + k%3 {
			if err := ts.RecordVisit(ctx, ch, fmt.Sprintf("demo:%d", v), id); err != nil {
				return 0, wrap("visit", err)
			}
		}
	}
	for k, p := range sc.declared {
		at(5+k*6, 4)
		_, created, err := ts.AcceptLicenceWith(ctx, buyer(k, p), market.AcceptRequest{ApplicationNo: appNo(p), Via: channel(k * 3)})
		if err != nil && market.AsFieldErrors(err) == nil {
			return 0, wrap("acceptance", err)
		}
		if created {
			made++
		}
	}
	// intents in every state
	type plan struct {
		kind  string
		steps string // m: messages, d: declined, w: withdrawn, a: agreed, r: registered
	}
	plans := []plan{{market.ContractTransfer, "m"}, {market.ContractTransfer, ""}, {market.ContractTransfer, "md"},
		{market.ContractTransfer, "w"}, {market.ContractTransfer, "mar"}, {market.ContractTransfer, "ma"},
		{market.ContractOrdinaryLicence, "ma"}, {market.ContractOrdinaryLicence, "m"}}
	for k, pl := range plans {
		p := sc.offered[k]
		if pl.kind == market.ContractOrdinaryLicence {
			p = sc.offered[2*(k-6)] // negotiation invited on the even ones
		}
		at(10+k*7, 1)
		b := buyer(k, p)
		offer := ds.Patents[p].TransferPriceFen * 9 / 10
		it, err := ts.CreateIntent(ctx, b, market.IntentInput{ApplicationNo: appNo(p), Kind: pl.kind, OfferFen: &offer,
			Message: "我司对该专利很感兴趣，希望进一步沟通价格和交付方式。", Via: channel(k * 2)})
		if err != nil {
			return 0, wrap("intent on "+appNo(p), err)
		}
		contractNo := ""
		for n, st := range pl.steps {
			at(11+k*7+n*2, 3)
			switch st {
			case 'm':
				if _, err = ts.PostIntentMessage(ctx, holder(p), it.ID, "欢迎洽谈。报价可以商量，可以提供技术交底和三个月的技术支持。"); err == nil {
					at(12+k*7+n*2, 2)
					_, err = ts.PostIntentMessage(ctx, b, it.ID, "好的，我们内部评估后尽快回复。")
				}
			case 'd':
				_, err = ts.DeclineIntent(ctx, holder(p), it.ID)
			case 'w':
				_, err = ts.WithdrawIntent(ctx, b, it.ID)
			case 'a':
				day := market.DateOf(clock)
				var c *market.Contract
				c, err = ts.RecordDeal(ctx, holder(p), it.ID, market.DealInput{FeeFen: offer, SignedOn: day, EffectiveOn: day})
				if err == nil {
					contractNo = c.ContractNo
					made++
				}
			case 'r':
				_, err = ts.RecordRegistration(ctx, b, contractNo, fmt.Sprintf("ZR%s%04d", market.DateOf(clock).Time().Format("20060102"), it.ID), market.DateOf(clock))
			}
			if err != nil {
				return 0, wrap(fmt.Sprintf("intent %d step %c", it.ID, st), err)
			}
		}
	}
	// targets of the year for every wall and supermarket, by their operators
	at(0, 1)
	year := ds.Now.In(market.Shanghai).Year()
	from, to := market.NewDate(year, time.January, 1), market.NewDate(year, time.December, 31)
	for k, w := range ds.Walls {
		t := market.TargetInput{From: from, To: to, Listings: 200, Intents: 6, Contracts: 8 + int64(k)*2, SMEs: 5, TurnoverFen: 50_000_000}
		if _, err := ts.SetChannelTargets(ctx, actors[int(w.OrgID-1)], market.ChannelWall+":"+w.Slug, t); err != nil {
			return 0, wrap("targets of "+w.Slug, err)
		}
	}
	for _, m := range ds.Supermarkets {
		t := market.TargetInput{From: from, To: to, Listings: 100, Intents: 4, Contracts: 6, SMEs: 4, TurnoverFen: 20_000_000}
		if _, err := ts.SetChannelTargets(ctx, actors[int(m.OfficeID-1)], market.ChannelSupermarket+":"+m.Slug, t); err != nil {
			return 0, wrap("targets of "+m.Slug, err)
		}
	}
	return made, nil
}

// channelUsers creates one user per organisation of the scene (a second one where the deals already made
// one) and returns their actors by organisation index. The password is random: nobody logs in as them.
func channelUsers(tx *gorm.DB, ds *Dataset, orgs map[int]bool) (map[int]market.Actor, error) {
	secret := make([]byte, 24)
	rand.Read(secret)
	hash, err := argon2id.CreateHash(hex.EncodeToString(secret), market.PasswordParams)
	if err != nil {
		return nil, fmt.Errorf("demo channels: hash password: %w", err)
	}
	idx := make([]int, 0, len(orgs))
	for i := range orgs {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	out := make(map[int]market.Actor, len(idx))
	for _, i := range idx {
		o := &ds.Orgs[i]
		var id int64
		if err := tx.Model(&market.Organisation{}).Where("uscc = ?", o.USCC).Select("id").Scan(&id).Error; err != nil || id == 0 {
			return nil, fmt.Errorf("demo channels: organisation %s: %v", o.USCC, err)
		}
		u := market.User{OrgID: &id, Email: "demo-channel-" + strings.ToLower(o.USCC) + "@users.example.com", Name: "演示账户",
			PasswordHash: hash, Role: market.RoleForKind(o.Kind), CreatedAt: ds.Now}
		if err := tx.Create(&u).Error; err != nil {
			return nil, fmt.Errorf("demo channels: user of %s: %w", o.USCC, err)
		}
		out[i] = market.Actor{UserID: u.ID, OrgID: id, Role: u.Role, OrgKind: o.Kind, OrgVerified: o.VerifiedAt != nil}
	}
	return out, nil
}
