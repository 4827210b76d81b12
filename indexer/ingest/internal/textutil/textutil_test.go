package textutil

import (
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
