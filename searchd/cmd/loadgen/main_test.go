package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestRefusesRemoteTargets(t *testing.T) {
	for _, u := range []string{"http://10.0.0.1:8080", "http://192.168.1.5", "http://example.org", "https://127.0.0.1"} {
		if err := run(context.Background(), []string{"-url", u, "-duration", "1s"}, io.Discard, io.Discard); err == nil {
			t.Errorf("%s: accepted", u)
		}
	}
}

func TestShortRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"total":1}`))
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-duration", "300ms", "-concurrency", "1", "-max-requests", "50", "-pid", strconv.Itoa(os.Getpid())}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"requests 50,", "p99", "errors 0 (200: 50)", "server RSS start"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
