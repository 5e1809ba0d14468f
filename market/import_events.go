package market

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// RecordImported appends the history of contracts the contracts import created (an EventImported
// event each) or changed (an EventImportUpdated event each), in the import's transaction, after it
// wrote them: the system is the actor, the payload carries the status the file set and the facts, and
// each new head is anchored like any other step (docs/rules.md §7). Unchanged contracts get nothing.
func RecordImported(tx *gorm.DB, at time.Time, created, updated []int64) error {
	for _, g := range []struct {
		kind string
		ids  []int64
	}{{EventImported, created}, {EventImportUpdated, updated}} {
		for _, id := range g.ids {
			facts, err := loadFacts(tx, id)
			if err != nil {
				return err
			}
			if facts.ContractNo == "" {
				return fmt.Errorf("market: record import of contract %d: no such contract", id)
			}
			head, err := loadChainHead(tx, id)
			if err != nil {
				return err
			}
			_, err = appendEventsWithFacts(tx, id, head, Actor{}, at, facts,
				eventSpec{Kind: g.kind, Payload: map[string]any{"status": facts.Status}})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
