package web

import (
	"bytes"
	"encoding/json"
	"fmt"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// objectKeys returns the keys of a JSON object in document order.
func objectKeys(b []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want a JSON object, got %v", tok)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := tok.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// texts are the UI strings of the pages, in English and Spanish.
var texts = map[string]map[string]string{
	"en": {
		"title":         "peerfind: find a peer-support group",
		"tagline":       "Find peer support: groups, warmlines and services run by people who have been there.",
		"need":          "What are you looking for?",
		"needhint":      "For example: grief, anxiety, AA, family",
		"where":         "Where? (ZIP, city, or leave blank)",
		"radius":        "Distance",
		"anyradius":     "Nearby (widens as needed)",
		"remote":        "Online and phone groups",
		"remotemixed":   "Mixed in",
		"remoteapart":   "Listed apart",
		"remoteexclude": "Left out",
		"remoteonly":    "Only these",
		"modeonline":    "Online",
		"modephone":     "By phone",
		"servesarea":    "Serves your area",
		"yourtime":      "your time",
		"farther":       "Nearest, farther away",
		"nationallines": "National lines",
		"nothingnearby": "Nothing in person nearby",
		"allremote":     "See all %d online and phone groups",
		"text":          "Text",
		"search":        "Search",
		"filters":       "Filter results",
		"clear":         "Remove filter",
		"none":          "No services match. Try fewer words or filters, or a larger distance.",
		"one":           "1 service found.",
		"many":          "%d services found.",
		"within":        "Within %s mi of %s.",
		"distance":      "%s mi away",
		"results":       "Results",
		"prev":          "Previous",
		"next":          "Next",
		"pages":         "Pages",
		"call":          "Call",
		"website":       "Website",
		"details":       "Details",
		"join":          "Join online",
		"when":          "When",
		"nextmeeting":   "Next meeting",
		"where2":        "Where",
		"phone":         "Phone",
		"source":        "Source",
		"checked":       "Information from %s, read %s.",
		"back":          "Back to search",
		"error":         "Something went wrong on our side. Please try again in a moment.",
		"notfound":      "We could not find that page.",
		"language":      "Language",
		"open":          "Open meeting: anyone may attend.",
		"closed":        "Closed meeting: for people who share the problem.",
		"categories":    "Kind of support",
		"populations":   "For",
		"languages":     "Languages",
		"cost":          "Cost",
		"attendance":    "Attendance",
		"didyoumean":    "Did you mean:",
		"crisis":        "If you are in crisis",
		"privacy":       "peerfind keeps no record of what you search.",
		"skip":          "Skip to results",
		"selected":      "Filters in use",
		"addref":        "Add to referral list",
		"makeref":       "Make a printable referral list",
		"reftitle":      "Referral list",
		"refintro":      "Peer-support groups and services picked for you. Nothing about you is stored.",
		"share":         "Link to share this list",
		"print":         "To print, use your browser's Print command.",
		"scan":          "Scan for details",
		"refempty":      "This list is empty. Tick \"Add to referral list\" on search results, then make the list.",
		"missing":       "No longer listed:",
	},
	"es": {
		"title":         "peerfind: encuentre un grupo de apoyo entre pares",
		"tagline":       "Encuentre apoyo entre pares: grupos, líneas de apoyo y servicios dirigidos por personas que han pasado por lo mismo.",
		"need":          "¿Qué busca?",
		"needhint":      "Por ejemplo: duelo, ansiedad, AA, familia",
		"where":         "¿Dónde? (código postal, ciudad, o en blanco)",
		"radius":        "Distancia",
		"anyradius":     "Cerca (se amplía si hace falta)",
		"remote":        "Grupos en línea y por teléfono",
		"remotemixed":   "Mezclados",
		"remoteapart":   "Aparte",
		"remoteexclude": "Excluidos",
		"remoteonly":    "Solo estos",
		"modeonline":    "En línea",
		"modephone":     "Por teléfono",
		"servesarea":    "Atiende su zona",
		"yourtime":      "su hora",
		"farther":       "Los más cercanos, más lejos",
		"nationallines": "Líneas nacionales",
		"nothingnearby": "Nada presencial cerca",
		"allremote":     "Ver los %d grupos en línea y por teléfono",
		"text":          "Texto",
		"search":        "Buscar",
		"filters":       "Filtrar resultados",
		"clear":         "Quitar filtro",
		"none":          "Ningún servicio coincide. Pruebe con menos palabras o filtros, o una distancia mayor.",
		"one":           "Se encontró 1 servicio.",
		"many":          "Se encontraron %d servicios.",
		"within":        "A menos de %s mi de %s.",
		"distance":      "a %s mi",
		"results":       "Resultados",
		"prev":          "Anterior",
		"next":          "Siguiente",
		"pages":         "Páginas",
		"call":          "Llamar",
		"website":       "Sitio web",
		"details":       "Detalles",
		"join":          "Unirse en línea",
		"when":          "Cuándo",
		"nextmeeting":   "Próxima reunión",
		"where2":        "Dónde",
		"phone":         "Teléfono",
		"source":        "Fuente",
		"checked":       "Información de %s, leída el %s.",
		"back":          "Volver a la búsqueda",
		"error":         "Algo salió mal de nuestro lado. Inténtelo de nuevo en un momento.",
		"notfound":      "No encontramos esa página.",
		"language":      "Idioma",
		"open":          "Reunión abierta: cualquier persona puede asistir.",
		"closed":        "Reunión cerrada: para personas que comparten el problema.",
		"categories":    "Tipo de apoyo",
		"populations":   "Para",
		"languages":     "Idiomas",
		"cost":          "Costo",
		"attendance":    "Asistencia",
		"didyoumean":    "¿Quiso decir:",
		"crisis":        "Si está en crisis",
		"privacy":       "peerfind no guarda lo que usted busca.",
		"skip":          "Ir a los resultados",
		"selected":      "Filtros en uso",
		"addref":        "Agregar a la lista de referencia",
		"makeref":       "Crear una lista de referencia para imprimir",
		"reftitle":      "Lista de referencia",
		"refintro":      "Grupos y servicios de apoyo entre pares elegidos para usted. No se guarda nada sobre usted.",
		"share":         "Enlace para compartir esta lista",
		"print":         "Para imprimir, use el comando Imprimir de su navegador.",
		"scan":          "Escanee para ver detalles",
		"refempty":      "Esta lista está vacía. Marque \"Agregar a la lista de referencia\" en los resultados y luego cree la lista.",
		"missing":       "Ya no aparecen:",
	},
}
