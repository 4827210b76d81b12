package synth

import (
	"bufio"
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/peerfind/peerfind"
)

// Query is one search of the query mix: the query parameters of GET
// /api/v1/search, as strings; empty fields are absent.
type Query struct {
	Q        string `json:"q,omitempty"`
	Near     string `json:"near,omitempty"`
	Radius   string `json:"radius,omitempty"`
	Lang     string `json:"lang,omitempty"`
	Category string `json:"category,omitempty"`
	Sort     string `json:"sort,omitempty"`
	Page     string `json:"page,omitempty"`
}

// Values returns the query as URL parameters.
func (q Query) Values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"q", q.Q}, {"near", q.Near}, {"radius", q.Radius}, {"lang", q.Lang},
		{"category", q.Category}, {"sort", q.Sort}, {"page", q.Page}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// Query returns query i (0-based) of the mix; see docs/performance.md:
//
//   - text: 20% empty; 30% a common need (a label or synonym of a
//     frequent category or condition, in Spanish when lang=es); 20% a rare
//     word (from the less frequent half of the words of real group names);
//     20% several words (a condition and a population, or two name
//     words); 10% a whole real group name;
//   - near: 90% a "lat,lng" around a metro drawn as the records' are,
//     with a radius of 5 to 50 km (whole km, uniform); 10% no place;
//   - lang: 20% of queries (es 65%, en 25%, another language 10%);
//   - category: 25% of queries, Zipf-like like the records';
//   - sort=distance: half of the queries with a place;
//   - page: 1 (60%, parameter absent), 2 (15%), 3 (10%), 4 (8%), 5 (7%).
func (g *Generator) Query(i int) Query {
	r := g.rng(1, uint64(i))
	v := g.v
	var q Query
	if r.Float64() < 0.2 {
		switch x := r.Float64(); {
		case x < 0.65:
			q.Lang = "es"
		case x < 0.90:
			q.Lang = "en"
		default:
			q.Lang = v.otherLangs[v.otherPick.draw(r.Float64())]
		}
	}
	lang := "en"
	if q.Lang == "es" {
		lang = "es"
	}
	label := func(facet string) string {
		t := v.tax.Term(facet, g.term(r, facet))
		if syn := t.Synonyms[lang]; len(syn) > 0 && r.Float64() < 0.4 {
			return syn[r.IntN(len(syn))]
		}
		return strings.ToLower(t.LabelFor(lang))
	}
	switch x := r.Float64(); {
	case x < 0.2:
	case x < 0.5:
		if r.Float64() < 0.5 {
			q.Q = label(peerfind.FacetCondition)
		} else {
			q.Q = label(peerfind.FacetCategory)
		}
	case x < 0.7:
		half := len(v.nameWords) / 2
		q.Q = v.nameWords[half+r.IntN(len(v.nameWords)-half)]
	case x < 0.9:
		if r.Float64() < 0.6 {
			q.Q = label(peerfind.FacetCondition) + " " + label(peerfind.FacetPopulation)
		} else {
			q.Q = pickS(r, v.nameWords[:len(v.nameWords)/4]) + " " + pickS(r, v.nameWords)
		}
	default:
		q.Q = pickS(r, v.names)
	}
	if len(q.Q) > 200 {
		q.Q = clipWords(q.Q, 200)
	}
	if r.Float64() < 0.9 {
		m := &v.metros[v.metroPick.draw(r.Float64())]
		lat, lng := point(r, m)
		q.Near = strconv.FormatFloat(lat, 'f', 4, 64) + "," + strconv.FormatFloat(lng, 'f', 4, 64)
		q.Radius = strconv.Itoa(5+r.IntN(46)) + "km"
		if r.Float64() < 0.5 {
			q.Sort = "distance"
		}
	}
	if r.Float64() < 0.25 {
		q.Category = g.term(r, peerfind.FacetCategory)
	}
	switch x := r.Float64(); {
	case x < 0.60:
	case x < 0.75:
		q.Page = "2"
	case x < 0.85:
		q.Page = "3"
	case x < 0.93:
		q.Page = "4"
	default:
		q.Page = "5"
	}
	return q
}

// WriteQueries writes queries [0, n) to w as JSON lines.
func (g *Generator) WriteQueries(w io.Writer, n int) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range n {
		if err := enc.Encode(g.Query(i)); err != nil {
			return err
		}
	}
	return bw.Flush()
}
