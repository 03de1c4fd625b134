/* PetaLapak: the public home map's layers and search (see app/views/map_page.py).
 *
 * The page is a small shell; this script fetches the map's data (zones, facilities and the
 * event's booths as one compact GeoJSON document, cached under the data's change counter) and
 * draws it on the map's canvas, reports each layer to the layers-and-legend control, and runs
 * the search over stalls. Every text from the data is set with textContent, never innerHTML.
 */
(function () {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function popup(title, rows) {
    var box = el("div", null, "pl-popup");
    box.appendChild(el("strong", title));
    var table = el("table");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") { return; }
      var tr = el("tr");
      tr.appendChild(el("th", row[0]));
      tr.appendChild(el("td", row[1]));
      table.appendChild(tr);
    });
    if (table.firstChild) { box.appendChild(table); }
    return box;
  }

  function start(map, cfg) {
    var T = cfg.labels, S = cfg.styles;
    var legend = map.petaLapakLegend;
    var boothsByCode = {};

    function zoneLayer(fc) {
      return L.geoJSON(fc, {
        style: function (f) { return S.zones[f.properties.k] || S.zoneFallback; },
        onEachFeature: function (f, layer) {
          var p = f.properties, kind = T.zones[p.k] || p.k;
          layer.bindPopup(function () { return popup(p.n || kind, [[T.kind, kind], [T.hours, p.h]]); });
        },
      });
    }

    function facilityLayer(fc) {
      return L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          var sym = S.facilities[f.properties.k] || S.facilities.other;
          if (sym.circle) { return L.circleMarker(latlng, sym.circle); }
          var half = Math.round(sym.size / 2);
          return L.marker(latlng, {
            keyboard: false,   // not one tab stop per hydrant: the search and the list serve keys
            icon: L.divIcon({ html: sym.html, className: "pl-facility", iconSize: [sym.size, sym.size], iconAnchor: [half, half] }),
          });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties, kind = T.facilities[p.k] || p.k;
          layer.bindPopup(function () { return popup(p.n || kind, [[T.kind, kind]]); });
        },
      });
    }

    function boothPopup(p) {
      return popup(p.c, [
        [T.stall, p.t],
        [T.category, p.g ? (T.categories[p.g] || p.g) : null],
        [T.halal, p.hl ? "✓" : null],
        [T.state, T.booths[p.s] || p.s],
      ]);
    }

    function boothLayer(fc) {
      return L.geoJSON(fc, {
        style: function (f) { return S.booths[f.properties.s] || S.booths.ok; },
        onEachFeature: function (f, layer) {
          boothsByCode[f.properties.c] = layer;
          layer.bindPopup(function () { return boothPopup(f.properties); });
        },
      });
    }

    var loaded = fetch(cfg.dataUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var zones = zoneLayer(data.zones).addTo(map);
        var booths = boothLayer(data.booths).addTo(map);
        var facilities = facilityLayer(data.facilities).addTo(map);
        if (legend) {
          legend.track("zones", zones, function (l) { return l.feature.properties.k; });
          legend.track("booths", booths, function (l) { return l.feature.properties.s; });
          legend.track("facilities", facilities, function (l) { return l.feature.properties.k; });
        }
        document.documentElement.dataset.mapPainted = String(data.booths.features.length + data.zones.features.length);
      })
      .catch(function () {
        var note = document.getElementById("map-status");
        if (note) { note.textContent = T.loadFailed; note.hidden = false; }
      });

    // ---- search ----------------------------------------------------------------------------
    var form = document.getElementById("map-search");
    var list = document.getElementById("search-results");
    if (!form || !list || !cfg.searchUrl) { if (form) { form.hidden = true; } return; }
    function show(results) {
      list.textContent = "";
      if (!results.length) { list.appendChild(el("li", T.noResults, "muted")); return; }
      results.forEach(function (r) {
        var li = el("li"), button = el("button");
        button.type = "button";
        button.appendChild(el("strong", r.code));
        if (r.stall) { button.appendChild(document.createTextNode(" · " + r.stall)); }
        var extra = [];
        if (r.category) { extra.push(T.categories[r.category] || r.category); }
        if (r.halal) { extra.push(T.halal); }
        if (extra.length) { button.appendChild(el("span", " · " + extra.join(", "), "muted")); }
        button.addEventListener("click", function () {
          map.setView([r.lat, r.lon], Math.max(map.getZoom(), 19));
          loaded.then(function () {
            var layer = boothsByCode[r.code];
            if (layer) { layer.openPopup(); }
          });
        });
        li.appendChild(button);
        list.appendChild(li);
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = form.elements.q.value.trim();
      if (!q) { list.textContent = ""; return; }
      fetch(cfg.searchUrl + (cfg.searchUrl.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(q),
            { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { show(data.results || []); })
        .catch(function () { list.textContent = ""; list.appendChild(el("li", T.searchFailed, "muted")); });
    });
  }

  window.PetaLapakPublic = { start: start };
})();
