package meili_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"patentwall/search"
	"patentwall/search/meili"
	"patentwall/search/searchtest"
)

// No Meilisearch server runs here, so this test plays one: it records every request the backend sends
// and answers with responses shaped like Meilisearch v1's (tasks that are first processing, then done;
// a search response with _formatted and facetDistribution).

type request struct {
	Method, Path, Query string
	Body                []byte
}

type fakeMeili struct {
	t  *testing.T
	mu sync.Mutex

	reqs        []request
	indexExists bool
	nextTask    int64
	polled      map[int64]int
	failTask    map[string]string // task type → error code it fails with
	taskType    map[int64]string
	search      string // canned search response
	searchCode  int
}

func newFake(t *testing.T) (*fakeMeili, *meili.Index) {
	f := &fakeMeili{t: t, polled: map[int64]int{}, failTask: map[string]string{}, taskType: map[int64]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	idx := meili.New(srv.URL, "secret-key")
	idx.TaskPoll = time.Millisecond
	t.Cleanup(func() { idx.Close() })
	return f, idx
}

func (f *fakeMeili) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer secret-key" {
		f.t.Errorf("%s %s: Authorization %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
	}
	if !strings.HasPrefix(r.URL.Path, "/tasks/") {
		f.reqs = append(f.reqs, request{r.Method, r.URL.Path, r.URL.RawQuery, body})
	}
	w.Header().Set("Content-Type", "application/json")
	const uid = "/indexes/patents_v4"
	switch {
	case r.Method == "GET" && r.URL.Path == uid:
		if !f.indexExists {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"message":"Index `+"`patents_v4`"+` not found.","code":"index_not_found","type":"invalid_request","link":"https://docs.meilisearch.com/errors#index_not_found"}`)
			return
		}
		fmt.Fprint(w, `{"uid":"patents_v4","createdAt":"2026-11-27T01:00:00.0Z","updatedAt":"2026-11-27T01:00:00.0Z","primaryKey":"id"}`)
	case r.Method == "POST" && r.URL.Path == "/indexes":
		f.indexExists = true
		f.enqueue(w, "indexCreation")
	case r.Method == "PATCH" && r.URL.Path == uid+"/settings":
		f.enqueue(w, "settingsUpdate")
	case r.Method == "POST" && r.URL.Path == uid+"/documents":
		f.enqueue(w, "documentAdditionOrUpdate")
	case r.Method == "POST" && r.URL.Path == uid+"/documents/delete-batch":
		f.enqueue(w, "documentDeletion")
	case r.Method == "DELETE" && r.URL.Path == uid+"/documents":
		f.enqueue(w, "documentDeletion")
	case r.Method == "GET" && r.URL.Path == "/health":
		fmt.Fprint(w, `{"status":"available"}`)
	case r.Method == "GET" && r.URL.Path == uid+"/stats":
		fmt.Fprint(w, `{"numberOfDocuments":2,"rawDocumentDbSize":8192,"avgDocumentSize":4000,"isIndexing":false,"numberOfEmbeddings":0,"numberOfEmbeddedDocuments":0,"fieldDistribution":{"id":2,"title":2}}`)
	case r.Method == "POST" && r.URL.Path == uid+"/search":
		if f.searchCode != 0 {
			w.WriteHeader(f.searchCode)
		}
		fmt.Fprint(w, f.search)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/tasks/"):
		var n int64
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/tasks/"), "%d", &n)
		f.polled[n]++
		typ := f.taskType[n]
		status, errJSON := "succeeded", "null"
		switch {
		case f.polled[n] == 1:
			status = "processing" // the client must poll again
		case f.failTask[typ] != "":
			status = "failed"
			errJSON = `{"message":"invalid settings","code":"` + f.failTask[typ] + `","type":"invalid_request","link":"https://docs.meilisearch.com/errors"}`
		}
		fmt.Fprintf(w, `{"uid":%d,"batchUid":%d,"indexUid":"patents_v4","status":%q,"type":%q,"canceledBy":null,"details":{},"error":%s,"duration":"PT0.004S","enqueuedAt":"2026-11-27T01:00:00.0Z","startedAt":"2026-11-27T01:00:00.0Z","finishedAt":"2026-11-27T01:00:00.1Z"}`,
			n, n, status, typ, errJSON)
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		w.WriteHeader(404)
	}
}

func (f *fakeMeili) enqueue(w http.ResponseWriter, typ string) {
	f.nextTask++
	f.taskType[f.nextTask] = typ
	w.WriteHeader(202)
	fmt.Fprintf(w, `{"taskUid":%d,"indexUid":"patents_v4","status":"enqueued","type":%q,"enqueuedAt":"2026-11-27T01:00:00.0Z"}`, f.nextTask, typ)
}

func (f *fakeMeili) take() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.reqs
	f.reqs = nil
	return out
}

// jsonEqual compares a request body with the expected JSON, independent of key order.
func jsonEqual(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: body is not JSON: %v: %s", what, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

const wantSettings = `{
 "rankingRules": ["sort","words","typo","proximity","attribute","exactness"],
 "searchableAttributes": ["title","title_cjk","abstract","abstract_cjk","patentee","patentee_cjk","ipc_titles","ipc_titles_cjk","application_no"],
 "displayedAttributes": ["id","application_no","title","abstract"],
 "filterableAttributes": ["id","type","ipc","ipc_section","ipc_class","ipc_subclass","ipc_main_group","industry","district","holder_kind","fee_model","price_band","offers","status","fee_fen","listed_at"],
 "sortableAttributes": ["listed_at","fee_fen","id"],
 "localizedAttributes": [
   {"attributePatterns": ["*_cjk"], "locales": ["zho"]},
   {"attributePatterns": ["title","abstract","patentee","ipc_titles"], "locales": ["zho","eng"]}],
 "typoTolerance": {"enabled": true, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}, "disableOnWords": [],
   "disableOnAttributes": ["application_no","ipc","title_cjk","abstract_cjk","patentee_cjk","ipc_titles_cjk"], "disableOnNumbers": true},
 "pagination": {"maxTotalHits": 10000},
 "faceting": {"maxValuesPerFacet": 200, "sortFacetValuesBy": {"*": "count"}}
}`

func TestProtocolInitCreatesIndexThenSettings(t *testing.T) {
	f, idx := newFake(t)
	rebuild, err := idx.Init(context.Background())
	if err != nil || !rebuild {
		t.Fatalf("Init on a new server: rebuild=%v err=%v", rebuild, err)
	}
	reqs := f.take()
	var got []string
	for _, r := range reqs {
		got = append(got, r.Method+" "+r.Path)
	}
	want := []string{"GET /indexes/patents_v4", "POST /indexes", "PATCH /indexes/patents_v4/settings"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("requests %v, want %v", got, want)
	}
	jsonEqual(t, "create index", reqs[1].Body, `{"uid":"patents_v4","primaryKey":"id"}`)
	jsonEqual(t, "settings", reqs[2].Body, wantSettings)
	if f.polled[1] < 2 || f.polled[2] < 2 {
		t.Errorf("tasks not waited for: polls %v", f.polled)
	}

	// A second process finds the index: no creation, settings applied again, no rebuild.
	idx2 := meili.New(idx.URL, "secret-key")
	idx2.TaskPoll = time.Millisecond
	rebuild, err = idx2.Init(context.Background())
	if err != nil || rebuild {
		t.Fatalf("Init on an existing index: rebuild=%v err=%v", rebuild, err)
	}
	got = nil
	for _, r := range f.take() {
		got = append(got, r.Method+" "+r.Path)
	}
	if want := []string{"GET /indexes/patents_v4", "PATCH /indexes/patents_v4/settings"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("requests %v, want %v", got, want)
	}
}

func TestProtocolFailedTaskIsAnError(t *testing.T) {
	f, idx := newFake(t)
	f.failTask["settingsUpdate"] = "invalid_settings_typo_tolerance"
	_, err := idx.Init(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid_settings_typo_tolerance") {
		t.Fatalf("Init with a failed settings task: %v", err)
	}
	f.failTask = map[string]string{"documentAdditionOrUpdate": "invalid_document_id"}
	if _, err := idx.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	err = idx.Upsert(context.Background(), []search.Document{{ID: 1, Title: "x"}})
	if err == nil || !strings.Contains(err.Error(), "invalid_document_id") {
		t.Fatalf("Upsert with a failed task: %v", err)
	}
}

func TestProtocolDocuments(t *testing.T) {
	f, idx := newFake(t)
	ctx := context.Background()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	f.take()
	docs := []search.Document{
		{ID: 11, ApplicationNo: "202010566088.9", Title: "一种锂电池5G基站", Abstract: "A battery.", Patentee: "上海交通大学",
			HolderKind: "university", District: "310104", Type: "invention", IPC: []string{"H01M 4/525"},
			IPCSection: []string{"H"}, IPCClass: []string{"H01"}, IPCSubclass: []string{"H01M"}, IPCMainGroup: []string{"H01M 4/"}, IPCTitles: "电池组；BATTERIES",
			Industry: "新能源", FeeModel: "lump_sum", FeeFen: 500000, PriceBand: "lt_10k", Offers: []string{"open_licence"},
			Status: "granted", ListedAt: time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC), GrantYear: 2022},
		{ID: 12, ApplicationNo: "202120006666.7", Title: "<script>x</script>传感器", Type: "utility_model", Status: "granted",
			ListedAt: time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)},
	}
	if err := idx.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/indexes/patents_v4/documents" || reqs[0].Query != "primaryKey=id" {
		t.Fatalf("upsert requests: %+v", reqs)
	}
	jsonEqual(t, "documents", reqs[0].Body, `[
	 {"id":11,"application_no":"202010566088.9","title":"一种锂电池5G基站","title_cjk":"一 种 锂 电 池 . 基 站",
	  "abstract":"A battery.","patentee":"上海交通大学","patentee_cjk":"上 海 交 通 大 学",
	  "ipc_titles":"电池组；BATTERIES","ipc_titles_cjk":"电 池 组",
	  "type":"invention","ipc":["H01M 4/525"],"ipc_section":["H"],"ipc_class":["H01"],"ipc_subclass":["H01M"],"ipc_main_group":["H01M 4/"],
	  "industry":"新能源","district":"310104","holder_kind":"university","fee_model":"lump_sum","fee_fen":500000,
	  "price_band":"lt_10k","offers":["open_licence"],"status":"granted","listed_at":1704873600,"grant_year":2022},
	 {"id":12,"application_no":"202120006666.7","title":"<script>x</script>传感器","title_cjk":"传 感 器","abstract":"",
	  "type":"utility_model","fee_model":"none","status":"granted","listed_at":1682899200}]`)

	if err := idx.Delete(ctx, []int64{11, 404}); err != nil {
		t.Fatal(err)
	}
	if err := idx.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := idx.Count(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	reqs = f.take()
	if len(reqs) != 3 || reqs[0].Path != "/indexes/patents_v4/documents/delete-batch" ||
		reqs[1].Method != "DELETE" || reqs[1].Path != "/indexes/patents_v4/documents" || reqs[2].Path != "/indexes/patents_v4/stats" {
		t.Fatalf("delete/reset/count requests: %+v", reqs)
	}
	jsonEqual(t, "delete-batch", reqs[0].Body, `["11","404"]`)
}

const cannedSearch = `{
 "hits": [
  {"id": 12, "application_no": "202120006666.7", "title": "<script>x</script>一种锂电池传感器",
   "abstract": "锂电池传感器，测量电压。",
   "_formatted": {"id": "12", "application_no": "202120006666.7", "title": "<script>x</script>一种<em>锂电池</em>传感器", "abstract": "锂电池传感器"}},
  {"id": 11, "application_no": "202010566088.9", "title": "5G锂电池", "abstract": "",
   "_formatted": {"id": "11", "title": "5G<em>锂电池</em>"}}
 ],
 "query": "\"锂 电 池\" 5G",
 "processingTimeMs": 3,
 "hitsPerPage": 10,
 "page": 2,
 "totalPages": 2,
 "totalHits": 12,
 "facetDistribution": {
  "type": {"invention": 9, "utility_model": 3},
  "ipc_section": {"H": 12, "G": 2},
  "district": {"310104": 5},
  "fee_model": {"none": 4, "lump_sum": 8}
 },
 "facetStats": {}
}`

func TestProtocolSearch(t *testing.T) {
	f, idx := newFake(t)
	ctx := context.Background()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	f.take()
	f.search = cannedSearch
	maxFee := int64(5_000_000)
	res, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{
		Text:       "一种锂电池 方法 5G",
		Types:      []string{"invention", "utility_model"},
		IPC:        []string{"G06F", "h", "H01M4/525", "g06f16"},
		Industries: []string{`新"能源\`},
		Districts:  []string{"徐汇"},
		FeeModels:  []string{"none", "lump_sum"},
		MaxFeeFen:  &maxFee,
		Sort:       search.SortFeeAsc,
		Page:       2, PerPage: 10,
		Facets: true, Highlight: true,
	}))
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	if len(reqs) != 1 || reqs[0].Path != "/indexes/patents_v4/search" {
		t.Fatalf("search requests: %+v", reqs)
	}
	jsonEqual(t, "search body", reqs[0].Body, `{
	 "q": "\"锂 电 池\" 5G",
	 "hitsPerPage": 10, "page": 2,
	 "matchingStrategy": "all",
	 "attributesToRetrieve": ["id","application_no","title","abstract"],
	 "filter": "type IN [\"invention\", \"utility_model\"] AND (ipc_subclass = \"G06F\" OR ipc_section = \"H\" OR ipc = \"H01M 4/525\" OR ipc_main_group = \"G06F 16/\") AND industry IN [\"新\\\"能源\\\\\"] AND district IN [\"310104\"] AND fee_model IN [\"none\", \"lump_sum\"] AND fee_fen <= 5000000",
	 "sort": ["fee_fen:asc","listed_at:desc","id:desc"],
	 "facets": ["type","ipc_section","ipc_class","industry","district","fee_model","holder_kind","price_band"],
	 "locales": ["zho"],
	 "hybrid": null
	}`)

	if res.Total != 12 || len(res.Hits) != 2 || res.Hits[0].ID != 12 || res.Hits[0].ApplicationNo != "202120006666.7" || res.Hits[1].ID != 11 {
		t.Fatalf("result: %+v", res)
	}
	if got := res.Hits[0].Highlight["title"]; got != "&lt;script&gt;x&lt;/script&gt;一种<mark>锂电池</mark>传感器" {
		t.Errorf("title highlight %q", got)
	}
	if got := res.Hits[0].Highlight["abstract"]; got != "<mark>锂电池</mark>传感器，测量电压。" {
		t.Errorf("abstract highlight %q", got)
	}
	// Adjacent matches merge into one mark.
	if got := res.Hits[1].Highlight["title"]; got != "<mark>5G锂电池</mark>" {
		t.Errorf("title highlight %q", got)
	}
	wantFacets := map[string]map[string]int{
		"type": {"invention": 9, "utility_model": 3}, "ipc_section": {"H": 12, "G": 2}, "ipc_class": {},
		"industry": {}, "district": {"310104": 5}, "fee_model": {"none": 4, "lump_sum": 8}, "holder_kind": {}, "price_band": {},
	}
	if !reflect.DeepEqual(res.Facets, wantFacets) {
		t.Errorf("facets %v, want %v", res.Facets, wantFacets)
	}
}

