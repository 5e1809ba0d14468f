package market

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// FuzzEventHash: the canonical JSON EventHash writes by hand is byte for byte encoding/json's
// (eventHashJSON) for any event: kinds and payloads with quotes, escapes, HTML characters, U+2028,
// invalid UTF-8 and spaces to compact; actors present or not; any time. A payload that is not JSON is
// refused by both. The hash is SHA-256 of the previous hash and that JSON.
func FuzzEventHash(f *testing.F) {
	for _, s := range []struct{ kind, payload string }{
		{EventNotified, `{"status":"effective","content_sha256":"ab","declaration_id":7}`},
		{EventEffective, `{ "reason" : "nothing due up front", "status":"effective" }`},
		{"paid", `{"note":"<b>A&B</b>","x":"\u2028\u2029","y":"引号\"与\\反斜杠"}`},
		{"a<b>&c", "{\"raw separators\":\"\u2028\u2029\"}"},
		{"kind\"with<quote>&", `{"k":[1, 2.50, -3e2, true, null, {"a": {}}]}`},
		{"\xff\xfe", "{\"bad\":\"\xff\"}"},
		{"", `not json`},
		{"notified", `{"ctl":"\u0001\n\t","del":"` + "\x7f" + `"}`},
	} {
		f.Add(int64(42), 3, s.kind, int64(9), true, int64(0), false, int64(1_700_000_000_123_456_789), s.payload)
	}
	f.Fuzz(func(t *testing.T, contractID int64, seq int, kind string, user int64, hasUser bool, org int64, hasOrg bool,
		nanos int64, payload string) {
		e := &ContractEvent{ContractID: contractID, Seq: seq, Kind: kind, Payload: payload, At: time.Unix(0, nanos)}
		if hasUser {
			e.ActorUserID = &user
		}
		if hasOrg {
			e.ActorOrgID = &org
		}
		want, werr := eventHashJSON(e)
		var got bytes.Buffer
		gerr := appendEventHashJSON(&got, e, false)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("encoding/json error %v, by hand %v", werr, gerr)
		}
		if werr != nil {
			return
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("canonical JSON differs:\nby hand:       %s\nencoding/json: %s", got.Bytes(), want)
		}
		// A payload json.Marshal wrote (as buildEvents' are) goes in as it is, with the same hash.
		var v any
		if json.Unmarshal([]byte(payload), &v) == nil {
			m, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			em := *e
			em.Payload = string(m)
			a, aerr := eventHash(GenesisHash, &em, true)
			b, berr := EventHash(GenesisHash, &em)
			if aerr != nil || berr != nil || a != b {
				t.Fatalf("payload %s: hash as marshalled %s (%v), as any payload %s (%v)", m, a, aerr, b, berr)
			}
		}
		prev := GenesisHash
		h, err := EventHash(prev, e)
		sum := sha256.Sum256(append([]byte(prev), want...))
		if err != nil || h != hex.EncodeToString(sum[:]) {
			t.Fatalf("EventHash = %s, %v; want %x", h, err, sum)
		}
	})
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

// eventHashJSON is the canonical JSON (events.go) as encoding/json writes it: the definition
// appendEventHashJSON keeps to.
func eventHashJSON(e *ContractEvent) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(e.Payload)); err != nil {
		return nil, fmt.Errorf("payload is not JSON: %w", err)
	}
	return json.Marshal(eventHashInput{
		ContractID: e.ContractID, Seq: e.Seq, Kind: e.Kind,
		Actor: eventActorJSON{UserID: e.ActorUserID, OrgID: e.ActorOrgID},
		At:    e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), Payload: compact.Bytes(),
	})
}
