"""Package data of the domain: Huế's areas as dated data (`areas.json`, built by `build_areas`)
and their boundaries (`*.geojson`)."""
