package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/footingdev/footing/observability/metrics"
)

// blockingGatherer holds every Gather until release is closed, counting the
// gathers that started.
type blockingGatherer struct {
	started chan struct{}
	release chan struct{}
}

func (g blockingGatherer) Gather() ([]*dto.MetricFamily, error) {
	g.started <- struct{}{}
	<-g.release
	return nil, nil
}

// TestHandlerBoundsConcurrentScrapes: each scrape gathers every metric, so a burst of
// scrapes (a misconfigured Prometheus fleet, or anyone who can reach the port) would
// gather in parallel without end. Past MaxConcurrentScrapes the handler answers 503
// at once, without gathering.
func TestHandlerBoundsConcurrentScrapes(t *testing.T) {
	t.Parallel()
	g := blockingGatherer{started: make(chan struct{}, 100), release: make(chan struct{})}
	srv := httptest.NewServer(metrics.Handler(g))
	defer srv.Close()
	get := func(ctx context.Context) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var wg sync.WaitGroup
	codes := make(chan int, metrics.MaxConcurrentScrapes)
	for range metrics.MaxConcurrentScrapes {
		wg.Go(func() { codes <- get(context.Background()) })
	}
	for range metrics.MaxConcurrentScrapes {
		<-g.started // every allowed scrape is gathering
	}
	// The bound of a scrape that is not refused but waits (the failure), not a timing
	// assertion: a refusal comes back at once.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if code := get(ctx); code != http.StatusServiceUnavailable {
		t.Errorf("scrape %d while %d gather: %d, want 503", metrics.MaxConcurrentScrapes+1, metrics.MaxConcurrentScrapes, code)
	}
	close(g.release)
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("an allowed scrape answered %d", code)
		}
	}
	if n := len(g.started); n != 0 {
		t.Errorf("%d more gathers started: the refused scrape gathered", n)
	}
}
