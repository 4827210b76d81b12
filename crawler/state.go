package crawler

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/peerfind/peerfind"
)

// stateVersion is the version of the crawl state file format.
const stateVersion = 1

// State is what the crawler remembers between runs: per page, the
// validators for a conditional GET and the records it yielded; per record,
// when it was last seen. It is stored as JSON, written atomically.
type State struct {
	// Version is the file format version.
	Version int `json:"version"`
	// Pages are keyed by normalized URL.
	Pages map[string]*PageState `json:"pages"`
	// Records are keyed by record id.
	Records map[string]*RecordState `json:"records"`
}

// PageState is what the crawler remembers of one page.
type PageState struct {
	// Source names the source the page was crawled for.
	Source string `json:"source"`
	// ETag and LastModified are the response's validators.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Hash is the SHA-256 of the body, hex.
	Hash string `json:"hash,omitempty"`
	// LastSeen is when the page was last fetched or confirmed unchanged.
	LastSeen time.Time `json:"last_seen"`
	// Extractor is the extractor that read the page.
	Extractor string `json:"extractor,omitempty"`
	// Records are the ids of the records the page yielded.
	Records []string `json:"records,omitempty"`
	// Links are the normalized links found on the page and Follow the URLs
	// its content said to follow, re-enqueued when the page is unchanged.
	Links  []string `json:"links,omitempty"`
	Follow []string `json:"follow,omitempty"`
}

// RecordState is a record as last seen.
type RecordState struct {
	// Record is the record as last emitted (status as published).
	Record *peerfind.Service `json:"record"`
	// Source, Extractor and Page say where it came from.
	Source    string `json:"source"`
	Extractor string `json:"extractor,omitempty"`
	Page      string `json:"page,omitempty"`
	// LastSeen is when a page last yielded it.
	LastSeen time.Time `json:"last_seen"`
}

// NewState returns an empty state.
func NewState() *State {
	return &State{Version: stateVersion, Pages: map[string]*PageState{}, Records: map[string]*RecordState{}}
}

// LoadState reads a state file; a missing file gives an empty state.
func LoadState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read crawl state: %w", err)
	}
	st := NewState()
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("parse crawl state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("crawl state %s: version %d, want %d", path, st.Version, stateVersion)
	}
	if st.Pages == nil {
		st.Pages = map[string]*PageState{}
	}
	if st.Records == nil {
		st.Records = map[string]*RecordState{}
	}
	return st, nil
}

// Save writes the state to path atomically: to a temporary file in the
// same directory, synced, then renamed over path.
func (st *State) Save(path string) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode crawl state: %w", err)
	}
	return WriteFileAtomic(path, func(f *os.File) error {
		_, err := f.Write(b)
		return err
	})
}

// WriteFileAtomic creates path by calling write on a temporary file in the
// same directory, syncing it and renaming it over path, so readers see
// either the old file or the complete new one.
func WriteFileAtomic(path string, write func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("rename to %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: make the rename durable
		d.Close()
	}
	return nil
}
