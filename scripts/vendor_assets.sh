#!/usr/bin/env bash
# Refresh the self-hosted map assets under app/static/vendor/ from the npm registry.
#
# For maintainers only (CI never runs this; the copied files are committed). Pages must work with
# no CDN, so every script and stylesheet a map page loads comes from these folders.
#
#   scripts/vendor_assets.sh            # install the pinned versions below and copy the dist files
#
# To move to a newer release, change a version here, run the script, update the table in
# app/static/vendor/README.md and run the map tests (tests/test_maps.py).
set -euo pipefail

LEAFLET=1.9.4
JQUERY=3.7.1
LEAFLET_DRAW=1.0.4
GEOMAN=2.20.2        # latest 2.x when last refreshed; folium's "@latest" would pull 3.x+
VECTORGRID=1.3.0
GEOJSON_VT=2.2.0     # only for its licence: bundled inside Leaflet.VectorGrid.bundled.min.js

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/app/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

npm install --prefix "$tmp" --no-audit --no-fund --ignore-scripts --no-save \
    "leaflet@$LEAFLET" "jquery@$JQUERY" "leaflet-draw@$LEAFLET_DRAW" \
    "@geoman-io/leaflet-geoman-free@$GEOMAN" "leaflet.vectorgrid@$VECTORGRID" \
    "geojson-vt@$GEOJSON_VT"
nm="$tmp/node_modules"

for pkg in leaflet jquery leaflet-draw leaflet-geoman-free leaflet.vectorgrid; do
    rm -rf "${dest:?}/$pkg"
    mkdir -p "$dest/$pkg"
done

# Leaflet: js, css, and the images leaflet.css refers to.
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$dest/leaflet/"
cp -r "$nm/leaflet/dist/images" "$dest/leaflet/"

# jQuery (folium's Popup uses `$`).
cp "$nm/jquery/dist/jquery.min.js" "$dest/jquery/"
cp "$nm/jquery/LICENSE.txt" "$dest/jquery/LICENSE"

# Leaflet.draw: leaflet.draw.css refers to images/spritesheet*.
cp "$nm/leaflet-draw/dist/leaflet.draw.js" "$nm/leaflet-draw/dist/leaflet.draw.css" "$dest/leaflet-draw/"
mkdir -p "$dest/leaflet-draw/images"   # only the toolbar sprites; marker images come from leaflet/
cp "$nm/leaflet-draw/dist/images"/spritesheet* "$dest/leaflet-draw/images/"
# The npm tarball has no licence file; this is MIT-LICENSE.md from github.com/Leaflet/Leaflet.draw.
cat > "$dest/leaflet-draw/LICENSE" <<'LICENSE'
Copyright 2012-2016 Jacob Toye and Leaflet

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENSE

# Leaflet-Geoman (free): its css embeds its icons as data: URIs, so no images folder.
cp "$nm/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js" \
   "$nm/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css" \
   "$nm/@geoman-io/leaflet-geoman-free/LICENSE" "$dest/leaflet-geoman-free/"

# Leaflet.VectorGrid, bundled build (includes pbf, vector-tile, topojson-client, geojson-vt).
cp "$nm/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js" "$dest/leaflet.vectorgrid/"
{
    echo "Leaflet.VectorGrid $VECTORGRID"
    echo
    # The npm tarball has no licence file; the notice below is the one at the end of its README.
    sed -n '/THE BEER-WARE LICENSE/,/buy me a beer in return/p' "$nm/leaflet.vectorgrid/README.md"
    echo
    echo "Leaflet.VectorGrid.bundled.min.js also contains the following packages."
    for dep in pbf vector-tile topojson-client geojson-vt; do
        version="$(node -p "require('$nm/$dep/package.json').version")"
        echo
        echo "------------------------------------------------------------------------------"
        echo "$dep $version (licence text from the npm package)"
        echo "------------------------------------------------------------------------------"
        cat "$nm/$dep"/LICENSE*
    done
} > "$dest/leaflet.vectorgrid/LICENSE"

echo "Copied into $dest:"
(cd "$dest" && find . -type f ! -name README.md | sort | xargs du -h)
