/* The city's basemap (roads, water, buildings, street names, landmarks) beneath every map: the
   folium maps call it from app/views/maps.py (add_basemap), and the pages that build their map in
   their own script (/lapor, /laporan) call it themselves. The configuration comes from
   basemap_client_config there, so tiles, styles, panes and zooms are the same everywhere. Names
   are set with textContent, never as HTML. */
(function () {
  "use strict";

  function styles(cfg) {
    return {
      road: function (p, z) {
        var s = cfg.roads[p["class"]] || cfg.roads.residential;
        var k = Math.min(4, Math.max(0.35, Math.pow(2, (z - 16) * 0.6)));
        var fill = {stroke: true, color: s.fill, weight: Math.max(1, s.width * k),
                    opacity: 1, fill: false, lineCap: "round", lineJoin: "round"};
        if (s.dash) { fill.dashArray = s.dash; }
        if (!s.casing) { return fill; }
        return [{stroke: true, color: s.casing, weight: Math.max(1.5, s.width * k + 2),
                 opacity: 1, fill: false, lineCap: "round", lineJoin: "round"}, fill];
      },
      water_line: function (p, z) {
        return {stroke: true, color: cfg.waterLine, opacity: 0.9, fill: false,
                weight: (cfg.waterWidth[p["class"]] || 2) * (z >= 17 ? 1.5 : 1)};
      },
      water_area: {stroke: false, fill: true, fillColor: cfg.waterFill, fillOpacity: 1},
      building: cfg.building
    };
  }

  function tileRange(map, z) {
    var b = map.getBounds(), n = Math.pow(2, z);
    function tx(lon) { return Math.floor((lon + 180) / 360 * n); }
    function ty(lat) {
      var r = lat * Math.PI / 180, m = Math.log(Math.tan(r) + 1 / Math.cos(r));
      return Math.floor((1 - m / Math.PI) / 2 * n);
    }
    return [tx(b.getWest()), tx(b.getEast()), ty(b.getNorth()), ty(b.getSouth())];
  }

  function labels(map, basemap, cfg) {
    var roads = L.layerGroup(), marks = L.layerGroup(), seen = {};
    function icon(cls, build) {
      var el = document.createElement("div");
      build(el);
      return L.divIcon({className: cls, html: el, iconSize: null});
    }
    function add(body) {
      (body.roads || []).forEach(function (r) {
        roads.addLayer(L.marker([r[0], r[1]], {pane: "plBasemapLabels", interactive: false,
          keyboard: false, icon: icon("pl-road-label", function (el) {
            var span = document.createElement("span");
            span.textContent = r[3];
            span.style.setProperty("--pl-angle", r[2] + "deg");
            el.appendChild(span);
          })}));
      });
      (body.landmarks || []).forEach(function (m) {
        var s = cfg.symbols[m[2]] || cfg.symbols.other;
        marks.addLayer(L.marker([m[0], m[1]], {pane: "plBasemapLabels", interactive: false,
          keyboard: false, icon: icon("pl-landmark", function (el) {
            var box = document.createElement("i");
            box.style.background = s[0];
            box.style.borderColor = s[1];
            el.appendChild(box);
            el.appendChild(document.createTextNode(m[3]));
          })}));
      });
    }
    function refresh() {
      var on = map.hasLayer(basemap), z = map.getZoom();
      if (on && z >= cfg.roadZoom) { map.addLayer(roads); } else { map.removeLayer(roads); }
      if (on && z >= cfg.landmarkZoom) { map.addLayer(marks); } else { map.removeLayer(marks); }
      if (!on || z < Math.min(cfg.roadZoom, cfg.landmarkZoom)) { return; }
      var t = tileRange(map, cfg.labelZoom);
      if ((t[1] - t[0] + 1) * (t[3] - t[2] + 1) > 64) { return; }
      for (var x = t[0]; x <= t[1]; x++) {
        for (var y = t[2]; y <= t[3]; y++) {
          var key = x + "/" + y;
          if (seen[key]) { continue; }
          seen[key] = true;
          fetch(cfg.labels.replace("{z}", cfg.labelZoom).replace("{x}", x).replace("{y}", y),
                {credentials: "same-origin"})
            .then(function (r) { return r.status === 200 ? r.json() : {}; })
            .then(add)
            .catch(function () {});
        }
      }
    }
    map.on("moveend zoomend overlayadd overlayremove", refresh);
    map.whenReady(refresh);
  }

  /* Draw the basemap described by cfg beneath everything on map; returns its layer. */
  window.plAddBasemap = function (map, cfg) {
    if (!cfg || !L.vectorGrid) { return null; }
    cfg.panes.forEach(function (p) {
      map.createPane(p[0]).style.zIndex = p[1];
      map.getPane(p[0]).style.pointerEvents = "none";
    });
    var layer = L.vectorGrid.protobuf(cfg.tiles, {
      pane: "plBasemap", interactive: false, maxNativeZoom: cfg.maxNativeZoom,
      maxZoom: cfg.maxZoom, attribution: cfg.attribution,
      rendererFactory: L.canvas.tile, vectorTileLayerStyles: styles(cfg)
    }).addTo(map);
    labels(map, layer, cfg);
    return layer;
  };
})();
