package market

// Offers beside the open licence (docs/rules.md §10.3): a holder asks a price for a transfer (转让) of a
// patent and/or invites negotiated ordinary licences. Both are invitations to talk: a deal comes out
// of an intent (intents.go).

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// OfferInput is a holder's offer; TransferPriceFen 0 means "not for sale".
type OfferInput struct {
	TransferPriceFen  int64
	NegotiableLicence bool
}

// SetOffer sets (or clears) the offer of a patent of the actor's organisation; the search index follows.
func (s *Store) SetOffer(ctx context.Context, act Actor, appNo string, in OfferInput) (*Patent, error) {
	if err := act.MayPublish(); err != nil {
		return nil, fmt.Errorf("market: set offer %s: %w", strings.TrimSpace(appNo), err)
	}
	canon, err := NormalizeApplicationNo(appNo)
	if err != nil {
		return nil, ErrNotFound
	}
	if in.TransferPriceFen < 0 {
		return nil, NewFieldError("transfer_price_yuan", "negative", "转让价格不能为负数", "the transfer price must not be negative")
	}
	var out *Patent
	err = s.Tx(ctx, func(tx *gorm.DB) error {
		p, _, err := s.lockOwnPatent(ctx, tx, act, canon)
		if err != nil {
			return err
		}
		offered := in.TransferPriceFen > 0 || in.NegotiableLicence
		if offered && p.Status != StatusGranted {
			return NewFieldError("application_no", CodePatentNotInForce, "只有已授权且有效的专利可以转让或洽谈许可",
				"only a granted patent in force can be offered for transfer or negotiation")
		}
		now := s.now()
		upd := map[string]any{"transfer_price_fen": in.TransferPriceFen, "negotiable_licence": in.NegotiableLicence, "updated_at": now}
		switch {
		case !offered:
			upd["offered_at"], p.OfferedAt = nil, nil
		case p.OfferedAt == nil:
			upd["offered_at"], p.OfferedAt = now, &now
		}
		if err := tx.Model(&Patent{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
			return err
		}
		p.TransferPriceFen, p.NegotiableLicence, p.UpdatedAt = in.TransferPriceFen, in.NegotiableLicence, now
		out = p
		return EnqueueIndex(tx, now, p.ID)
	})
	if err != nil {
		return nil, wrapUser(err, "set offer %s", canon)
	}
	return out, nil
}

// PatentOffer is what the patent page shows of a patent's offer.
type PatentOffer struct {
	PatentID          int64
	PatenteeID        int64
	TransferPriceFen  int64
	NegotiableLicence bool
}

// Offered reports whether the patent is offered beside its open licence.
func (o PatentOffer) Offered() bool { return o.TransferPriceFen > 0 || o.NegotiableLicence }

// OfferOf reads a patent's offer (zero when the patent is unknown).
func (s *Store) OfferOf(ctx context.Context, appNo string) (PatentOffer, error) {
	canon, err := NormalizeApplicationNo(appNo)
	if err != nil {
		return PatentOffer{}, nil
	}
	var p Patent
	if err := s.reader().WithContext(ctx).Select("id", "patentee_id", "transfer_price_fen", "negotiable_licence").
		Where("application_no = ?", canon).Limit(1).Find(&p).Error; err != nil {
		return PatentOffer{}, fmt.Errorf("market: offer of %s: %w", canon, err)
	}
	return PatentOffer{PatentID: p.ID, PatenteeID: p.PatenteeID, TransferPriceFen: p.TransferPriceFen, NegotiableLicence: p.NegotiableLicence}, nil
}
