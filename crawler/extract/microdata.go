package extract

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// maxItems bounds the microdata items and properties read from one page.
const maxItems = 5000

// microdataNodes returns the top-level microdata items of the document
// (elements with itemscope that are not themselves a property of another
// item) in the common node form. Nested items become nested nodes.
func microdataNodes(doc *goquery.Document) []node {
	var out []node
	budget := maxItems * 4
	doc.Find("[itemscope]").Each(func(_ int, s *goquery.Selection) {
		if _, isProp := s.Attr("itemprop"); isProp || len(out) >= maxItems {
			return
		}
		out = append(out, microdataItem(s.Nodes[0], 0, &budget))
	})
	return out
}

func microdataItem(el *html.Node, depth int, budget *int) node {
	n := node{}
	var types []string
	for _, t := range strings.Fields(attr(el, "itemtype")) {
		types = append(types, localName(t))
	}
	n["@type"] = types
	if depth < maxDepth {
		walkProps(el, n, depth, budget)
	}
	return n
}

// walkProps adds the properties found under el (not crossing into nested
// items) to n.
func walkProps(el *html.Node, n node, depth int, budget *int) {
	if depth > 256 {
		return
	}
	for c := el.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		*budget--
		if *budget < 0 {
			return
		}
		_, scoped := attrOK(c, "itemscope")
		if props := strings.Fields(attr(c, "itemprop")); len(props) > 0 {
			var v any
			if scoped {
				v = microdataItem(c, depth+1, budget)
			} else {
				v = propValue(c)
			}
			for _, p := range props {
				p = localName(p)
				if prev, ok := n[p]; ok {
					n[p] = append(asList(prev), v)
				} else {
					n[p] = v
				}
			}
		}
		if !scoped {
			walkProps(c, n, depth+1, budget)
		}
	}
}

// propValue is the microdata value of a non-item property element.
func propValue(el *html.Node) string {
	if v, ok := attrOK(el, "content"); ok {
		return v
	}
	switch el.Data {
	case "audio", "embed", "iframe", "img", "source", "track", "video":
		return attr(el, "src")
	case "a", "area", "link":
		return attr(el, "href")
	case "object":
		return attr(el, "data")
	case "data", "meter":
		return attr(el, "value")
	case "time":
		if v, ok := attrOK(el, "datetime"); ok {
			return v
		}
	}
	return goquery.NewDocumentFromNode(el).Text()
}

func attr(el *html.Node, name string) string {
	v, _ := attrOK(el, name)
	return v
}

func attrOK(el *html.Node, name string) (string, bool) {
	for _, a := range el.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, name) {
			return a.Val, true
		}
	}
	return "", false
}
