// Package meili is the Meilisearch engine (meilisearch-go v0.37), chosen when MEILISEARCH_URL is set. It
// serves several patentwall processes behind a load balancer: the index lives in the Meilisearch server.
package meili

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"patentwall/search"
)

// Index is a Meilisearch index named patents_<SchemaVersion> (or UID).
type Index struct {
	URL    string
	APIKey string
	UID    string
	// TaskPoll is the interval between task status polls (default 50ms).
	TaskPoll time.Duration
	// HTTPClient replaces the default client (tests, timeouts).
	HTTPClient *http.Client

	client meilisearch.ServiceManager
	idx    meilisearch.IndexManager
}

var _ search.Index = (*Index)(nil)

// New returns the index on the server at url; call Init before use.
func New(url, apiKey string) *Index {
	return &Index{URL: url, APIKey: apiKey, UID: "patents_" + SchemaVersion}
}

// Init creates the index with primary key "id" when it does not exist (rebuild=true) and applies the
// settings, waiting for each task and failing on a failed one.
func (x *Index) Init(ctx context.Context) (bool, error) {
	if x.UID == "" {
		x.UID = "patents_" + SchemaVersion
	}
	opts := []meilisearch.Option{}
	if x.APIKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(x.APIKey))
	}
	if x.HTTPClient != nil {
		opts = append(opts, meilisearch.WithCustomClient(x.HTTPClient))
	}
	x.client = meilisearch.New(x.URL, opts...)
	x.idx = x.client.Index(x.UID)

	created := false
	_, err := x.client.GetIndex(ctx, x.UID)
	switch {
	case hasCode(err, meilisearch.APIErrCodeIndexNotFound):
		task, err := x.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: x.UID, PrimaryKey: "id"})
		if err != nil {
			return false, fmt.Errorf("search/meili: create index %s: %w", x.UID, err)
		}
		switch err := x.wait(ctx, task, "create index"); {
		case err == nil:
			created = true
		case hasCode(err, meilisearch.APIErrCodeIndexAlreadyExists):
			// Another process created it at the same moment; it also rebuilds it.
		default:
			return false, err
		}
	case err != nil:
		return false, fmt.Errorf("search/meili: get index %s at %s: %w", x.UID, x.URL, err)
	}
	task, err := x.idx.UpdateSettings(ctx, indexSettings())
	if err != nil {
		return false, fmt.Errorf("search/meili: update settings: %w", err)
	}
	if err := x.wait(ctx, task, "update settings"); err != nil {
		return false, err
	}
	return created, nil
}

// taskError is a Meilisearch task that ended in failure.
type taskError struct {
	what string
	task *meilisearch.Task
}

func (e *taskError) Error() string {
	return fmt.Sprintf("search/meili: %s: task %d %s: %s (%s)", e.what, e.task.UID, e.task.Status,
		e.task.Error.Message, e.task.Error.Code)
}

// wait waits for a task and turns a failed or canceled one into an error: WaitForTask itself returns
// such tasks with a nil error.
func (x *Index) wait(ctx context.Context, info *meilisearch.TaskInfo, what string) error {
	task, err := x.client.WaitForTask(ctx, info.TaskUID, x.TaskPoll)
	if err != nil {
		return fmt.Errorf("search/meili: %s: wait for task %d: %w", what, info.TaskUID, err)
	}
	if task.Status != meilisearch.TaskStatusSucceeded {
		return &taskError{what: what, task: task}
	}
	return nil
}

// hasCode reports whether err is a Meilisearch API error (or failed task) with the code.
func hasCode(err error, code meilisearch.APIErrCode) bool {
	var me *meilisearch.Error
	if errors.As(err, &me) {
		return me.HasCode(code)
	}
	var te *taskError
	if errors.As(err, &te) {
		return te.task.Error.Code == code
	}
	return false
}

func (x *Index) ready() error {
	if x.idx == nil {
		return errors.New("search/meili: index not initialised (call Init)")
	}
	return nil
}

// Ping asks the server's health endpoint (GET /health) whether it is available.
func (x *Index) Ping(ctx context.Context) error {
	if x.client == nil {
		return errors.New("search/meili: index not initialised (call Init)")
	}
	h, err := x.client.Health(ctx)
	if err != nil {
		return fmt.Errorf("search/meili: health: %w", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("search/meili: server status %q", h.Status)
	}
	return nil
}

// Upsert replaces whole documents (add, not update: fields a patent lost must disappear).
func (x *Index) Upsert(ctx context.Context, docs []search.Document) error {
	if err := x.ready(); err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	out := make([]document, len(docs))
	for i := range docs {
		out[i] = toDocument(&docs[i])
	}
	pk := "id"
	task, err := x.idx.AddDocuments(ctx, &out, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		return fmt.Errorf("search/meili: add %d documents: %w", len(docs), err)
	}
	return x.wait(ctx, task, "add documents")
}

// Delete removes documents; unknown IDs are not an error.
func (x *Index) Delete(ctx context.Context, ids []int64) error {
	if err := x.ready(); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = strconv.FormatInt(id, 10)
	}
	task, err := x.idx.DeleteDocuments(ctx, keys, nil)
	if err != nil {
		return fmt.Errorf("search/meili: delete documents: %w", err)
	}
	return x.wait(ctx, task, "delete documents")
}

// Reset deletes every document (settings stay).
func (x *Index) Reset(ctx context.Context) error {
	if err := x.ready(); err != nil {
		return err
	}
	task, err := x.idx.DeleteAllDocuments(ctx, nil)
	if err != nil {
		return fmt.Errorf("search/meili: delete all documents: %w", err)
	}
	return x.wait(ctx, task, "delete all documents")
}

// Count returns the number of documents.
func (x *Index) Count(ctx context.Context) (int, error) {
	if err := x.ready(); err != nil {
		return 0, err
	}
	st, err := x.idx.GetStats(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("search/meili: stats: %w", err)
	}
	return int(st.NumberOfDocuments), nil
}

// Close releases the client's idle connections.
func (x *Index) Close() error {
	if x.client != nil {
		x.client.Close()
	}
	return nil
}

// Drop deletes the whole index (tests; an operator removing an old schema version).
func (x *Index) Drop(ctx context.Context) error {
	if x.client == nil {
		return nil
	}
	task, err := x.client.DeleteIndex(ctx, x.UID)
	if err != nil {
		return fmt.Errorf("search/meili: delete index %s: %w", x.UID, err)
	}
	return x.wait(ctx, task, "delete index")
}
