package data

import "embed"

// BoundariesFS holds the US state and county boundary polygons under
// boundaries/: us_states.geojson.gz and us_counties.geojson.gz (gzipped
// GeoJSON FeatureCollections, WGS84, one feature per state or county
// keyed by FIPS code), in the layout indexer/geocode.LoadBoundaries reads.
// They are the Census 2017 cartographic boundaries as simplified by
// us-atlas 3.0.1, copied unchanged from ../shared/data/us-boundaries;
// boundaries/PROVENANCE.md gives their source, license, checksums and
// known limitations.
//
//go:embed boundaries/*.geojson.gz
var BoundariesFS embed.FS
