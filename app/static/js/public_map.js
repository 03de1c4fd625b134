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

  // A facility's symbol drawn on the map's canvas (a square, diamond or circle with its letter):
  // hundreds of them cost no DOM element and no tab stop each.
  var CanvasSymbol = L.CircleMarker.extend({
    _updatePath: function () {
      var r = this._renderer, ctx = r._ctx, p = this._point, s = this.options.symbol, h = s.size / 2;
      if (!ctx || !r._drawing || this._empty()) { return; }
      ctx.beginPath();
      if (s.shape === "diamond") {
        ctx.moveTo(p.x, p.y - h); ctx.lineTo(p.x + h, p.y); ctx.lineTo(p.x, p.y + h); ctx.lineTo(p.x - h, p.y); ctx.closePath();
      } else if (s.shape === "square") {
        ctx.rect(p.x - h + 1, p.y - h + 1, s.size - 2, s.size - 2);
      } else {
        ctx.arc(p.x, p.y, h - 1, 0, Math.PI * 2);
      }
      ctx.globalAlpha = 1;
      ctx.fillStyle = s.fill; ctx.fill();
      ctx.lineWidth = 2; ctx.strokeStyle = s.stroke; ctx.stroke();
      if (s.glyph) {
        ctx.fillStyle = s.glyphColour;
        ctx.font = "bold " + Math.max(s.size - 6, 8) + "px sans-serif";
        ctx.textAlign = "center"; ctx.textBaseline = "middle";
        ctx.fillText(s.glyph, p.x, p.y + 1);
      }
    },
  });

  function start(map, cfg) {
    var T = cfg.labels, S = cfg.styles;
    var legend = map.petaLapakLegend;
    var boothsByCode = {};
    var shared = L.popup({ maxWidth: 280 });

    // one popup for the whole layer, built on the click: nothing is made per feature up front
    function withPopup(layer, content) {
      layer.on("click", function (ev) {
        shared.setLatLng(ev.latlng).setContent(content(ev.layer.feature.properties)).openOn(map);
      });
      return layer;
    }

    function zoneLayer(fc) {
      return withPopup(L.geoJSON(fc, {
        style: function (f) { return S.zones[f.properties.k] || S.zoneFallback; },
      }), function (p) {
        var kind = T.zones[p.k] || p.k;
        return popup(p.n || kind, [[T.kind, kind], [T.hours, p.h]]);
      });
    }

    function facilityLayer(fc) {
      return withPopup(L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          var s = S.facilities[f.properties.k] || S.facilities.other;
          return new CanvasSymbol(latlng, { radius: s.size / 2, symbol: s });
        },
      }), function (p) {
        var kind = T.facilities[p.k] || p.k;
        return popup(p.n || kind, [[T.kind, kind]]);
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

    // stalls: booth code → [stall name, goods category, halal], kept apart from the layers
    function boothLayer(fc, stalls) {
      return withPopup(L.geoJSON(fc, {
        style: function (f) { return S.booths[f.properties.s] || S.booths.ok; },
        onEachFeature: function (f, layer) {
          var p = f.properties, stall = stalls[p.c];
          if (stall) { p.t = stall[0]; p.g = stall[1]; p.hl = stall[2]; }
          boothsByCode[p.c] = layer;
        },
      }), boothPopup);
    }

    // Features near the view first (a phone sees a hundred of the event's booths), the rest on
    // the next task, after the first paint: the map shows what is looked at without waiting.
    function nearView(features) {
      var view = map.getBounds().pad(0.5), near = [], rest = [];
      features.forEach(function (f) {
        var c = f.geometry.coordinates;
        while (typeof c[0] !== "number") { c = c[0]; }
        (view.contains([c[1], c[0]]) ? near : rest).push(f);
      });
      return [near, rest];
    }
    function collection(features) { return { type: "FeatureCollection", features: features }; }

    var loaded = fetch(cfg.dataUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var boothParts = nearView(data.booths.features), facilityParts = nearView(data.facilities.features);
        var zones = zoneLayer(data.zones).addTo(map);
        var booths = boothLayer(collection(boothParts[0]), data.stalls || {}).addTo(map);
        var facilities = facilityLayer(collection(facilityParts[0])).addTo(map);
        if (legend) {
          legend.track("zones", zones, function (l) { return l.feature.properties.k; });
          legend.track("booths", booths, function (l) { return l.feature.properties.s; });
          legend.track("facilities", facilities, function (l) { return l.feature.properties.k; });
        }
        var root = document.documentElement;
        root.dataset.mapPainted = String(data.booths.features.length + data.zones.features.length);
        // the canvas draws on the next animation frame; the one after it has been painted
        return new Promise(function (resolve) {
          requestAnimationFrame(function () {
            requestAnimationFrame(function () {
              root.dataset.mapPaintedMs = String(Math.round(performance.now()));
              setTimeout(function () {
                booths.addData(collection(boothParts[1]));
                facilities.addData(collection(facilityParts[1]));
                if (legend) { legend.update(); }
                root.dataset.mapComplete = "1";
                resolve();
              }, 0);
            });
          });
        });
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
        var li = el("li"), button = el("button"), extra = [];
        button.type = "button";
        if (r.type === "landmark") {
          button.appendChild(el("strong", r.name));
          extra.push(T.landmarks[r.kind] || r.kind);
        } else {
          button.appendChild(el("strong", r.code));
          if (r.stall) { button.appendChild(document.createTextNode(" · " + r.stall)); }
          if (r.category) { extra.push(T.categories[r.category] || r.category); }
          if (r.halal) { extra.push(T.halal); }
        }
        if (extra.length) { button.appendChild(el("span", " · " + extra.join(", "), "muted")); }
        button.addEventListener("click", function () {
          var box = map.getContainer().getBoundingClientRect();
          if (box.top < 0 || box.top > window.innerHeight / 2) { map.getContainer().scrollIntoView({ block: "start" }); }
          map.setView([r.lat, r.lon], Math.max(map.getZoom(), r.type === "landmark" ? 18 : 19));
          if (r.type === "landmark") {
            shared.setLatLng([r.lat, r.lon]).setContent(popup(r.name, [[T.kind, T.landmarks[r.kind] || r.kind]])).openOn(map);
            return;
          }
          loaded.then(function () {
            var layer = boothsByCode[r.code];
            if (layer) { shared.setLatLng([r.lat, r.lon]).setContent(boothPopup(layer.feature.properties)).openOn(map); }
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
