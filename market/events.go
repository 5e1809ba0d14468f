package market

// The history of a contract is an append-only, hash-chained list of events written in the same
// transaction as the change they record. Each event's hash is
//
//	hex(SHA-256(prev_hash || canonical JSON))
//
// where prev_hash is the previous event's hash as 64 hex characters (64 zeros for seq 1) and the
// canonical JSON is, in exactly this field order and without spaces:
//
//	{"contract_id":N,"seq":N,"kind":"…","actor":{"user_id":N|null,"org_id":N|null},"at":"…","payload":{…}}
//
// with "at" the event time in UTC, RFC 3339 with up to 6 fractional digits (times are kept to the
// microsecond, Postgres' precision), and "payload" the stored payload JSON compacted. The payload is
// an object with sorted keys and always carries "status", the contract's status after the event, so
// the last event must agree with the contract row. Anyone can re-check a chain from a database dump.
//
// Nothing in this package updates or deletes events, and database triggers refuse it.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Event kinds, in the order a contract usually meets them.
const (
	EventNotified         = "notified" // the licensee's written notice reached the licensor: the contract formed
	EventPaymentRecorded  = "payment_recorded"
	EventPaymentConfirmed = "payment_confirmed"
	EventPaymentRejected  = "payment_rejected"
	EventEffective        = "effective"
	EventFiled            = "filed" // CNIPA filing (备案) recorded; again when corrected
	EventTerminated       = "terminated"
	EventCancelled        = "cancelled"
)

// GenesisHash is the prev_hash of a chain's first event.
var GenesisHash = strings.Repeat("0", 64)

// ContractEvent is one step of a contract's history.
type ContractEvent struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	ContractID  int64     `gorm:"column:contract_id"`
	Seq         int       `gorm:"column:seq"`
	Kind        string    `gorm:"column:kind"`
	ActorUserID *int64    `gorm:"column:actor_user_id"`
	ActorOrgID  *int64    `gorm:"column:actor_org_id"`
	Payload     string    `gorm:"column:payload"` // JSON object
	At          time.Time `gorm:"column:at"`
	PrevHash    string    `gorm:"column:prev_hash"`
	Hash        string    `gorm:"column:hash"`
}

func (ContractEvent) TableName() string { return "contract_events" }

// PayloadMap decodes the payload (nil when it is not a JSON object).
func (e *ContractEvent) PayloadMap() map[string]any {
	var m map[string]any
	if json.Unmarshal([]byte(e.Payload), &m) != nil {
		return nil
	}
	return m
}

type eventActorJSON struct {
	UserID *int64 `json:"user_id"`
	OrgID  *int64 `json:"org_id"`
}

// eventHashInput fixes the field order of the canonical JSON (encoding/json keeps struct order).
type eventHashInput struct {
	ContractID int64           `json:"contract_id"`
	Seq        int             `json:"seq"`
	Kind       string          `json:"kind"`
	Actor      eventActorJSON  `json:"actor"`
	At         string          `json:"at"`
	Payload    json.RawMessage `json:"payload"`
}

// EventHash computes the hash an event must carry, given its previous event's hash.
func EventHash(prevHash string, e *ContractEvent) (string, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(e.Payload)); err != nil {
		return "", fmt.Errorf("payload is not JSON: %w", err)
	}
	b, err := json.Marshal(eventHashInput{
		ContractID: e.ContractID, Seq: e.Seq, Kind: e.Kind,
		Actor: eventActorJSON{UserID: e.ActorUserID, OrgID: e.ActorOrgID},
		At:    e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), Payload: compact.Bytes(),
	})
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// chainHead is the last event of a chain (seq 0 and GenesisHash for an empty one).
type chainHead struct {
	Seq  int
	Hash string
}

func newChain() chainHead { return chainHead{Hash: GenesisHash} }

// loadChainHead reads the last event of a contract. Callers hold the contract's row lock (or are the
// transaction that created it), so no one appends in between; the unique (contract_id, seq) index would
// refuse a second writer anyway.
func loadChainHead(tx *gorm.DB, contractID int64) (chainHead, error) {
	var e ContractEvent
	err := tx.Select("seq", "hash").Where("contract_id = ?", contractID).Order("seq DESC").Limit(1).Find(&e).Error
	if err != nil {
		return chainHead{}, fmt.Errorf("market: load history head of contract %d: %w", contractID, err)
	}
	if e.Seq == 0 {
		return newChain(), nil
	}
	return chainHead{Seq: e.Seq, Hash: e.Hash}, nil
}

