// Command gazetteer builds the offline gazetteer that peerfind ships in
// data/gazetteer and indexer/geocode reads: ZIP code centroids, US places
// and states, from the public data in shared/data.
//
//	go run ./indexer/cmd/gazetteer -shared ../shared/data -out data/gazetteer
//
// The output is deterministic: rows are sorted and gzip headers carry no
// name or time, so rebuilding from the same sources gives the same bytes.
// It writes:
//
//   - zips.csv.gz: zip,lat,lng,city,state. Census ZCTA internal points
//     where the ZIP is a ZCTA, else the USPS table's point (PO-box and
//     single-organisation ZIPs).
//   - places.csv.gz: name,state,county,lat,lng,population,timezone.
//     simplemaps US cities, plus the GeoNames cities1000 places that
//     simplemaps lacks (population 0, time zone of the nearest simplemaps
//     place).
//   - states.csv: code,name,fips,lat,lng. The 50 states, DC and Puerto
//     Rico, at the population-weighted centre of their places.
//   - README.md: sources, licenses, counts and the required attributions.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
)

func main() {
	shared := flag.String("shared", "../shared/data", "the shared data folder holding us-zcta-centroids, us-places and us-boundaries")
	out := flag.String("out", "data/gazetteer", "the folder to write the gazetteer files to")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	g, err := build(*shared)
	if err != nil {
		log.Error("build gazetteer", "err", err)
		os.Exit(1)
	}
	sizes, err := g.write(*out)
	if err != nil {
		log.Error("write gazetteer", "err", err)
		os.Exit(1)
	}
	s := g.stats
	log.Info("wrote gazetteer", "out", *out,
		"zips", len(g.zips), "zcta", s.ZCTA, "usps_only", s.USPSOnly, "zip_filled", s.ZIPFilled, "zip_dropped", s.ZIPDropped,
		"places", len(g.places), "simplemaps", s.Simplemaps, "geonames_added", s.GeonamesAdded, "geonames_duplicates", s.GeonamesDup,
		"states", len(g.states))
	var total int64
	for _, f := range sizes {
		log.Info("file", "name", f.name, "bytes", f.size)
		total += f.size
	}
	fmt.Printf("gazetteer: %d ZIPs, %d places, %d states, %d bytes in %s\n",
		len(g.zips), len(g.places), len(g.states), total, *out)
}
