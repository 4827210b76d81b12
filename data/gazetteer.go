package data

import "embed"

// GazetteerFS holds the offline gazetteer under gazetteer/: zips.csv.gz,
// places.csv.gz and states.csv, in the layout indexer/geocode.New reads.
// indexer/cmd/gazetteer builds them; gazetteer/README.md gives their
// sources, licenses and the attributions they require.
//
//go:embed gazetteer/*.csv.gz gazetteer/*.csv
var GazetteerFS embed.FS

// GazetteerAttribution is the credit line that any public page showing
// results located with the gazetteer must carry: the simplemaps and
// GeoNames data are CC BY 4.0, and simplemaps asks for a link to
// https://simplemaps.com/data/us-cities.
const GazetteerAttribution = "Place data: US cities from simplemaps (https://simplemaps.com/data/us-cities), CC BY 4.0; " +
	"GeoNames (https://www.geonames.org/), CC BY 4.0; ZIP code areas and state and county names: US Census Bureau."
