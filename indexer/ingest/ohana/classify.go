package ohana

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/peerfind/peerfind"
)

// masks are phrases that contain a peer-support match phrase but, in a
// human-services directory, speak of something else. They are blanked
// out before classifying.
var masks = []*regexp.Regexp{
	// Self-help in the sense of do-it-yourself: legal self-help clinics
	// and centers, self-help materials, books and courses; "Self-Help for
	// the Elderly" (a social-services agency); "provides self help,
	// independent living training"; "the importance of self help and
	// volunteerism".
	regexp.MustCompile(`(?i)\bself[- ]?help (materials?|books?|clinics?|cent(er|re)s?|courses?|classes|resources|tools|workshops?|packets?|forms|information|guides?|legal|library|web ?sites?|kits?)\b`),
	regexp.MustCompile(`(?i)\bself[- ]?help for the elderly\b`),
	regexp.MustCompile(`(?i)\bself[- ]?help,? (and )?(independent living|volunteerism)\b`),
	// "The Friends of Filoli, a volunteer support group": supporters of an
	// institution.
	regexp.MustCompile(`(?i)\bvolunteer support groups?\b`),
	// A "warmline" for clinicians is a consultation line.
	regexp.MustCompile(`(?i)"?\bwarm[- ]?line\b"?,? for (clinical|clinicians?|physicians|health (care )?(professionals|providers)|providers)\b`),
	// Information and referral: support groups are among the topics a
	// database, a helpline or a referral service knows about.
	regexp.MustCompile(`(?i)\b(database|information is available|referrals? (are|is) (also )?available)\b[^.]{0,300}?\bsupport groups?\b`),
	regexp.MustCompile(`(?i)\breferrals? to (local )?support groups?\b|\bsupport groups? (referrals?|listings?)\b`),
	// Treatment programs that send their residents to 12-step meetings.
	regexp.MustCompile(`(?i)\bintroduction to alcoholics anonymous\b`),
	regexp.MustCompile(`(?i)\b12[- ]step programs? such as (alcoholics|narcotics) anonymous( or (alcoholics|narcotics) anonymous)?`),
	regexp.MustCompile(`(?i)\b(as well as|including) 12[- ]step programs\b|\b12[- ]step recovery classes\b`),
	// "Parent groups" in this directory are parenting classes (see
	// ignoredKeywords).
	regexp.MustCompile(`(?i)\bparent groups?\b`),
}

// ignoredKeywords are directory keywords that name no peer support although
// a taxonomy phrase matches them: in this directory "Group Support" tags
// membership organizations (scouts, unions, civic clubs) and "Parent
// Groups" tags parenting programs.
var ignoredKeywords = map[string]bool{"group support": true, "parent groups": true}

// weakCategories are categories whose phrases ("clubhouse", "wellness
// center", "social club", "recovery center") name many things besides peer
// support in a general directory: they are taken only from a service's
// name, agency or keywords, and never make a service peer support alone.
var weakCategories = map[string]bool{"drop-in-center": true, "recovery-community-organization": true}

// mask blanks out the masked phrases of s.
func mask(s string) string {
	for _, re := range masks {
		s = re.ReplaceAllString(s, " ")
	}
	return s
}

// adminName matches the general listing of a provider's administration
// office (a hospital's "Administration"), which names every program the
// provider has, support groups among them, and is not itself one.
var adminName = regexp.MustCompile(`(?i)^\s*administration\s*$`)

// Reasons for services that are not kept.
const (
	reasonNoMatch = "not peer support (no peer-support category matched)"
	reasonAdmin   = "not peer support (a provider's administration office listing its programs)"
	reasonWeak    = "not peer support (only %s, which alone is not peer support)"
)

