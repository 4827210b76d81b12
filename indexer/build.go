package indexer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"golang.org/x/sync/errgroup"

	"github.com/peerfind/peerfind"
)

// The on-disk layout of an index directory: each build goes into a fresh
// generation folder, and the symlink "current" names the one in use. A
// build swaps the link only when the new generation is complete, so a
// failed or interrupted build never touches the index being served.
const (
	currentLink  = "current"
	genPrefix    = "gen-"
	rejectedFile = "rejected.jsonl"
	statsFile    = "build.json"
	namesFile    = "names.json"
	keepGens     = 2 // the current generation and the one before it
)

// BuildOptions configures Build.
type BuildOptions struct {
	// Taxonomy validates the records' term ids and supplies the labels and
	// synonyms that are indexed with them. Required.
	Taxonomy *peerfind.Taxonomy
	// Areas, if set, resolves service areas given only by name ("Travis
	// County, TX", "statewide") against the shipped boundaries; the
	// indexed record carries the resolved Kind and Codes.
	Areas AreaResolver
	// Progress, if set, is called as records are indexed with the number done
	// so far (the records refused first), from one goroutine at a time.
	Progress func(done int)
	// Encoded, if set, is called once the records are encoded and Build
	// holds no reference to them: a caller that tuned the collector for
	// a heap of records (bin/indexer collects less often while it holds
	// them) can tune it back for the segments' short-lived garbage.
	Encoded func()
	// Skipped are items the readers already refused (bad lines, records
	// that failed to parse); they are written to rejected.jsonl first, so
	// one file lists everything that did not make it into the index.
	Skipped []Rejection
}

// BuildStats reports what a build did.
type BuildStats struct {
	// Path is the generation folder that was built and made current.
	Path string `json:"path"`
	// Read is the number of records given to the build.
	Read int `json:"read"`
	// Indexed is the number of records in the new index.
	Indexed int `json:"indexed"`
	// Rejected is the number of records refused (invalid or duplicate,
	// here or by the readers), written with their reasons to
	// rejected.jsonl in the index directory.
	Rejected int `json:"rejected"`
	// AreasUnresolved counts service areas known only by a name the
	// resolver could not place; they stay descriptive text.
	AreasUnresolved int `json:"areas_unresolved,omitempty"`
	// Duration is the wall time of the build.
	Duration time.Duration `json:"duration_ns"`
	// Phases is where that time went, step by step, in order.
	Phases []BuildPhase `json:"phases,omitempty"`
	// Built is when the build finished.
	Built time.Time `json:"built"`
}

// BuildPhase is one step of a build and its wall time.
type BuildPhase struct {
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration_ns"`
}

// PhaseSummary is the phases as one line: "validate 1.2s, segments 3.4s".
func (s *BuildStats) PhaseSummary() string {
	parts := make([]string, len(s.Phases))
	for i, p := range s.Phases {
		parts[i] = fmt.Sprintf("%s %s", p.Name, p.Duration.Round(time.Millisecond))
	}
	return strings.Join(parts, ", ")
}

// DocsPerSecond is the build's indexing rate.
func (s *BuildStats) DocsPerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Indexed) / s.Duration.Seconds()
}

// Rejection is one record the build refused, as written to rejected.jsonl.
type Rejection struct {
	// ID is the record's id (may be empty or malformed: that can be why),
	// or where the reader found it ("line 12").
	ID string `json:"id"`
	// Source is the record's provenance source URL.
	Source string `json:"source,omitempty"`
	// Reason says why, naming the fields at fault.
	Reason string `json:"reason"`
	// Problems lists the validation problems, field by field.
	Problems []peerfind.FieldProblem `json:"problems,omitempty"`
}

