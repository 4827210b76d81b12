package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want float64
	}{{50, 50}, {95, 95}, {99, 99}, {100, 100}, {0, 1}, {0.5, 1}} {
		if got := Percentile(d, tc.p); got != tc.want {
			t.Errorf("Percentile(1..100ms, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("Percentile(nil) = %v, want 0", got)
	}
	if got, want := Percentile([]time.Duration{3 * time.Millisecond}, 99), 3.0; got != want {
		t.Errorf("Percentile(one) = %v, want %v", got, want)
	}
}

func TestRunCountsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "bad") {
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	rep, err := Run(context.Background(), Options{BaseURL: srv.URL, Paths: []string{"/?a", "/?bad", "/?b", "/?c"},
		Concurrency: 2, Duration: 10 * time.Second, MaxRequests: 40})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests != 40 || rep.Errors != 10 || rep.Status["200"] != 30 || rep.Status["400"] != 10 {
		t.Errorf("requests %d, errors %d, status %v; want 40, 10, 30×200 and 10×400", rep.Requests, rep.Errors, rep.Status)
	}
	if rep.FirstError == "" {
		t.Errorf("no first error")
	}
}

func TestRefusesRemote(t *testing.T) {
	_, err := Run(context.Background(), Options{BaseURL: "http://10.0.0.1:80", Paths: []string{"/"}, Concurrency: 1, Duration: time.Second})
	if err == nil {
		t.Errorf("Run against 10.0.0.1 did not fail")
	}
}

func TestRSSParts(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("skipping: no /proc (not Linux)")
	}
	pid := os.Getpid()
	rss := RSSKB(pid)
	anon, file := RSSPartsKB(pid)
	if rss <= 0 || anon <= 0 || file <= 0 {
		t.Fatalf("RSS %d KiB, anon %d, file %d: want all positive", rss, anon, file)
	}
	// VmRSS is RssAnon + RssFile + RssShmem, sampled a moment apart.
	if anon+file > rss*2 {
		t.Errorf("anon %d + file %d KiB far above RSS %d", anon, file, rss)
	}
	if RSSKB(-1) != 0 {
		t.Errorf("RSSKB of no process is not 0")
	}
}