// classify decides whether a record is peer support: whether any
// peer-support category of the taxonomy matches its name, agency,
// keywords, services or description, after masking.
func classify(tax *phrases, r *record) Verdict {
	name := cleanName(string(r.Name))
	var kws []string
	for _, k := range r.Keywords {
		if !ignoredKeywords[peerfind.Fold(k)] {
			kws = append(kws, k)
		}
	}
	fields := []struct{ name, text string }{
		{"name", name},
		{"agency", cleanName(string(r.Agency))},
		{"keyword", strings.Join(kws, "; ")},
		{"services", string(r.ServicesProvided)},
		{"description", string(r.Description)},
		{"description", string(r.LocationDescriptionAdd)},
	}
	var cats, why []string
	strong, descOnly := false, true
	for _, f := range fields {
		t := mask(f.text)
		for _, ref := range tax.classify(peerfind.FacetCategory, t) {
			weak := weakCategories[ref.ID]
			if containsStr(cats, ref.ID) || (weak && f.name != "name" && f.name != "agency" && f.name != "keyword") {
				continue
			}
			strong = strong || !weak
			descOnly = descOnly && (f.name == "description" || f.name == "services")
			cats = append(cats, ref.ID)
			why = append(why, fmt.Sprintf("%s (%s %q)", ref.ID, f.name, phraseFor(tax.tax, ref, t)))
		}
	}
	switch {
	case len(cats) == 0:
		return Verdict{Reason: reasonNoMatch}
	case !strong:
		return Verdict{Reason: fmt.Sprintf(reasonWeak, strings.Join(why, "; "))}
	case adminName.MatchString(name):
		return Verdict{Reason: reasonAdmin}
	}
	return Verdict{Peer: true, Categories: cats, Reason: "peer support: " + strings.Join(why, "; "), DescriptionOnly: descOnly}
}

var phraseRes sync.Map // folded phrase → *regexp.Regexp

// phraseFor returns the term's match phrase found in text (the longest),
// for reasons.
func phraseFor(tax *peerfind.Taxonomy, ref peerfind.TermRef, text string) string {
	term := tax.Term(ref.Facet, ref.ID)
	if term == nil {
		return ""
	}
	ms := append([]string(nil), term.Matches...)
	sort.SliceStable(ms, func(i, j int) bool { return len(ms[i]) > len(ms[j]) })
	f := peerfind.Fold(text)
	for _, m := range ms {
		m = peerfind.Fold(m)
		v, ok := phraseRes.Load(m)
		if !ok {
			v, _ = phraseRes.LoadOrStore(m, regexp.MustCompile(`(^|[^\p{L}\p{N}])`+regexp.QuoteMeta(m)+`($|[^\p{L}\p{N}])`))
		}
		if v.(*regexp.Regexp).MatchString(f) {
			return m
		}
	}
	return ""
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// phrases speeds up classifying long texts. The taxonomy's Classify runs
// every match pattern over the whole text, which is slow for the
// directory's long descriptions; so only the snippets around plain
// substring occurrences of the facet's phrases (with one character on
// each side, for the word-boundary test) are passed to it. The result is
// the same.
type phrases struct {
	tax     *peerfind.Taxonomy
	byFacet map[string][]string // folded match phrases
}

func newPhrases(tax *peerfind.Taxonomy) *phrases {
	p := &phrases{tax: tax, byFacet: map[string][]string{}}
	for _, f := range tax.Facets {
		for _, t := range f.Terms {
			for _, m := range t.Matches {
				if m = peerfind.Fold(m); m != "" {
					p.byFacet[f.ID] = append(p.byFacet[f.ID], m)
				}
			}
		}
	}
	return p
}

// classify is the taxonomy's ClassifyFacet, run on the snippets of the
// texts where the facet's phrases occur.
func (p *phrases) classify(facet string, texts ...string) []peerfind.TermRef {
	var snippets []string
	for _, t := range texts {
		f := peerfind.Fold(t)
		for _, m := range p.byFacet[facet] {
			for off := 0; off < len(f); {
				i := strings.Index(f[off:], m)
				if i < 0 {
					break
				}
				i += off
				start, end := i, i+len(m)
				if start > 0 {
					_, n := utf8.DecodeLastRuneInString(f[:start])
					start -= n
				}
				if end < len(f) {
					_, n := utf8.DecodeRuneInString(f[end:])
					end += n
				}
				snippets = append(snippets, f[start:end])
				off = i + 1
			}
		}
	}
	if len(snippets) == 0 {
		return nil
	}
	return p.tax.ClassifyFacet(facet, strings.Join(snippets, " | "))
}
