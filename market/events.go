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
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	// Contracts made off the platform (the contracts import, docs/rules.md §8): the system records the
	// contract as a file created it, and again whenever a later file changes it. The status is whatever
	// the file set.
	EventImported      = "imported"
	EventImportUpdated = "import_updated"
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

// EventHash computes the hash an event must carry, given its previous event's hash.
//
// It writes the canonical JSON of the file comment itself, byte for byte what encoding/json makes of
// those fields in that order (FuzzEventHash checks the two agree): encoding/json would compact the
// payload a second time, and two events are hashed in every acceptance.
func EventHash(prevHash string, e *ContractEvent) (string, error) {
	return eventHash(prevHash, e, false)
}

// eventHash is EventHash; marshalled says the payload is json.Marshal's output, which is already
// compact with <, >, & and U+2028/U+2029 escaped, so it goes into the canonical JSON as it is.
func eventHash(prevHash string, e *ContractEvent, marshalled bool) (string, error) {
	buf := hashBuffers.Get().(*bytes.Buffer)
	defer hashBuffers.Put(buf)
	buf.Reset()
	if err := appendEventHashJSON(buf, e, marshalled); err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(buf.Bytes())
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])), nil
}

var hashBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// appendEventHashJSON writes an event's canonical JSON (the file comment) to buf.
func appendEventHashJSON(buf *bytes.Buffer, e *ContractEvent, marshalled bool) error {
	var num [20]byte
	buf.WriteString(`{"contract_id":`)
	buf.Write(strconv.AppendInt(num[:0], e.ContractID, 10))
	buf.WriteString(`,"seq":`)
	buf.Write(strconv.AppendInt(num[:0], int64(e.Seq), 10))
	buf.WriteString(`,"kind":`)
	if err := appendJSONString(buf, e.Kind); err != nil {
		return err
	}
	buf.WriteString(`,"actor":{"user_id":`)
	appendJSONID(buf, e.ActorUserID)
	buf.WriteString(`,"org_id":`)
	appendJSONID(buf, e.ActorOrgID)
	buf.WriteString(`},"at":`)
	if err := appendJSONString(buf, e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)); err != nil {
		return err
	}
	buf.WriteString(`,"payload":`)
	// Compacted, then with <, >, & and U+2028/U+2029 escaped as encoding/json escapes them in a
	// json.RawMessage it marshals.
	if marshalled {
		buf.WriteString(e.Payload)
		buf.WriteByte('}')
		return nil
	}
	start := buf.Len()
	if err := json.Compact(buf, []byte(e.Payload)); err != nil {
		return fmt.Errorf("payload is not JSON: %w", err)
	}
	if compact := buf.Bytes()[start:]; needsHTMLEscape(compact) {
		escaped := bytes.Clone(compact)
		buf.Truncate(start)
		json.HTMLEscape(buf, escaped)
	}
	buf.WriteByte('}')
	return nil
}

// needsHTMLEscape: b holds <, > or & or may hold U+2028 or U+2029 (whose UTF-8 begins with 0xE2).
func needsHTMLEscape(b []byte) bool {
	for _, c := range b {
		if c == '<' || c == '>' || c == '&' || c == 0xE2 {
			return true
		}
	}
	return false
}

// appendJSONID writes an optional ID as encoding/json does: the number, or null.
func appendJSONID(buf *bytes.Buffer, id *int64) {
	if id == nil {
		buf.WriteString("null")
		return
	}
	var num [20]byte
	buf.Write(strconv.AppendInt(num[:0], *id, 10))
}

// appendJSONString writes s as encoding/json does: plain printable ASCII as it is, anything else
// through encoding/json itself.
func appendJSONString(buf *bytes.Buffer, s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			buf.Write(b)
			return nil
		}
	}
	buf.WriteByte('"')
	buf.WriteString(s)
	buf.WriteByte('"')
	return nil
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

// appendEvents appends events after head, all at the same instant, and returns the new head. Callers
// have written the step's changes first: the last event carries the contract's facts as the
// transaction now sees them, and the new head is anchored (audit.go).
func appendEvents(tx *gorm.DB, contractID int64, head chainHead, actor Actor, at time.Time, specs ...eventSpec) (chainHead, error) {
	facts, err := loadFacts(tx, contractID)
	if err != nil {
		return head, err
	}
	return appendEventsWithFacts(tx, contractID, head, actor, at, facts, specs...)
}