// A demand's similar text: its first ten key terms (Han bigrams as phrases over the *_cjk shadows, Latin
// words; Meilisearch reads no more), none required ("frequency"), searched on what a patent is about
// (not the patentee or the application number), and an ID list as a filter.
func TestProtocolSimilar(t *testing.T) {
	f, idx := newFake(t)
	ctx := context.Background()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	f.take()
	f.search = cannedSearch
	if _, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{
		Similar: "我们需要锂电池散热的BMS方案，储能柜液冷降温，延长循环寿命",
		Offers:  []string{"open_licence", "transfer"},
		IDs:     []int64{11, 12},
		PerPage: 50,
	})); err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	if len(reqs) != 1 || reqs[0].Path != "/indexes/patents_v4/search" {
		t.Fatalf("search requests: %+v", reqs)
	}
	jsonEqual(t, "similar body", reqs[0].Body, `{
	 "q": "\"锂 电\" \"电 池\" \"池 散\" \"散 热\" bms \"储 能\" \"能 柜\" \"柜 液\" \"液 冷\" \"冷 降\"",
	 "hitsPerPage": 50, "page": 1,
	 "matchingStrategy": "frequency",
	 "attributesToRetrieve": ["id","application_no"],
	 "attributesToSearchOn": ["title","title_cjk","abstract","abstract_cjk","ipc_titles","ipc_titles_cjk"],
	 "filter": "offers IN [\"open_licence\", \"transfer\"] AND id IN [11, 12]",
	 "locales": ["zho"],
	 "hybrid": null
	}`)
}

