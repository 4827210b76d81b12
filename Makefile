# peerfind — see README.md. Targets are thin wrappers: `go test ./...` and
# `go build ./...` work on their own.

GO      ?= go
PORT    ?= 8080
ADDR    ?= 127.0.0.1:$(PORT)
INDEX   ?= data/index.bleve
SHARED  ?= ../shared/data
BINS    := bin/indexer bin/searchd bin/crawler bin/export
GOFILES := $(shell find . -name '*.go' -not -path './node_modules/*') go.mod go.sum
SHIPPED := $(wildcard data/records/*.jsonl.gz) data/taxonomy/taxonomy.json

.PHONY: all build run index test test-short vet lint dataset gazetteer crawl clean quality

all: vet test build

build: $(BINS)

bin/%: $(GOFILES)
	@mkdir -p bin
	$(GO) build -o $@ ./$(if $(filter searchd,$*),searchd,$(if $(filter crawler,$*),crawler,indexer))/cmd/$*

# The index is rebuilt when the shipped data or the indexer changed.
$(INDEX)/current: $(SHIPPED) bin/indexer
	bin/indexer -out $(INDEX)

index: $(INDEX)/current

run: bin/searchd $(INDEX)/current
	bin/searchd -index $(INDEX) -addr $(ADDR)

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# The judged query set's nDCG@10 and MRR over the shipped data, per query
# and overall; fails below indexer/testdata/search/baseline.json.
quality:
	$(GO) test -count=1 -run TestQuality -v ./indexer/

test-short:
	$(GO) test -short ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }

lint: vet

# Crawl the sources in data/sources.yaml (incrementally, with the state in
# data/crawl/state.json) and rebuild the index from the shipped records and
# the crawl. (bin/indexer refuses an empty file, so an empty crawl is left
# out.)
crawl: bin/crawler bin/indexer
	@mkdir -p data/crawl
	bin/crawler -sources data/sources.yaml -out data/crawl/records.jsonl.gz -state data/crawl/state.json
	bin/indexer -out $(INDEX) data/records/*.jsonl.gz \
		$$(gzip -dc data/crawl/records.jsonl.gz | head -c1 | grep -q . && echo data/crawl/records.jsonl.gz)

# Regenerate the shipped dataset and gazetteer from ../shared/data.
dataset:
	$(GO) run ./indexer/cmd/dataset -shared $(SHARED) -out data/records

gazetteer:
	$(GO) run ./indexer/cmd/gazetteer -shared $(SHARED) -out data/gazetteer

clean:
	rm -rf bin $(INDEX)

# A bounded load run on 127.0.0.1 (never run by CI): searchd on the shipped
# index with the rate limit off, then bin/loadgen for LOAD_DURATION at the
# query mix in searchd/cmd/loadgen; it reports qps, p50/p95/p99, errors and
# searchd's memory at the start and end, and stops searchd afterwards.
LOAD_DURATION ?= 60s
LOAD_CONCURRENCY ?= 8
LOAD_ADDR ?= 127.0.0.1:18080
.PHONY: load
load: bin/searchd $(INDEX)/current
	$(GO) build -o bin/loadgen ./searchd/cmd/loadgen
	@bin/searchd -index $(INDEX) -addr $(LOAD_ADDR) -rate-limit 0 -max-concurrent 64 >/dev/null & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT; \
	for i in $$(seq 50); do curl -fs http://$(LOAD_ADDR)/readyz >/dev/null 2>&1 && break; sleep 0.2; done; \
	bin/loadgen -url http://$(LOAD_ADDR) -duration $(LOAD_DURATION) -concurrency $(LOAD_CONCURRENCY) -pid $$pid

# The benchmark harness (docs/performance.md): generated records at each
# of SIZES (cached in BENCH_WORK), bin/indexer's build, bin/searchd on
# 127.0.0.1 with the query mix at 1 and 8 clients for BENCH_DURATION each.
# Results in bench-results/results.{json,md} and on the terminal.
# BENCH_FLAGS passes more flags, e.g. -records FILE -queries FILE.
SIZES ?= 100000,1000000
BENCH_DURATION ?= 20s
BENCH_WORK ?= /tmp/peerfind-bench
BENCH_FLAGS ?=
.PHONY: bench
bench: bin/indexer bin/searchd
	$(GO) build -o bin/bench ./searchd/cmd/bench
	bin/bench -sizes $(SIZES) -duration $(BENCH_DURATION) -work $(BENCH_WORK) -results bench-results $(BENCH_FLAGS)
