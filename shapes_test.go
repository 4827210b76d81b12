package peerfind

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// shapes are the hand-written checks of the model's codes and the
// regular expressions they stand for.
var shapes = []struct {
	name    string
	check   func(string) bool
	pattern *regexp.Regexp
}{
	{"validID", validID, regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$`)},
	{"isHHMM", isHHMM, regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)},
	{"isByDay", isByDay, regexp.MustCompile(`^(-?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$`)},
	{"isLangCode", isLangCode, regexp.MustCompile(`^[a-z]{2,3}$`)},
	{"isDateShape", isDateShape, regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)},
}

// checkShapes fails t where a check and its expression disagree on s.
func checkShapes(t *testing.T, s string) {
	t.Helper()
	for _, sh := range shapes {
		if got, want := sh.check(s), sh.pattern.MatchString(s); got != want {
			t.Errorf("%s(%q) = %v, the expression says %v", sh.name, s, got, want)
		}
	}
}

// TestShapesMatchPatterns compares the checks with their expressions on
// every string of up to four characters over the characters that matter
// to them, on strings around each limit and on random ones.
func TestShapesMatchPatterns(t *testing.T) {
	const alphabet = "09-:._aAzZ2315MOTUWEHFRS\n é/"
	var all func(prefix string, n int)
	all = func(prefix string, n int) {
		checkShapes(t, prefix)
		if n == 0 {
			return
		}
		for _, r := range alphabet {
			all(prefix+string(r), n-1)
		}
	}
	all("", 4)
	for _, s := range []string{
		"2026-11-24", "2026-1-24", "20261-1-24", "2026-11-2x", "２０２６-11-24",
		"00:00", "23:59", "24:00", "19:60", "9:30", "09:30\n", "1TU", "-5SU", "-6SU", "0MO", "--1MO", "mo",
		"en", "eng", "engl", "EN", "ñe",
		"a" + strings.Repeat("b", 199), "a" + strings.Repeat("b", 200), "-a", ".a", "a b", "id\n", "é",
	} {
		checkShapes(t, s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		checkShapes(t, string(b))
	}
}

func FuzzShapes(f *testing.F) {
	for _, s := range []string{"2026-11-24", "23:59", "-2TU", "es", "mh-001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkShapes(t, s) })
}
