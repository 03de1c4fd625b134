/* The office's map of street reports: points coloured by zone colour, hot spots as circles. */
(function () {
  "use strict";
  var el = document.getElementById("office-map");
  if (!el || !window.L || !window.fetch) { return; }
  var STYLES = JSON.parse(el.getAttribute("data-zone-styles") || "{}");  // app/styles.py
  var b = JSON.parse(el.getAttribute("data-bounds"));
  var map = L.map(el, {preferCanvas: true});
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  if (window.plAddBasemap) { window.plAddBasemap(map, JSON.parse(el.getAttribute("data-basemap") || "null")); }
  var tiles = el.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, {maxZoom: 20, attribution: el.getAttribute("data-tiles-attribution")}).addTo(map);
  }
  JSON.parse(el.getAttribute("data-hot")).forEach(function (h) {
    L.circle([h[0], h[1]], {radius: 30, color: "#6a1b9a", weight: 2, fillOpacity: 0.15}).addTo(map);
  });
  var base = el.getAttribute("data-report-url");
  fetch(el.getAttribute("data-reports"), {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (fc) {
      if (!fc || !fc.features.length) { return; }
      var layer = L.geoJSON(fc, {
        pointToLayer: function (f, ll) {
          var s = STYLES[f.properties.zone_colour];
          var c = s ? s.fillColor : "#90a4ae";
          return L.circleMarker(ll, {radius: 7, color: "#263238", weight: 1, fillColor: c, fillOpacity: 0.9});
        },
        onEachFeature: function (f, lyr) {
          lyr.on("click", function () { window.location.href = base + f.properties.id; });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), {maxZoom: 17, padding: [20, 20]});
    })
    .catch(function () { /* the list below still shows every report */ });
}());
