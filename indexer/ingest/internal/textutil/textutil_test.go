package textutil

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSlugAndID(t *testing.T) {
	tests := []struct{ in, slug, id string }{
		{"Crazy Corona Men's Meeting", "crazy-corona-men-s-meeting", "p-Crazy-Corona-Men-s-Meeting"},
		{"  Depresión  y Ánimo ", "depresion-y-animo", "p-Depresi-n-y-nimo"},
		{"shoulder-shoulder-group-Sun12am", "shoulder-shoulder-group-sun12am", "p-shoulder-shoulder-group-Sun12am"},
		{"a/b?c#d", "a-b-c-d", "p-a-b-c-d"},
		{"", "", "p"},
	}
	for _, tt := range tests {
		if got := Slug(tt.in, 0); got != tt.slug {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.slug)
		}
		if got := ID("p-", tt.in); got != tt.id {
			t.Errorf("ID(%q) = %q, want %q", tt.in, got, tt.id)
		}
	}
	if got := Slug(strings.Repeat("ab ", 50), 10); got != "ab-ab-ab-a" {
		t.Errorf("Slug with max = %q", got)
	}
	if got := ID("x-", strings.Repeat("a", 300)); len(got) != 200 {
		t.Errorf("len(ID) = %d, want 200", len(got))
	}
}

func TestCleanTruncate(t *testing.T) {
	if got := Clean(" a\tb\x00 c\n "); got != "a b c" {
		t.Errorf("Clean = %q", got)
	}
	if got := CleanLines(" a \r\n\r\n\r\n b\n"); got != "a\n\nb" {
		t.Errorf("CleanLines = %q", got)
	}
	s := strings.Repeat("é", 20)
	got := Truncate(s, 11)
	if !utf8.ValidString(got) || len(got) > 11 || !strings.HasSuffix(got, "…") {
		t.Errorf("Truncate = %q (%d bytes)", got, len(got))
	}
	if Truncate("short", 10) != "short" {
		t.Error("Truncate changed a short string")
	}
	if got := Unique([]string{"a"}, "b", "a", "", "b"); strings.Join(got, ",") != "a,b" {
		t.Errorf("Unique = %v", got)
	}
}

// TestReadLine reads lines shorter and longer than the reader's buffer
// (16 bytes, the least bufio allows) against a limit: a line within the
// buffer comes back without a copy, a longer one is put together, and
// one over the limit is consumed and reported long.
func TestReadLine(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		lines    []string // "LONG" for a line reported long
	}{
		{"short lines", "ab\ncd\n", 20, []string{"ab", "cd"}},
		{"crlf and no final newline", "ab\r\ncd", 20, []string{"ab", "cd"}},
		{"longer than the buffer", strings.Repeat("x", 19) + "\nab\n", 20, []string{strings.Repeat("x", 19), "ab"}},
		{"over the limit across chunks", strings.Repeat("x", 40) + "\nab\n", 20, []string{"LONG", "ab"}},
		{"over the limit after the first chunk", strings.Repeat("x", 30) + "\nab\n", 20, []string{"LONG", "ab"}},
		{"over the limit within the buffer", strings.Repeat("x", 10) + "\nab\n", 5, []string{"LONG", "ab"}},
		{"over the limit in the first chunk", strings.Repeat("x", 40) + "\nab\n", 5, []string{"LONG", "ab"}},
		{"blank lines kept", "\n\nab\n", 20, []string{"", "", "ab"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.in), 16)
			var got []string
			for {
				line, long, err := ReadLine(br, tt.max)
				switch {
				case long:
					if len(line) > 0 {
						t.Errorf("a long line came back with %q", line)
					}
					got = append(got, "LONG")
				case len(line) > 0 || !errors.Is(err, io.EOF):
					got = append(got, string(line)) // copied: the line is br's
				}
				if err != nil {
					if !errors.Is(err, io.EOF) {
						t.Fatal(err)
					}
					break
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.lines, "|") {
				t.Errorf("lines = %q, want %q", got, tt.lines)
			}
		})
	}
}
