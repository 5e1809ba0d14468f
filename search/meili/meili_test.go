package meili_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"patentwall/search"
	"patentwall/search/meili"
	"patentwall/search/searchtest"
)

// newLiveIndex gives each test its own index (a unique uid) on the server named by MEILISEARCH_URL and
// drops it afterwards, so parallel runs never share documents.
func newLiveIndex(t *testing.T) search.Index {
	url := os.Getenv("MEILISEARCH_URL")
	if url == "" {
		t.Skip("MEILISEARCH_URL not set: the shared suite needs a Meilisearch server (the protocol test runs without one)")
	}
	idx := meili.New(url, os.Getenv("MEILISEARCH_API_KEY"))
	idx.UID = fmt.Sprintf("patentwall_test_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		idx.Drop(t.Context())
		idx.Close()
	})
	return idx
}

func TestSuiteLive(t *testing.T) {
	newLiveIndex(t) // skips without a server
	searchtest.Run(t, newLiveIndex)
}

func TestQualityLive(t *testing.T) {
	newLiveIndex(t)
	searchtest.Quality(t, newLiveIndex)
}

func TestDemandQualityLive(t *testing.T) {
	newLiveIndex(t)
	searchtest.DemandQuality(t, newLiveIndex)
}