func TestProtocolSearchShapes(t *testing.T) {
	f, idx := newFake(t)
	ctx := context.Background()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	f.take()
	f.search = `{"hits":[],"query":"","processingTimeMs":0,"hitsPerPage":20,"page":1,"totalPages":0,"totalHits":0}`
	cases := []struct {
		q    search.Query
		want string
	}{
		// No text: everything, newest first; no locale, no filter.
		{search.Query{}, `{"q":"","hitsPerPage":20,"page":1,"matchingStrategy":"all","attributesToRetrieve":["id","application_no"],
		  "sort":["listed_at:desc","id:desc"],"hybrid":null}`},
		// Only common words: they are the query. An application number is one quoted word. English: no locale.
		{search.Query{Text: "方法"}, `{"q":"\"方 法\"","hitsPerPage":20,"page":1,"matchingStrategy":"all","attributesToRetrieve":["id","application_no"],"locales":["zho"],"hybrid":null}`},
		{search.Query{Text: "ZL202010566088.9", Sort: search.SortNewest}, `{"q":"\"202010566088.9\"","hitsPerPage":20,"page":1,"matchingStrategy":"all",
		  "attributesToRetrieve":["id","application_no"],"sort":["listed_at:desc","id:desc"],"hybrid":null}`},
		{search.Query{Text: "lithium battery for cars", Sort: search.SortFeeDesc, Offers: []string{"transfer"}, PriceBands: []string{"free"}, HolderKinds: []string{"hospital"}},
			`{"q":"lithium battery cars","hitsPerPage":20,"page":1,"matchingStrategy":"all","attributesToRetrieve":["id","application_no"],
		  "filter":"holder_kind IN [\"hospital\"] AND price_band IN [\"free\"] AND offers IN [\"transfer\"]",
		  "sort":["fee_fen:desc","listed_at:desc","id:desc"],"hybrid":null}`},
		// A wall's listing: its pinned and excluded patents left out by ID, newest first.
		{search.Query{Industries: []string{"新能源"}, Offers: []string{"open_licence"}, ExcludeIDs: []int64{7, 42}, Sort: search.SortNewest},
			`{"q":"","hitsPerPage":20,"page":1,"matchingStrategy":"all","attributesToRetrieve":["id","application_no"],
		  "filter":"industry IN [\"新能源\"] AND offers IN [\"open_licence\"] AND id NOT IN [7, 42]",
		  "sort":["listed_at:desc","id:desc"],"hybrid":null}`},
	}
	for _, c := range cases {
		if _, err := idx.Search(ctx, searchtest.Normalized(t, c.q)); err != nil {
			t.Fatal(err)
		}
		reqs := f.take()
		if len(reqs) != 1 {
			t.Fatalf("%+v: %d requests", c.q, len(reqs))
		}
		jsonEqual(t, fmt.Sprintf("%+v", c.q), reqs[0].Body, c.want)
	}

	// Bad queries never reach the server: Normalize refuses them, and the engine refuses a query that
	// skipped Normalize. A filter the server refuses is a bad query too.
	deep := search.Query{Page: 1000, PerPage: 100}
	if _, err := deep.Normalize(); !errors.Is(err, search.ErrBadQuery) {
		t.Errorf("deep page: %v", err)
	}
	if _, err := idx.Search(ctx, deep); !errors.Is(err, search.ErrNotNormalized) {
		t.Errorf("unnormalised deep page: %v", err)
	}
	if reqs := f.take(); len(reqs) != 0 {
		t.Errorf("a refused query was sent: %+v", reqs)
	}
	f.searchCode = 400
	f.search = `{"message":"Attribute ` + "`x`" + ` is not filterable.","code":"invalid_search_filter","type":"invalid_request","link":"https://docs.meilisearch.com/errors#invalid_search_filter"}`
	if _, err := idx.Search(ctx, searchtest.Normalized(t, search.Query{Industries: []string{"x"}})); !errors.Is(err, search.ErrBadQuery) {
		t.Errorf("server-refused filter: %v", err)
	}
}

// Ping is GET /health; a server that went away (a closed port) fails the ping and every search with an
// engine error, not a query error, so the site answers search_unavailable (docs/architecture.md §9.1).
func TestProtocolHealthAndUnreachable(t *testing.T) {
	f := &fakeMeili{t: t, polled: map[int64]int{}, failTask: map[string]string{}, taskType: map[int64]string{}}
	srv := httptest.NewServer(f)
	idx := meili.New(srv.URL, "secret-key")
	idx.TaskPoll = time.Millisecond
	defer idx.Close()
	ctx := context.Background()
	if _, err := idx.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := idx.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if reqs := f.take(); len(reqs) == 0 || reqs[len(reqs)-1].Path != "/health" {
		t.Fatalf("ping sent %v", reqs)
	}
	srv.Close()
	if err := idx.Ping(ctx); err == nil {
		t.Error("ping of a closed server succeeded")
	}
	q, err := search.Query{Text: "电池"}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idx.Search(ctx, q); err == nil || errors.Is(err, search.ErrBadQuery) {
		t.Errorf("search of a closed server: %v, want an engine error", err)
	}
}