// Build indexes the records into a new generation under dir and, once it
// is complete, makes it the current one. Invalid and duplicate records are
// not indexed; they are written with their reasons to dir/rejected.jsonl.
// dir is created if needed; it must not be a bleve index built by
// something else. Build keeps no reference to recs once they are
// encoded: a caller that drops its own lets the collector free them, as
// bin/indexer does.
func Build(ctx context.Context, dir string, recs []*peerfind.Service, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	if opts.Taxonomy == nil {
		return nil, errors.New("build index: no taxonomy")
	}
	if err := checkIndexDir(dir); err != nil {
		return nil, err
	}
	m, err := NewMapping()
	if err != nil {
		return nil, err
	}
	gen := filepath.Join(dir, genPrefix+start.UTC().Format("20060102T150405.000000000"))
	stats := &BuildStats{Path: gen, Read: len(recs)}

	// Work in a temporary folder next to the generation (same file system,
	// so the final rename is atomic) and clean it up on any failure.
	tmp, err := os.MkdirTemp(dir, ".building-")
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	idxPath := filepath.Join(tmp, "index")

	rej, err := os.Create(filepath.Join(tmp, rejectedFile))
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	defer rej.Close()
	rw := bufio.NewWriter(rej)
	renc := json.NewEncoder(rw)
	reject := func(r Rejection) error {
		stats.Rejected++
		if err := renc.Encode(r); err != nil {
			return fmt.Errorf("write rejected record: %w", err)
		}
		return nil
	}

	for _, r := range opts.Skipped {
		if err := reject(r); err != nil {
			return nil, err
		}
	}
	unresolved, invalid, err := checkRecords(ctx, recs, opts)
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	seen := make(map[string]bool, len(recs))
	kept := make([]*peerfind.Service, 0, len(recs))
	for i, s := range recs {
		if s == nil {
			continue
		}
		stats.AreasUnresolved += unresolved[i]
		if err := invalid[i]; err != nil {
			r := Rejection{ID: s.ID, Source: s.Provenance.SourceURL, Reason: err.Error()}
			var v *peerfind.ValidationError
			if errors.As(err, &v) {
				r.Problems = v.Problems
			}
			if err := reject(r); err != nil {
				return nil, err
			}
			continue
		}
		if seen[s.ID] {
			if err := reject(Rejection{ID: s.ID, Source: s.Provenance.SourceURL, Reason: "duplicate id: an earlier record has the same id"}); err != nil {
				return nil, err
			}
			continue
		}
		seen[s.ID] = true
		kept = append(kept, s)
	}
	// mark ends a step: it took the time since the last one ended.
	last := start
	mark := func(name string) {
		now := time.Now()
		stats.Phases = append(stats.Phases, BuildPhase{Name: name, Duration: now.Sub(last)})
		last = now
	}
	mark("validate")
	// Records near each other on the map are indexed next to each other
	// (see byPlace): a search around a point then reads a few runs of
	// neighbouring documents, not one document in every block.
	byPlace(kept)
	mark("order")
	skipped := stats.Read - len(kept)
	if len(kept) == 0 {
		// An empty index would serve nothing: keep the current one.
		rw.Flush()
		failed := filepath.Join(dir, "rejected-failed-build.jsonl")
		os.Rename(filepath.Join(tmp, rejectedFile), failed)
		return nil, fmt.Errorf("build index: none of %d records is valid (reasons in %s); the current index is unchanged", stats.Read, failed)
	}
	// From here the records are JSON in pointer-free chunks
	// (recordArena), which the collector does not walk; the values are
	// dropped, and a caller that keeps none of its own lets them go. The
	// names and the id order are made beside the encoding; the points
	// and the meeting times are taken by the encoding (recordFacts) and
	// saved after it.
	var byID []int32
	var beside errgroup.Group
	beside.Go(func() error {
		byID = idOrder(kept)
		return writeNames(filepath.Join(tmp, namesFile), kept)
	})
	facts := newRecordFacts(len(kept))
	arena, err := encodeRecords(ctx, kept, runtime.GOMAXPROCS(0), facts)
	if werr := beside.Wait(); werr != nil {
		return nil, werr
	}
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	var saved errgroup.Group
	saved.Go(func() error { return writePoints(filepath.Join(tmp, pointsFile), facts) })
	saved.Go(func() error { return writeTimes(filepath.Join(tmp, timesFile), facts) })
	if err := saved.Wait(); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	facts = nil
	stats.Indexed = len(kept)
	clear(kept)
	kept = nil
	if opts.Encoded != nil {
		opts.Encoded()
	}
	mark("encode")
	var progress func(int)
	if opts.Progress != nil {
		progress = func(done int) { opts.Progress(skipped + done) }
	}
	// The records are saved beside the last merge, which leaves a core
	// idle.
	save := func() error { return saveRecords(tmp, arena, byID) }
	if err := writeIndex(ctx, idxPath, tmp, m, arena, progress, mark, save); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	if err := rw.Flush(); err != nil {
		return nil, fmt.Errorf("build index: write rejected records: %w", err)
	}
	if err := rej.Sync(); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}

	// Prove the new index opens and holds what was indexed before it is
	// swapped in.
	idx, err := bleve.OpenUsing(idxPath, map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("build index: open new index: %w", err)
	}
	n, err := idx.DocCount()
	idx.Close()
	if err != nil {
		return nil, fmt.Errorf("build index: count new index: %w", err)
	}
	if int(n) != stats.Indexed {
		return nil, fmt.Errorf("build index: new index holds %d documents, want %d", n, stats.Indexed)
	}
	mark("check")

	stats.Duration = time.Since(start)
	stats.Built = time.Now().UTC()
	if err := writeJSONFile(filepath.Join(tmp, statsFile), stats); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, gen); err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	ok = true
	if err := swapCurrent(dir, filepath.Base(gen)); err != nil {
		return nil, err
	}
	// The rejected records of the current build sit beside the link, where
	// a maintainer looks first.
	if err := replaceLink(filepath.Join(dir, rejectedFile), filepath.Join(filepath.Base(gen), rejectedFile)); err != nil {
		return nil, err
	}
	if err := pruneGenerations(dir); err != nil {
		return nil, err
	}
	return stats, nil
}