// appendEventsWithFacts is appendEvents for a caller that has just loaded the contract's facts.
func appendEventsWithFacts(tx *gorm.DB, contractID int64, head chainHead, actor Actor, at time.Time, facts ContractFacts, specs ...eventSpec) (chainHead, error) {
	rows, head, err := buildEvents(contractID, head, actor, at, withFacts(specs, facts)...)
	if err != nil {
		return head, err
	}
	if err := tx.Create(&rows).Error; err != nil {
		return head, fmt.Errorf("market: append history of contract %d: %w", contractID, err)
	}
	if len(rows) > 0 {
		if err := markPending(tx, contractID, facts.ContractNo); err != nil {
			return head, err
		}
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
		if e.Hash, err = eventHash(head.Hash, &e, true); err != nil {
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
	ChainSeq        = "seq"        // a missing or extra event: seq does not follow
	ChainPrevHash   = "prev_hash"  // the event does not point at the previous hash
	ChainHash       = "hash"       // the event's content does not give its stored hash (edited)
	ChainMissing    = "missing"    // a platform contract without any history
	ChainStatus     = "status"     // the contract's status differs from what its history says (edited or truncated)
	ChainContent    = "content"    // the terms no longer give the content hash recorded when the contract formed
	ChainFacts      = "facts"      // a fact (Expected/Found name the column) differs from the last event's facts
	ChainAnchored   = "anchored"   // an anchored event is gone or differs (events deleted, e.g. with the status rolled back)
	ChainUnanchored = "unanchored" // the chain's last event has no anchor (events added outside the store)
	ChainDeleted    = "deleted"    // an anchored contract, or the contract of some events, no longer exists
	ChainAnchor     = "anchor"     // the anchors themselves: a missing anchor, a wrong digest, or a head that disagrees
)

// BrokenLink is the first problem found in one contract's history, or (Problem ChainAnchor) in the
// anchors, where Anchor is the anchor's seq.
type BrokenLink struct {
	ContractID int64
	ContractNo string
	Seq        int
	Anchor     int64
	Problem    string
	Expected   string
	Found      string
}

func (b BrokenLink) String() string {
	if b.Problem == ChainAnchor {
		return fmt.Sprintf("anchor %d (contract %s): %s: expected %s, found %s", b.Anchor, b.ContractNo, b.Problem, b.Expected, b.Found)
	}
	return fmt.Sprintf("contract %s: seq %d: %s: expected %s, found %s", b.ContractNo, b.Seq, b.Problem, b.Expected, b.Found)
}

// ChainReport is the result of VerifyChains.
type ChainReport struct {
	Contracts int // contracts checked (those with events, plus platform contracts)
	Events    int
	Anchors   int64  // anchors checked (the seq of the last one)
	Digest    string // the running digest recomputed over all anchors (GenesisHash when there are none)
	Pending   int    // contracts whose new chain head waits for the anchorer (AnchorPending)
	// Broken lists the first anchor problem (if any), then at most one problem per contract, ordered by
	// contract ID.
	Broken []BrokenLink
	// digests holds the recomputed digest after each anchor, for DigestAt.
	digests []string
}

// OK reports whether every chain is intact.
func (r *ChainReport) OK() bool { return len(r.Broken) == 0 }

// DigestAt returns the recomputed running digest after anchor seq (GenesisHash for 0; false when the
// database has fewer anchors): an auditor's saved digest for seq must still be this one.
func (r *ChainReport) DigestAt(seq int64) (string, bool) {
	switch {
	case seq == 0:
		return GenesisHash, true
	case seq < 0 || seq > int64(len(r.digests)):
		return "", false
	}
	return r.digests[seq-1], true
}

type chainState struct {
	head        chainHead
	broken      bool
	lastStatus  string
	contentHash string          // content_sha256 recorded by the notified event
	hasFacts    bool            // some event carries facts (written since facts and anchors exist)
	lastFacts   json.RawMessage // the facts of the last event, nil when it has none
	anchored    int             // the highest seq of an anchored event found in the chain
}

type anchorRef struct {
	seq        int64
	contractNo string
	hash       string
}

// VerifyChains re-computes every contract's hash chain and finds the first broken link per contract.
// It also checks that each platform contract has a history, that its status is the one its last event
// records, that its terms still hash to the content hash recorded when it formed and that its current
// facts (parties, patents, amounts, dates, filing, payments) are those its last event records; and it
// recomputes the running digest over the anchors, checking that every anchored event still exists with
// its hash and that every chain's last event is anchored (audit.go; chains written before anchors existed
// verify under the old rule).
//
// It reads one snapshot (a read-only transaction, repeatable read on Postgres), so steps and anchoring
// that commit meanwhile are not half seen. A chain whose new head still waits for the anchorer
// (audit_pending) is not reported as unanchored; a pending head of a contract that is gone is reported
// as deleted. Callers that want every head anchored call AnchorPending first.
func (s *Store) VerifyChains(ctx context.Context) (*ChainReport, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.IsPostgres() {
		opts.Isolation = sql.LevelRepeatableRead
	}
	var rep *ChainReport
	err := s.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		var err error
		rep, err = verifyChains(db)
		return err
	}, opts)
	return rep, err
}