// eventSpec is an event to append: its kind and payload (a map, marshalled with sorted keys).
type eventSpec struct {
	Kind    string
	Payload map[string]any
}

// appendEvents appends events after head, all at the same instant, and returns the new head.
func appendEvents(tx *gorm.DB, contractID int64, head chainHead, actor Actor, at time.Time, specs ...eventSpec) (chainHead, error) {
	rows, head, err := buildEvents(contractID, head, actor, at, specs...)
	if err != nil {
		return head, err
	}
	if err := tx.Create(&rows).Error; err != nil {
		return head, fmt.Errorf("market: append history of contract %d: %w", contractID, err)
	}
	return head, nil
}

// buildEvents makes the rows of events after head, hashes included, without writing them.
func buildEvents(contractID int64, head chainHead, actor Actor, at time.Time, specs ...eventSpec) ([]ContractEvent, chainHead, error) {
	var uid, oid *int64
	if actor.UserID != 0 {
		v := actor.UserID
		uid = &v
	}
	if actor.OrgID != 0 {
		v := actor.OrgID
		oid = &v
	}
	rows := make([]ContractEvent, 0, len(specs))
	for _, sp := range specs {
		if sp.Payload == nil {
			sp.Payload = map[string]any{}
		}
		p, err := json.Marshal(sp.Payload)
		if err != nil {
			return nil, head, fmt.Errorf("market: event payload: %w", err)
		}
		e := ContractEvent{ContractID: contractID, Seq: head.Seq + 1, Kind: sp.Kind, ActorUserID: uid, ActorOrgID: oid,
			Payload: string(p), At: at.UTC().Truncate(time.Microsecond), PrevHash: head.Hash}
		if e.Hash, err = EventHash(head.Hash, &e); err != nil {
			return nil, head, err
		}
		rows = append(rows, e)
		head = chainHead{Seq: e.Seq, Hash: e.Hash}
	}
	return rows, head, nil
}

// ContractHistory lists a contract's events in order (its parties and the bureau only).
func (s *Store) ContractHistory(ctx context.Context, actor Actor, contractNo string) ([]ContractEvent, error) {
	c, err := s.contractForActor(ctx, s.db.WithContext(ctx), actor, contractNo)
	if err != nil {
		return nil, err
	}
	var evs []ContractEvent
	if err := s.db.WithContext(ctx).Where("contract_id = ?", c.ID).Order("seq").Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("market: history of %s: %w", contractNo, err)
	}
	return evs, nil
}

// Problems VerifyChains reports.
const (
	ChainSeq      = "seq"       // a missing or extra event: seq does not follow
	ChainPrevHash = "prev_hash" // the event does not point at the previous hash
	ChainHash     = "hash"      // the event's content does not give its stored hash (edited)
	ChainMissing  = "missing"   // a platform contract without any history
	ChainStatus   = "status"    // the contract's status differs from what its history says (edited or truncated)
	ChainContent  = "content"   // the terms no longer give the content hash recorded when the contract formed
)

// BrokenLink is the first problem found in one contract's history.
type BrokenLink struct {
	ContractID int64
	ContractNo string
	Seq        int
	Problem    string
	Expected   string
	Found      string
}

func (b BrokenLink) String() string {
	return fmt.Sprintf("contract %s: seq %d: %s: expected %s, found %s", b.ContractNo, b.Seq, b.Problem, b.Expected, b.Found)
}

// ChainReport is the result of VerifyChains.
type ChainReport struct {
	Contracts int // contracts checked (those with events, plus platform contracts)
	Events    int
	Broken    []BrokenLink // at most one per contract, ordered by contract ID
}

// OK reports whether every chain is intact.
func (r *ChainReport) OK() bool { return len(r.Broken) == 0 }

type chainState struct {
	head        chainHead
	broken      bool
	lastStatus  string
	contentHash string // content_sha256 recorded by the notified event
}