// checkRecords resolves the service areas of every record (in place) and
// validates it, records side by side on every core: unresolved[i] is the
// number of areas of recs[i] that stayed descriptive, invalid[i] why it
// is not valid, or nil. A nil record is skipped.
func checkRecords(ctx context.Context, recs []*peerfind.Service, opts BuildOptions) (unresolved []int, invalid []error, err error) {
	unresolved = make([]int, len(recs))
	invalid = make([]error, len(recs))
	const chunk = 4096
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for from := 0; from < len(recs); from += chunk {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			for i := from; i < min(len(recs), from+chunk); i++ {
				if s := recs[i]; s != nil {
					unresolved[i] = resolveAreas(s, opts.Areas)
					invalid[i] = s.Validate(opts.Taxonomy)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return unresolved, invalid, nil
}

// checkIndexDir makes dir if needed and refuses a folder that holds some
// other bleve index, so Build never writes into an index it did not make.
func checkIndexDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("build index: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err == nil {
		return fmt.Errorf("build index: %s is a bleve index not made by peerfind's indexer; give an empty or new directory", dir)
	}
	return nil
}

// swapCurrent atomically points dir/current at the generation gen.
func swapCurrent(dir, gen string) error {
	return replaceLink(filepath.Join(dir, currentLink), gen)
}

// replaceLink makes path a symlink to target, atomically: a new link is
// made under a temporary name and renamed over the old one.
func replaceLink(path, target string) error {
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid())
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("swap index: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("swap index: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// pruneGenerations removes all but the newest generations, never the
// current one, and leftovers of interrupted builds.
func pruneGenerations(dir string) error {
	cur, err := os.Readlink(filepath.Join(dir, currentLink))
	if err != nil {
		return fmt.Errorf("prune index generations: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("prune index generations: %w", err)
	}
	var gens []string
	for _, e := range entries {
		switch {
		case e.IsDir() && strings.HasPrefix(e.Name(), genPrefix):
			gens = append(gens, e.Name())
		case e.IsDir() && strings.HasPrefix(e.Name(), ".building-"):
			// An interrupted build; nothing points at it. Leave builds
			// younger than an hour: another indexer may be running.
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(gens)))
	kept := 0
	for _, g := range gens {
		if g == cur || kept < keepGens {
			kept++
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, g)); err != nil {
			return fmt.Errorf("prune index generation %s: %w", g, err)
		}
	}
	return nil
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