func verifyChains(db *gorm.DB) (*ChainReport, error) {
	rep := &ChainReport{Digest: GenesisHash}
	const batch = 2000

	// The anchors, in seq order: recompute the digest, and remember what each contract's anchors name.
	anchors := map[int64]map[int]anchorRef{}
	var anchorBroken *BrokenLink
	for last := int64(0); ; {
		var as []AuditAnchor
		if err := db.Where("seq > ?", last).Order("seq").Limit(batch).Find(&as).Error; err != nil {
			return nil, fmt.Errorf("market: verify anchors: %w", err)
		}
		for _, a := range as {
			if anchorBroken == nil {
				bl := BrokenLink{ContractID: a.ContractID, ContractNo: a.ContractNo, Anchor: a.Seq, Problem: ChainAnchor}
				d := AnchorDigest(rep.Digest, a.ContractNo, a.EventHash)
				switch {
				case a.Seq != rep.Anchors+1:
					bl.Anchor, bl.Expected, bl.Found = rep.Anchors+1, fmt.Sprintf("anchor %d", rep.Anchors+1), fmt.Sprintf("anchor %d", a.Seq)
					anchorBroken = &bl
				case d != a.Digest:
					bl.Expected, bl.Found = "digest "+d, "digest "+a.Digest
					anchorBroken = &bl
				default:
					rep.Anchors, rep.Digest = a.Seq, d
					rep.digests = append(rep.digests, d)
				}
			}
			m := anchors[a.ContractID]
			if m == nil {
				m = map[int]anchorRef{}
				anchors[a.ContractID] = m
			}
			m[a.EventSeq] = anchorRef{seq: a.Seq, contractNo: a.ContractNo, hash: a.EventHash}
		}
		if len(as) < batch {
			break
		}
		last = as[len(as)-1].Seq
	}
	var head auditHead
	if err := db.Where("id = 1").Limit(1).Find(&head).Error; err != nil {
		return nil, fmt.Errorf("market: verify anchors: %w", err)
	}
	if anchorBroken == nil && (head.Seq != rep.Anchors || head.Digest != rep.Digest) {
		anchorBroken = &BrokenLink{Anchor: head.Seq, Problem: ChainAnchor,
			Expected: fmt.Sprintf("head %d %s", rep.Anchors, rep.Digest), Found: fmt.Sprintf("head %d %s", head.Seq, head.Digest)}
	}
	if anchorBroken != nil {
		rep.Broken = append(rep.Broken, *anchorBroken)
	}

	states := map[int64]*chainState{}
	broken := map[int64]BrokenLink{}
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
			bl, ok := checkLink(st, e)
			if a, anchored := anchors[e.ContractID][e.Seq]; ok && anchored {
				if a.hash != e.Hash {
					bl.Problem, bl.Expected, bl.Found, ok = ChainAnchored, a.hash, e.Hash, false
				} else {
					st.anchored = e.Seq
					delete(anchors[e.ContractID], e.Seq)
				}
			}
			if !ok {
				st.broken = true
				broken[e.ContractID] = bl
			}
		}
		if len(evs) < batch {
			break
		}
		lastContract, lastSeq = evs[len(evs)-1].ContractID, evs[len(evs)-1].Seq
	}
	// Heads waiting for the anchorer.
	var pend []auditPending
	if err := db.Find(&pend).Error; err != nil {
		return nil, fmt.Errorf("market: verify pending anchors: %w", err)
	}
	pending := make(map[int64]string, len(pend))
	for _, p := range pend {
		pending[p.ContractID] = p.ContractNo
	}
	rep.Pending = len(pending)
	// Contract-level checks, in ID order, for platform contracts and any contract with events.
	seen := map[int64]bool{}
	var lastID int64
	for {
		var cs []Contract
		if err := db.Where("id > ?", lastID).Order("id").Limit(batch).Find(&cs).Error; err != nil {
			return nil, fmt.Errorf("market: verify contracts: %w", err)
		}
		if len(cs) == 0 {
			break
		}
		first, end := cs[0].ID, cs[len(cs)-1].ID
		var links []ContractPatent
		if err := db.Where("contract_id BETWEEN ? AND ?", first, end).Find(&links).Error; err != nil {
			return nil, fmt.Errorf("market: verify contracts: %w", err)
		}
		var pays []Payment
		if err := db.Where("contract_id BETWEEN ? AND ?", first, end).Find(&pays).Error; err != nil {
			return nil, fmt.Errorf("market: verify contracts: %w", err)
		}
		patentsOf, paymentsOf := map[int64][]int64{}, map[int64][]Payment{}
		for _, l := range links {
			patentsOf[l.ContractID] = append(patentsOf[l.ContractID], l.PatentID)
		}
		for _, p := range pays {
			paymentsOf[p.ContractID] = append(paymentsOf[p.ContractID], p)
		}
		for i := range cs {
			c := &cs[i]
			seen[c.ID] = true
			st := states[c.ID]
			if st == nil && c.Source != ContractSourcePlatform && len(anchors[c.ID]) == 0 {
				continue
			}
			rep.Contracts++
			if bl, ok := broken[c.ID]; ok {
				bl.ContractNo = c.ContractNo
				broken[c.ID] = bl
				continue
			}
			_, waiting := pending[c.ID]
			if bl, ok := checkContract(c, st, anchors[c.ID], waiting, patentsOf[c.ID], paymentsOf[c.ID]); !ok {
				broken[c.ID] = bl
			}
		}
		if len(cs) < batch {
			break
		}
		lastID = end
	}
	// Anchors and events of contracts that are gone.
	for id, m := range anchors {
		if seen[id] || len(m) == 0 {
			continue
		}
		var a anchorRef
		for _, r := range m {
			if a.seq == 0 || r.seq < a.seq {
				a = r
			}
		}
		broken[id] = BrokenLink{ContractID: id, ContractNo: a.contractNo, Problem: ChainDeleted,
			Expected: fmt.Sprintf("the contract (anchor %d)", a.seq), Found: "no such contract"}
	}
	for id, no := range pending {
		if _, ok := broken[id]; !ok && !seen[id] {
			broken[id] = BrokenLink{ContractID: id, ContractNo: no, Problem: ChainDeleted,
				Expected: "the contract (waiting to be anchored)", Found: "no such contract"}
		}
	}
	for id, st := range states {
		if _, ok := broken[id]; !ok && !seen[id] {
			broken[id] = BrokenLink{ContractID: id, ContractNo: fmt.Sprintf("#%d", id), Seq: st.head.Seq, Problem: ChainDeleted,
				Expected: "the contract of these events", Found: "no such contract"}
		}
	}
	ids := make([]int64, 0, len(broken))
	for id := range broken {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		rep.Broken = append(rep.Broken, broken[id])
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
	var p struct {
		Status        *string         `json:"status"`
		ContentSHA256 *string         `json:"content_sha256"`
		Facts         json.RawMessage `json:"facts"`
	}
	_ = json.Unmarshal([]byte(e.Payload), &p)
	if p.Status != nil {
		st.lastStatus = *p.Status
	}
	if p.ContentSHA256 != nil && e.Kind == EventNotified {
		st.contentHash = *p.ContentSHA256
	}
	st.lastFacts = nil
	if len(p.Facts) > 0 && string(p.Facts) != "null" {
		st.hasFacts, st.lastFacts = true, p.Facts
	}
	return bl, true
}

