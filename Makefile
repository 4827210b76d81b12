# peerfind — see README.md. Targets are thin wrappers: `go test ./...` and
# `go build ./...` work on their own.

GO      ?= go
PORT    ?= 8080
ADDR    ?= 127.0.0.1:$(PORT)
INDEX   ?= data/index.bleve
SHARED  ?= ../shared/data
BINS    := bin/indexer bin/searchd bin/crawler
GOFILES := $(shell find . -name '*.go' -not -path './node_modules/*') go.mod go.sum
SHIPPED := $(wildcard data/records/*.jsonl.gz) data/taxonomy/taxonomy.json

.PHONY: all build run index test test-short vet lint dataset gazetteer crawl clean

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