// VerifyChains re-computes every contract's hash chain and finds the first broken link per contract.
// It also checks that each platform contract has a history, that its status is the one its last event
// records, and that its terms still hash to the content hash recorded when it formed.
func (s *Store) VerifyChains(ctx context.Context) (*ChainReport, error) {
	db := s.db.WithContext(ctx)
	rep := &ChainReport{}
	states := map[int64]*chainState{}
	broken := map[int64]BrokenLink{}
	const batch = 2000
	lastContract, lastSeq := int64(0), 0
	for {
		var evs []ContractEvent
		err := db.Where("contract_id > ? OR (contract_id = ? AND seq > ?)", lastContract, lastContract, lastSeq).
			Order("contract_id, seq").Limit(batch).Find(&evs).Error
		if err != nil {
			return nil, fmt.Errorf("market: verify history: %w", err)
		}
		for i := range evs {
			e := &evs[i]
			rep.Events++
			st := states[e.ContractID]
			if st == nil {
				st = &chainState{head: newChain()}
				states[e.ContractID] = st
			}
			if st.broken {
				continue
			}
			if bl, ok := checkLink(st, e); !ok {
				st.broken = true
				broken[e.ContractID] = bl
			}
		}
		if len(evs) < batch {
			break
		}
		lastContract, lastSeq = evs[len(evs)-1].ContractID, evs[len(evs)-1].Seq
	}
	// Contract-level checks, in ID order, for platform contracts and any contract with events.
	var lastID int64
	for {
		var cs []Contract
		err := db.Select("id", "contract_no", "source", "status", "terms_json", "content_sha256").
			Where("id > ?", lastID).Order("id").Limit(batch).Find(&cs).Error
		if err != nil {
			return nil, fmt.Errorf("market: verify contracts: %w", err)
		}
		for _, c := range cs {
			st := states[c.ID]
			if st == nil && c.Source != ContractSourcePlatform {
				continue
			}
			rep.Contracts++
			if bl, ok := broken[c.ID]; ok {
				bl.ContractNo = c.ContractNo
				rep.Broken = append(rep.Broken, bl)
				continue
			}
			if bl, ok := checkContract(&c, st); !ok {
				rep.Broken = append(rep.Broken, bl)
			}
		}
		if len(cs) < batch {
			break
		}
		lastID = cs[len(cs)-1].ID
	}
	return rep, nil
}

// checkLink checks one event against the chain so far and advances it.
func checkLink(st *chainState, e *ContractEvent) (BrokenLink, bool) {
	bl := BrokenLink{ContractID: e.ContractID, Seq: e.Seq}
	if want := st.head.Seq + 1; e.Seq != want {
		// Seq names the missing event, the first one the chain lacks.
		bl.Seq, bl.Problem, bl.Expected, bl.Found = want, ChainSeq, fmt.Sprint(want), fmt.Sprint(e.Seq)
		return bl, false
	}
	if e.PrevHash != st.head.Hash {
		bl.Problem, bl.Expected, bl.Found = ChainPrevHash, st.head.Hash, e.PrevHash
		return bl, false
	}
	h, err := EventHash(e.PrevHash, e)
	if err != nil {
		bl.Problem, bl.Expected, bl.Found = ChainHash, e.Hash, err.Error()
		return bl, false
	}
	if h != e.Hash {
		bl.Problem, bl.Expected, bl.Found = ChainHash, h, e.Hash
		return bl, false
	}
	st.head = chainHead{Seq: e.Seq, Hash: e.Hash}
	p := e.PayloadMap()
	if v, ok := p["status"].(string); ok {
		st.lastStatus = v
	}
	if v, ok := p["content_sha256"].(string); ok && e.Kind == EventNotified {
		st.contentHash = v
	}
	return bl, true
}

func checkContract(c *Contract, st *chainState) (BrokenLink, bool) {
	bl := BrokenLink{ContractID: c.ID, ContractNo: c.ContractNo}
	if st == nil {
		bl.Seq, bl.Problem, bl.Expected, bl.Found = 1, ChainMissing, EventNotified, "no events"
		return bl, false
	}
	if st.lastStatus != "" && st.lastStatus != c.Status {
		bl.Seq, bl.Problem, bl.Expected, bl.Found = st.head.Seq, ChainStatus, st.lastStatus, c.Status
		return bl, false
	}
	if st.contentHash != "" {
		sum := sha256.Sum256([]byte(c.TermsJSON))
		found := hex.EncodeToString(sum[:])
		if found == st.contentHash && c.ContentSHA256 != st.contentHash {
			found = c.ContentSHA256
		}
		if found != st.contentHash {
			bl.Seq, bl.Problem, bl.Expected, bl.Found = 1, ChainContent, st.contentHash, found
			return bl, false
		}
	}
	return bl, true
}