// checkContract checks a contract row against its verified chain (st nil: no events) and the anchors
// of its that no event matched; pending says its new head waits for the anchorer (no anchor expected yet).
func checkContract(c *Contract, st *chainState, unmatched map[int]anchorRef, pending bool, patents []int64, payments []Payment) (BrokenLink, bool) {
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
	if len(unmatched) > 0 {
		seq := 0
		var a anchorRef
		for s, r := range unmatched {
			if seq == 0 || s < seq {
				seq, a = s, r
			}
		}
		bl.Seq, bl.Problem, bl.Expected, bl.Found = seq, ChainAnchored, fmt.Sprintf("event %d %s (anchor %d)", seq, a.hash, a.seq), "no such event"
		return bl, false
	}
	// Chains written before facts and anchors existed (no event carries facts, no anchor) stop here.
	if !st.hasFacts && st.anchored == 0 && !pending {
		return bl, true
	}
	if st.anchored != st.head.Seq && !pending {
		bl.Seq, bl.Problem, bl.Expected, bl.Found = st.head.Seq, ChainUnanchored, fmt.Sprintf("an anchor of event %d", st.head.Seq),
			fmt.Sprintf("the last anchored event is %d", st.anchored)
		return bl, false
	}
	if st.lastFacts == nil {
		bl.Seq, bl.Problem, bl.Expected, bl.Found = st.head.Seq, ChainFacts, "facts in the last event", "none"
		return bl, false
	}
	var want ContractFacts
	if err := json.Unmarshal(st.lastFacts, &want); err != nil {
		bl.Seq, bl.Problem, bl.Expected, bl.Found = st.head.Seq, ChainFacts, "facts in the last event", err.Error()
		return bl, false
	}
	if col, exp, found := diffFacts(want, factsOf(c, patents, payments)); col != "" {
		bl.Seq, bl.Problem, bl.Expected, bl.Found = st.head.Seq, ChainFacts, exp, found
		return bl, false
	}
	return bl, true
}
