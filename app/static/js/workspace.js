/* PetaLapak planner workspace: layers fetched by bounding box, edits POSTed as GeoJSON.
 *
 * Folium draws the base map; this script owns the data layers (canvas-rendered, so thousands
 * of booths stay smooth), Leaflet-Geoman editing of one selected feature at a time, saving with
 * the feature's version (HTTP 409 shows the newer geometry), conflicts, and undo.
 * Every text that came from users is escaped before it reaches innerHTML.
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("workspace-config").textContent);
  var map = window[cfg.map];
  // No marker on this map is a tab stop (Geoman's vertex handles, the point being edited): the
  // feature list beside the map and the arrow keys are the keyboard's way to the features.
  L.Marker.mergeOptions({ keyboard: false });
  var LAYERS = ["zones", "facilities", "booths", "landmarks"];
  var groups = {}, index = {};
  // ---- the booths layer ------------------------------------------------------------------
  // Thousands of booths are not Leaflet paths: each is kept as flat projected rings plus its
  // feature, drawn in batches (one path per style) on the shared canvas renderer, between the
  // zones (below) and the facilities (above), and hit-tested there for hover and click.
  var crs = map.options.crs, MERCATOR = crs === L.CRS.EPSG3857, S0 = crs.scale(0), D2R = Math.PI / 180;
  var PATH_DEFAULTS = { stroke: true, color: "#3388ff", weight: 3, opacity: 1, fill: true, fillColor: null, fillOpacity: 0.2, dashArray: null };
  function project0(lng, lat, out, i) {   // pixel coordinates at zoom 0
    if (MERCATOR) {
      var s = Math.sin(Math.max(Math.min(85.0511287798, lat), -85.0511287798) * D2R);
      out[i] = S0 * (0.5 + lng / 360);
      out[i + 1] = S0 * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
    } else {
      var pt = crs.latLngToPoint(L.latLng(lat, lng), 0);
      out[i] = pt.x; out[i + 1] = pt.y;
    }
  }
  var styleKeys = typeof WeakMap === "function" ? new WeakMap() : null;
  function styleKey(o) {   // booths sharing a style are drawn as one path
    var k = styleKeys && styleKeys.get(o);
    if (!k) {
      var e = L.extend({}, PATH_DEFAULTS, o);
      k = [e.stroke, e.color, e.weight, e.opacity, e.fill, e.fillColor, e.fillOpacity, e.dashArray].join("|");
      if (styleKeys) { styleKeys.set(o, k); }
    }
    return k;
  }
  function Booth(feature) {
    this.feature = feature;
    this.options = boothStyle(feature.properties);
    var g = feature.geometry, polys = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
    var rings = [], x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    var w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
    for (var a = 0; a < polys.length; a++) {
      for (var b = 0; b < polys[a].length; b++) {
        var c = polys[a][b], len = c.length;
        if (len > 1 && c[0][0] === c[len - 1][0] && c[0][1] === c[len - 1][1]) { len -= 1; }  // as L.polygon does
        var r = new Float64Array(2 * len);
        for (var i = 0; i < len; i++) {
          var lng = c[i][0], lat = c[i][1];
          if (lng < w) { w = lng; } if (lng > e) { e = lng; } if (lat < s) { s = lat; } if (lat > n) { n = lat; }
          project0(lng, lat, r, 2 * i);
          var x = r[2 * i], y = r[2 * i + 1];
          if (x < x0) { x0 = x; } if (x > x1) { x1 = x; } if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
        }
        rings.push(r);
      }
    }
    this._rings = rings;
    this._box = [x0, y0, x1, y1];
    this._ll = [s, w, n, e];
  }
  Booth.prototype = {
    getBounds: function () { var b = this._ll; return L.latLngBounds([b[0], b[1]], [b[2], b[3]]); },
    getCenter: function () { return this.getBounds().getCenter(); },
    setStyle: function (style) {
      var o = this.options, covered = true;
      for (var key in o) { if (o.hasOwnProperty(key) && !(key in style)) { covered = false; break; } }
      this.options = covered ? style : L.extend({}, o, style);   // merged, as Path#setStyle does
      boothStore._dirty(this);
      return this;
    },
    bindTooltip: function (html) { this._tip = html; return this; },
    unbindTooltip: function () { this._tip = null; boothStore._closeTip(this); return this; },
    getTooltip: function () { return this._tip || null; },
    toGeoJSON: function () { return this.feature; },
    // the canvas renderer fires pointer events on the booth like on a path
    listens: function (type) { return !!boothHandlers[type]; },
    fire: function (type, data) {
      var h = boothHandlers[type];
      if (h) { h(L.extend({ type: type, target: this, sourceTarget: this, layer: this, propagatedFrom: this }, data)); }
      return this;
    },
  };
  var boothHandlers = {};
  var boothTip = L.tooltip({ sticky: true });
  // groups.booths: the booths drawn, in drawing order, with the FeatureGroup calls used here
  var boothStore = {
    _set: new Set(), _tipOf: null,
    addLayer: function (b) { this._set.delete(b); this._set.add(b); this._dirty(b); return this; },
    removeLayer: function (b) {
      if (this._set.delete(b)) { this._dirty(b); this._closeTip(b); }
      return this;
    },
    hasLayer: function (b) { return this._set.has(b); },
    clearLayers: function () {
      var self = this;
      this._set.forEach(function (b) { self._dirty(b); self._closeTip(b); });
      this._set.clear();
      return this;
    },
    getLayers: function () { return Array.from(this._set); },
    eachLayer: function (fn, ctx) { this._set.forEach(function (b) { fn.call(ctx, b); }); return this; },
    getBounds: function () { var bb = L.latLngBounds([]); this._set.forEach(function (b) { bb.extend(b.getBounds()); }); return bb; },
    _dirty: function (b) {
      var d = this._dirtyBox, bx = b._box, wgt = (b.options.weight || 0) + 1;
      if (!d) { d = this._dirtyBox = [bx[0], bx[1], bx[2], bx[3], wgt]; }
      else {
        if (bx[0] < d[0]) { d[0] = bx[0]; } if (bx[1] < d[1]) { d[1] = bx[1]; }
        if (bx[2] > d[2]) { d[2] = bx[2]; } if (bx[3] > d[3]) { d[3] = bx[3]; }
        if (wgt > d[4]) { d[4] = wgt; }
      }
      if (renderer._map) { renderer._redrawRequest = renderer._redrawRequest || L.Util.requestAnimFrame(renderer._redraw, renderer); }
    },
    _closeTip: function (b) {
      if (this._tipOf === b) { this._tipOf = null; if (map.hasLayer(boothTip)) { map.removeLayer(boothTip); } }
      if (renderer._hoveredLayer === b) { renderer._hoveredLayer = null; L.DomUtil.removeClass(renderer._container, "leaflet-interactive"); }
    },
    // the booth under a layer point (the last drawn wins, as on Leaflet's canvas)
    _at: function (point) {
      var k = crs.scale(map.getZoom()) / S0, o = map.getPixelOrigin(), tol = renderer.options.tolerance || 0;
      var px = (point.x + o.x) / k, py = (point.y + o.y) / k, found = null;
      this._set.forEach(function (b) {
        var bx = b._box, op = b.options, w = op.stroke === false ? 0 : (op.weight === undefined ? 3 : op.weight);
        var pad = (w / 2 + tol) / k;
        if (px < bx[0] - pad || px > bx[2] + pad || py < bx[1] - pad || py > bx[3] + pad) { return; }
        if (boothContains(b._rings, px, py, pad)) { found = b; }
      });
      return found;
    },
  };
  function boothContains(rings, px, py, pad) {
    var inside = false, i, j, r, n, x1, y1, x2, y2;
    for (var q = 0; q < rings.length; q++) {
      r = rings[q]; n = r.length / 2;
      for (i = 0, j = n - 1; i < n; j = i++) {
        x1 = r[2 * i]; y1 = r[2 * i + 1]; x2 = r[2 * j]; y2 = r[2 * j + 1];
        if (((y1 > py) !== (y2 > py)) && (px < (x2 - x1) * (py - y1) / (y2 - y1) + x1)) { inside = !inside; }
      }
    }
    if (inside) { return true; }
    for (q = 0; q < rings.length; q++) {   // or on the outline, within the click tolerance
      r = rings[q]; n = r.length / 2;
      for (i = 0, j = n - 1; i < n; j = i++) {
        if (segDist2(px, py, r[2 * j], r[2 * j + 1], r[2 * i], r[2 * i + 1]) <= pad * pad) { return true; }
      }
    }
    return false;
  }
  function segDist2(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, tt = 0;
    if (l2 > 0) { tt = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)); }
    var ex = ax + tt * dx - px, ey = ay + tt * dy - py;
    return ex * ex + ey * ey;
  }
  var WorkspaceCanvas = L.Canvas.extend({
    _requestRedraw: function (layer) {
      if (!layer._pxBounds) { this._wantFull = true; }
      L.Canvas.prototype._requestRedraw.call(this, layer);
    },
    _redraw: function () {
      // On opening, nothing is drawn until the booths are there: one full paint (and one copy
      // of this big canvas to the screen) instead of one for each layer as it arrives.
      if (this._held) { this._redrawRequest = null; return; }
      var d = boothStore._dirtyBox;
      boothStore._dirtyBox = null;
      if (this._wantFull) { this._redrawBounds = null; }
      else if (d && this._map) {
        var k = crs.scale(this._map.getZoom()) / S0, o = this._map.getPixelOrigin();
        this._redrawBounds = this._redrawBounds || new L.Bounds();
        this._redrawBounds.extend(L.point(d[0] * k - o.x - d[4], d[1] * k - o.y - d[4]));
        this._redrawBounds.extend(L.point(d[2] * k - o.x + d[4], d[3] * k - o.y + d[4]));
      }
      this._wantFull = false;
      L.Canvas.prototype._redraw.call(this);
    },
    _updatePaths: function () {
      if (!this._postponeUpdatePaths) { boothStore._dirtyBox = null; this._wantFull = true; }
      L.Canvas.prototype._updatePaths.call(this);
    },
    _draw: function () {
      var layer, order, bounds = this._redrawBounds, ctx = this._ctx;
      ctx.save();
      if (bounds) {
        var size = bounds.getSize();
        ctx.beginPath();
        ctx.rect(bounds.min.x, bounds.min.y, size.x, size.y);
        ctx.clip();
      }
      this._drawing = true;
      for (var pass = 0; pass < 2; pass++) {   // zones, then (booths), then the rest
        for (order = this._drawFirst; order; order = order.next) {
          layer = order.layer;
          if (!!layer._wsUnder === (pass === 0) && (!bounds || (layer._pxBounds && layer._pxBounds.intersects(bounds)))) { layer._updatePath(); }
        }
        if (pass === 0) { this._drawBooths(bounds || this._bounds); }
      }
      this._drawing = false;
      ctx.restore();
    },
    _drawBooths: function (bounds) {
      if (!this._map || !bounds || !boothStore._set.size) { return; }
      var ctx = this._ctx, k = crs.scale(this._map.getZoom()) / S0, o = this._map.getPixelOrigin();
      var ox = o.x, oy = o.y, minX = bounds.min.x, minY = bounds.min.y, maxX = bounds.max.x, maxY = bounds.max.y;
      var batches = {}, keys = [];
      boothStore._set.forEach(function (b) {
        var bx = b._box, pad = (b.options.weight || 0) + 1;
        if (bx[0] * k - ox > maxX + pad || bx[2] * k - ox < minX - pad || bx[1] * k - oy > maxY + pad || bx[3] * k - oy < minY - pad) { return; }
        var key = styleKey(b.options), batch = batches[key];
        if (!batch) { batch = batches[key] = { opts: L.extend({}, PATH_DEFAULTS, b.options), list: [] }; keys.push(key); }
        batch.list.push(b);
      });
      for (var n = 0; n < keys.length; n++) {
        var batch = batches[keys[n]], op = batch.opts, list = batch.list;
        ctx.beginPath();
        for (var m = 0; m < list.length; m++) {
          var rings = list[m]._rings;
          for (var q = 0; q < rings.length; q++) {
            var r = rings[q], len = r.length;
            if (!len) { continue; }
            // back to the first point rather than closePath(), which is slow on a long path
            // (the round caps and joins draw the same corner)
            var fx = Math.round(r[0] * k) - ox, fy = Math.round(r[1] * k) - oy;
            ctx.moveTo(fx, fy);
            for (var i = 2; i < len; i += 2) { ctx.lineTo(Math.round(r[i] * k) - ox, Math.round(r[i + 1] * k) - oy); }
            ctx.lineTo(fx, fy);
          }
        }
        if (op.fill) {
          ctx.globalAlpha = op.fillOpacity;
          ctx.fillStyle = op.fillColor || op.color;
          ctx.fill("evenodd");
        }
        if (op.stroke && op.weight !== 0) {
          if (ctx.setLineDash) {
            var dash = typeof op.dashArray === "string" ? op.dashArray.split(/[, ]+/).map(Number) : (op.dashArray || []);
            ctx.setLineDash(dash.some(isNaN) ? [] : dash);
          }
          ctx.globalAlpha = op.opacity;
          ctx.lineWidth = op.weight;
          ctx.strokeStyle = op.color;
          ctx.lineCap = "round";
          ctx.lineJoin = "round";
          ctx.stroke();
        }
      }
      if (ctx.setLineDash) { ctx.setLineDash([]); }
    },
    // the topmost of: a facility (or other path above the booths), a booth, a zone
    _pick: function (point, e) {
      var layer, above = null, under = null, draggable = e.type === "click" || e.type === "preclick";
      for (var order = this._drawFirst; order; order = order.next) {
        layer = order.layer;
        if (layer.options.interactive && layer._containsPoint(point) && (!draggable || !this._map._draggableMoved(layer))) {
          if (layer._wsUnder) { under = layer; } else { above = layer; }
        }
      }
      return above || boothStore._at(point) || under;
    },
    _onClick: function (e) {
      var hit = this._pick(this._map.mouseEventToLayerPoint(e), e);
      this._fireEvent(hit ? [hit] : false, e);
    },
    _handleMouseHover: function (e, point) {
      if (this._mouseHoverThrottled) { return; }
      var candidate = this._pick(point, e);
      if (candidate !== this._hoveredLayer) {
        this._handleMouseOut(e);
        if (candidate) {
          L.DomUtil.addClass(this._container, "leaflet-interactive");
          this._fireEvent([candidate], e, "mouseover");
          this._hoveredLayer = candidate;
        }
      }
      this._fireEvent(this._hoveredLayer ? [this._hoveredLayer] : false, e);
      this._mouseHoverThrottled = true;
      setTimeout(L.Util.bind(function () { this._mouseHoverThrottled = false; }, this), 32);
    },
    // draw now what is pending (so that "painted" means painted)
    flush: function () {
      if (this._held) { this._held = false; this._wantFull = true; this._container.style.display = ""; }
      else if (!this._redrawRequest) { return; }
      if (this._redrawRequest) { L.Util.cancelAnimFrame(this._redrawRequest); }
      this._redraw();
    },
  });
  var renderer = new WorkspaceCanvas({ padding: 0.5, tolerance: 3 });
  renderer._held = true;
  renderer.addTo(map);
  renderer._container.style.display = "none";   // not even composited while empty
  setTimeout(function () { renderer.flush(); }, 1500);   // the booths are late: draw the rest
  LAYERS.forEach(function (name) { groups[name] = name === "booths" ? boothStore : L.featureGroup().addTo(map); index[name] = {}; });
  // the layers-and-legend control lists the kinds in view (app/static/js/map_legend.js); booths
  // drawn as tiles (a big event below street level) are not features here: all their states count
  function legendKind(name, p) { return name === "booths" ? (p.state || (p.kind === "vendor" ? "ok" : p.kind)) : p.kind; }
  if (map.petaLapakLegend) {
    LAYERS.filter(function (name) { return name !== "landmarks"; }).forEach(function (name) {
      map.petaLapakLegend.track(name, null, function (bounds) {
        if (name === "booths" && boothTiles && map.hasLayer(boothTiles)) { return Object.keys(cfg.styles.booths); }
        var kinds = [];
        Object.keys(index[name]).forEach(function (id) {
          var l = index[name][id], b = l.getLatLng ? l.getLatLng() : l.getBounds();
          if (b.lat !== undefined ? bounds.contains(b) : bounds.intersects(b)) { kinds.push(legendKind(name, l.feature.properties)); }
        });
        return kinds;
      });
    });
  }
  var loadedBooths = null;       // bounds already fetched for booths
  var selected = null;           // {layerName, layer, canvasLayer, isNew}
  var gesturing = false, lastEditGesture = 0;
  // The mouse-up that ends a drag or a rotation also arrives as a click on whatever lies under
  // the pointer (the map, or a hydrant): that click must not change the selection.
  function gestureJustEnded() { return gesturing || Date.now() - lastEditGesture < 400; }
  var statusEl = document.getElementById("ws-status");
  var form = document.getElementById("ws-attr");
  var formBox = document.getElementById("ws-form");
  var formError = document.getElementById("ws-form-error");

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"'`$\\]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;", "$": "&#36;", "\\": "&#92;" }[c];
    });
  }
  function t(group, key) { return (cfg.labels[group] || {})[key] || key; }
  function busy(text) { statusEl.textContent = text || ""; statusEl.classList.toggle("busy", !!text); }
  function say(text) { statusEl.classList.remove("busy"); statusEl.textContent = text || ""; }

  function api(method, url, body) {
    var opts = { method: method, headers: { "X-CSRFToken": cfg.csrf, "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) { return { status: resp.status, data: data }; });
    });
  }
  function layerUrl(name, extra) {
    var q = [];
    if (cfg.event) { q.push("event=" + encodeURIComponent(cfg.event)); }
    if (extra) { q.push(extra); }
    return cfg.api + "/" + name + (q.length ? "?" + q.join("&") : "");
  }

  // ---- drawing features ------------------------------------------------------------------
  function boothStyle(p) {
    var key = p.state || (p.kind === "vendor" ? "ok" : p.kind);
    return cfg.styles.booths[key] || cfg.styles.booths.ok;
  }
  function styleOf(name, p) {
    if (name === "zones") { return cfg.styles.zones[p.kind] || { color: "#616161" }; }
    if (name === "booths") { return boothStyle(p); }
    var symbols = cfg.styles[name === "landmarks" ? "landmarks" : "facilities"];
    var s = symbols[p.kind] || symbols.other;
    return { color: s.stroke, fillColor: s.fill, weight: 2, fillOpacity: 0.9 };
  }
  function popupHtml(name, p) {
    var rows = [];
    if (name === "booths") {
      rows.push("<strong>" + esc(p.code) + "</strong>");
      if (p.label) { rows.push(esc(p.label)); }
      rows.push(esc(t("booths", p.state || p.kind)));
      if (p.locked) { rows.push("🔒"); }
    } else {
      rows.push("<strong>" + esc(p.name || "") + "</strong>");
      rows.push(esc(t(name, p.kind)));
      if (p.hours) { rows.push(esc(p.hours)); }
    }
    return rows.join("<br>");
  }
  function ring(coords) { return coords.map(function (c) { return [c[1], c[0]]; }); }
  // Built directly (not through L.geoJSON per feature): 5,000 booths must draw in a blink.
  function makeLayer(name, feature) {
    var p = feature.properties, g = feature.geometry, layer;
    if (name === "booths" && (g.type === "Polygon" || g.type === "MultiPolygon")) { return new Booth(feature); }
    if (g.type === "Point") {
      var symbols = cfg.styles[name === "landmarks" ? "landmarks" : "facilities"];
      var s = symbols[p.kind] || symbols.other;
      layer = L.circleMarker([g.coordinates[1], g.coordinates[0]], {
        renderer: renderer, radius: Math.max(3, s.size / 2.5), color: s.stroke, fillColor: s.fill, weight: 1.5, fillOpacity: 0.95,
      });
    } else if (g.type === "Polygon") {
      var opts = L.extend({ renderer: renderer }, styleOf(name, p));
      layer = L.polygon(g.coordinates.map(ring), opts);
    } else if (g.type === "LineString") {
      layer = L.polyline(ring(g.coordinates), L.extend({ renderer: renderer }, styleOf(name, p)));
    } else {
      layer = L.geoJSON(feature, { style: function () { return styleOf(name, p); }, renderer: renderer }).getLayers()[0];
    }
    layer.feature = feature;
    if (name === "zones") { layer._wsUnder = true; }   // drawn below the booths
    return layer;
  }
  // Booths: one sticky tooltip, filled on hover.
  boothHandlers.click = function (ev) {
    L.DomEvent.stopPropagation(ev);
    if (!gestureJustEnded()) { select("booths", ev.layer); }
  };
  boothHandlers.mouseover = function (ev) {
    var b = ev.layer;
    boothStore._tipOf = b;
    boothTip.setContent(b._tip || popupHtml("booths", b.feature.properties)).setLatLng(ev.latlng);
    if (!map.hasLayer(boothTip)) { map.addLayer(boothTip); }
  };
  boothHandlers.mousemove = function (ev) {
    if (boothStore._tipOf === ev.layer && map.hasLayer(boothTip)) { boothTip.setLatLng(ev.latlng); }
  };
  boothHandlers.mouseout = function (ev) { boothStore._closeTip(ev.layer); };
  // One listener per layer group, tooltips bound on first hover.
  ["zones", "facilities", "landmarks"].forEach(function (name) {
    groups[name].on("click", function (ev) {
      L.DomEvent.stopPropagation(ev);
      if (!gestureJustEnded()) { select(name, ev.layer); }
    });
    groups[name].on("mouseover", function (ev) {
      var l = ev.layer;
      if (!l.getTooltip()) { l.bindTooltip(popupHtml(name, l.feature.properties), { sticky: true }); l.openTooltip(ev.latlng); }
    });
  });
  function putFeature(name, feature) {
    var old = index[name][feature.id];
    if (old) { groups[name].removeLayer(old); }
    var layer = makeLayer(name, feature);
    index[name][feature.id] = layer;
    if (selected && !selected.isNew && selected.canvasLayer === old && old) {
      // the feature being edited was fetched again (the view moved): it stays off the canvas
      // while its editable copy is on the map, and comes back as the fresh layer on deselect
      selected.canvasLayer = layer;
    } else {
      groups[name].addLayer(layer);
    }
    scheduleList();
    return layer;
  }
  function removeFeature(name, id) {
    var old = index[name][id];
    if (old) { groups[name].removeLayer(old); delete index[name][id]; scheduleList(); }
  }
  function load(name, bounds) {
    var extra = bounds === "initial" ? "initial" : (bounds ? "bbox=" + bounds.toBBoxString() : null);
    // the first requests are the page's <link rel=preload> ones, so the browser reuses them
    var url = extra === null && name !== "booths" ? cfg.api + "/" + name : layerUrl(name, extra);
    if (extra === "initial") { url = cfg.preload[cfg.preload.length - 1]; }
    return fetch(url, { credentials: "include" })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        if (name !== "booths" || !bounds || bounds === "initial") {
          groups[name].clearLayers(); index[name] = {};
          if (selected && !selected.isNew && selected.layerName === name) { selected.canvasLayer = null; }
        }
        var keep = {};
        fc.features.forEach(function (f) { keep[f.id] = true; putFeature(name, f); });
        if (name === "booths" && bounds && bounds !== "initial") {
          Object.keys(index.booths).forEach(function (id) {
            var l = index.booths[id];
            if (!keep[id] && bounds.intersects(l.getBounds())) { removeFeature("booths", id); }
          });
        }
        if (map.petaLapakLegend) { map.petaLapakLegend.update(); }
        return fc;
      });
  }
  // ---- a city with very many facilities: fetched for the view only -------------------------
  // Facility symbols show from street level (zoom 16) only. With cfg.facilitiesByView (the
  // server's threshold) the map asks for those in and around the view when it gets there,
  // instead of every facility of the city at the start.
  var loadedFacilities = null;
  function loadFacilities(force) {
    if (!cfg.facilitiesByView) { return load("facilities"); }
    if (force === true) { loadedFacilities = null; }
    var view = map.getBounds();
    if (map.getZoom() < 16 || (loadedFacilities && loadedFacilities.contains(view))) { return Promise.resolve(); }
    if (selected && selected.layerName === "facilities") { return Promise.resolve(); }
    var wanted = view.pad(0.6);
    return load("facilities", wanted).then(function (fc) {
      loadedFacilities = wanted;
      document.documentElement.dataset.facilitiesLoaded = String(fc.features.length);
      return fc;
    });
  }

  // ---- big events: booths as vector tiles below the editing zoom ----------------------------
  // An event with more booths than the server's threshold comes with cfg.boothTiles: at city
  // scale its booths are drawn from /tiles (MVT written by PostGIS, only the tiles in view);
  // from cfg.boothTiles.editZoom on they are features fetched by bounding
  // box, to select and edit. Tiles are coloured by the same conflict states as the features.
  var worstByCode = {}, boothTiles = null, vectorGrid = null;
  function ensureVectorGrid() {
    if (vectorGrid) { return vectorGrid; }
    vectorGrid = new Promise(function (resolve, reject) {
      var js = document.createElement("script");
      js.src = cfg.boothTiles.js;
      js.onload = function () { resolve(); };
      js.onerror = reject;
      document.head.appendChild(js);
    });
    return vectorGrid;
  }
  function tilesWanted() { return !!cfg.boothTiles && map.getZoom() < cfg.boothTiles.editZoom; }
  function boothTileStyle(p) {
    var s = boothStyle({ kind: p.kind, state: worstByCode[p.code] || (p.kind === "vendor" ? "ok" : undefined) });
    return { color: s.color, fillColor: s.fillColor, fill: true, fillOpacity: s.fillOpacity, weight: 1 };
  }
  function syncBoothMode() {
    if (!cfg.boothTiles) { return false; }
    var root = document.documentElement;
    if (!tilesWanted()) {
      if (boothTiles && map.hasLayer(boothTiles)) { map.removeLayer(boothTiles); }
      root.dataset.boothMode = "features";
      return false;
    }
    if (Object.keys(index.booths).length) { deselect(); groups.booths.clearLayers(); index.booths = {}; renderer.flush(); }
    loadedBooths = null;
    ensureVectorGrid().then(function () {
      if (!tilesWanted()) { return; }
      if (!boothTiles) {
        boothTiles = L.vectorGrid.protobuf(cfg.boothTiles.url, {
          rendererFactory: L.canvas.tile, interactive: false, maxNativeZoom: 22,
          vectorTileLayerStyles: { booths: boothTileStyle },
          fetchOptions: { credentials: "same-origin" },
        });
        boothTiles.on("load", function () { root.dataset.boothTilesLoaded = "1"; });
      }
      if (!map.hasLayer(boothTiles)) { boothTiles.addTo(map); }
      root.dataset.boothMode = "tiles";
      say(cfg.boothTiles.booths + " " + t("ui", "booths") + ". " + t("ui", "booths_as_tiles"));
    });
    return true;
  }
  function loadBoothsInView(first) {
    if (!cfg.event) { return Promise.resolve(); }
    if (syncBoothMode()) { return Promise.resolve(); }
    if (first === true && cfg.boothTiles) { first = false; }  // no preloaded layer to reuse
    var view = map.getBounds();
    if (loadedBooths && loadedBooths.contains(view)) { return Promise.resolve(); }
    if (first === true && cfg.initialBbox) {   // as preloaded; later moves fetch by bounding box
      var b = cfg.initialBbox;
      return load("booths", "initial").then(function (fc) {
        loadedBooths = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
        say(fc.features.length + " " + t("ui", "booths_loaded"));
        renderer.flush();
        document.documentElement.dataset.boothsPainted = String(fc.features.length);
      });
    }
    var wanted = view.pad(0.6);
    var quiet = !!selected;   // while a feature is edited the status speaks of it, not of loading
    if (!quiet) { busy(t("ui", "loading")); }
    return load("booths", wanted).then(function (fc) {
      loadedBooths = wanted;
      if (!quiet && !selected) { say(fc.features.length + " " + t("ui", "booths_loaded")); }
      renderer.flush();
      document.documentElement.dataset.boothsPainted = String(fc.features.length);
    });
  }

  // ---- selection and the attribute form --------------------------------------------------
  function showForm(name, props, isNew) {
    formBox.hidden = false;
    formError.textContent = "";
    document.getElementById("ws-form-title").textContent = (isNew ? t("ui", "new") + ": " : "") + t("ui", name);
    Array.prototype.forEach.call(form.querySelectorAll("[data-for]"), function (div) {
      var on = div.dataset.for === name;
      div.hidden = !on;
      Array.prototype.forEach.call(div.querySelectorAll("input, select"), function (el) {
        el.disabled = !on;
        if (!on) { return; }
        var v = props[el.name];
        if (el.type === "checkbox") { el.checked = !!v; }
        else if (el.multiple) { Array.prototype.forEach.call(el.options, function (o) { o.selected = (v || []).indexOf(o.value) >= 0; }); }
        else if (el.name === "hours_start" || el.name === "hours_end") { el.value = v || (props.hours ? props.hours.split("–")[el.name === "hours_start" ? 0 : 1] : ""); }
        else { el.value = v === undefined || v === null ? (el.tagName === "SELECT" ? el.options[0].value : "") : v; }
      });
    });
    document.getElementById("ws-delete").hidden = isNew;
  }
  function formProps() {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll("input:not([disabled]), select:not([disabled])"), function (el) {
      if (el.type === "checkbox") { out[el.name] = el.checked; }
      else if (el.multiple) {
        var chosen = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
        out[el.name] = chosen.length ? chosen : null;
      } else { out[el.name] = el.value === "" ? null : el.value; }
    });
    return out;
  }
  // The many features are drawn on a canvas; the one being edited moves to an SVG copy, which
  // Geoman can drag, rotate and reshape.
  var svg = L.svg({ padding: 0.5 });
  var SELECTED = { weight: 3, color: "#0d47a1", fillColor: "#90caf9", fillOpacity: 0.5 };
  function deselect() {
    if (selected) {
      var l = selected.layer;
      if (l.pm && l.pm.enabled) { if (l.pm.rotateEnabled && l.pm.rotateEnabled()) { l.pm.disableRotate(); } l.pm.disable(); }
      map.removeLayer(l);
      if (selected.canvasLayer && !index[selected.layerName][selected.canvasLayer.feature.id]) {
        // a removed feature stays removed
      } else if (selected.canvasLayer) { groups[selected.layerName].addLayer(selected.canvasLayer); }
    }
    selected = null;
    moved = null;
    formBox.hidden = true;
  }
  function select(name, layer) {
    deselect();
    var feature = layer.feature, edit;
    if (feature.geometry.type === "Point") {
      edit = L.marker(layer.getLatLng());
    } else {
      edit = L.geoJSON(feature, { style: function () { return SELECTED; }, renderer: svg }).getLayers()[0];
    }
    edit.feature = feature;
    groups[name].removeLayer(layer);
    edit.addTo(map);
    selected = { layerName: name, layer: edit, canvasLayer: layer, isNew: false };
    showForm(name, feature.properties, false);
    if (cfg.eventClosed && name === "booths") { return; }
    ensureGeoman().then(function () {
      if (!selected || selected.layer !== edit) { return; }
      if (!edit.pm) { L.PM.reInitLayer(edit); }
      enableEditing(name, edit);
    });
  }
  function gestureStart() { gesturing = true; }
  function gestureEnd() { gesturing = false; lastEditGesture = Date.now(); }
  function enableEditing(name, edit) {
    // snapping while editing too: vertices and dragged shapes stick to nearby layers' vertices
    edit.pm.enable({ draggable: true, allowSelfIntersection: false, snappable: true, snapDistance: 15 });
    if (edit.pm.enableLayerDrag) { edit.pm.enableLayerDrag(); }
    edit.off("pm:dragstart pm:rotatestart pm:markerdragstart", gestureStart);
    edit.off("pm:dragend pm:rotateend pm:markerdragend", gestureEnd);
    edit.on("pm:dragstart pm:rotatestart pm:markerdragstart", gestureStart);
    edit.on("pm:dragend pm:rotateend pm:markerdragend", gestureEnd);
    if (name === "booths" && edit.pm.enableRotate) { edit.pm.enableRotate(); }
  }
  function disableEditing(edit) {
    if (!edit.pm || !edit.pm.enabled || !edit.pm.enabled()) { return false; }
    if (edit.pm.rotateEnabled && edit.pm.rotateEnabled()) { edit.pm.disableRotate(); }
    edit.pm.disable();
    return true;
  }

  // ---- the keyboard: the feature list, arrow keys on the map, Enter saves, Escape leaves ----
  // A feature chosen in the list (or a conflict) is selected as a click would, the map shows it
  // and takes the focus; there the arrow keys move it by cfg.keyStep metres (Shift: the big
  // step), Enter saves through the form's own save (its answer is announced in #ws-status) and
  // Escape leaves the feature where it was saved and gives the focus back.
  var M_PER_DEGREE = 6378137 * Math.PI / 180;   // Leaflet's earth radius
  var STEP = cfg.keyStep || { small: 0.25, big: 1 };
  var moved = null;          // metres east and north since the feature was chosen, unsaved
  var keyReturn = null;      // where the focus goes back to on Escape
  var keySave = false;       // the save under way came from Enter on the map
  var mapBox = map.getContainer();
  function fill(text, values) { return String(text).replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : values[k]; }); }
  function metres(v) { return Math.abs(v).toLocaleString(cfg.lang === "en" ? "en" : "id", { maximumFractionDigits: 2 }); }
  function nameOf(name, p) { return name === "booths" ? (p.code || t("ui", name)) : (p.name || t(name, p.kind)); }
  function boundsOf(layer) { return layer.getLatLng ? L.latLngBounds([layer.getLatLng(), layer.getLatLng()]) : layer.getBounds(); }
  function focusFeature(name, layer, back) {
    select(name, layer);
    map.fitBounds(boundsOf(layer), { maxZoom: name === "zones" ? 18 : Math.min(21, map.getMaxZoom()), padding: [40, 40], animate: false });
    keyReturn = back || null;
    moved = { east: 0, north: 0 };
    mapBox.focus({ preventScroll: true });
    mapBox.scrollIntoView({ block: "nearest" });   // on a phone the map is below the panel
    say(fill(t("ui", "chosen"), { name: nameOf(name, layer.feature.properties) }));
  }
  function shifted(latlngs, dLat, dLng) {
    return latlngs.map(function (x) { return Array.isArray(x) ? shifted(x, dLat, dLng) : L.latLng(x.lat + dLat, x.lng + dLng); });
  }
  function nudge(east, north) {
    if (cfg.eventClosed && selected.layerName === "booths") { say(t("ui", "read_only")); return; }
    var l = selected.layer, at = boundsOf(l).getCenter();
    var dLat = north / M_PER_DEGREE, dLng = east / (M_PER_DEGREE * Math.cos(at.lat * Math.PI / 180));
    var editing = disableEditing(l);   // Geoman's handles are where the shape was: made again
    if (l.getLatLng) { l.setLatLng([at.lat + dLat, at.lng + dLng]); } else { l.setLatLngs(shifted(l.getLatLngs(), dLat, dLng)); }
    if (editing) { enableEditing(selected.layerName, l); }
    moved = moved || { east: 0, north: 0 };
    moved.east += east; moved.north += north;
    var parts = [];
    if (Math.abs(moved.east) > 1e-6) { parts.push(fill(t("ui", "offset"), { m: metres(moved.east), dir: t("ui", moved.east > 0 ? "east" : "west") })); }
    if (Math.abs(moved.north) > 1e-6) { parts.push(fill(t("ui", "offset"), { m: metres(moved.north), dir: t("ui", moved.north > 0 ? "north" : "south") })); }
    say(parts.length ? fill(t("ui", "moved_by"), { offset: parts.join(" " + t("ui", "and") + " ") }) : t("ui", "back_in_place"));
  }
  var ARROWS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  // capture: before Leaflet's own keyboard handler, which pans the map with the arrows
  document.addEventListener("keydown", function (ev) {
    if (!selected || ev.target !== mapBox || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var dir = ARROWS[ev.key];
    if (dir) {
      ev.preventDefault(); ev.stopPropagation();
      var step = ev.shiftKey ? STEP.big : STEP.small;
      nudge(dir[0] * step, dir[1] * step);
    } else if (ev.key === "Enter") {
      ev.preventDefault(); ev.stopPropagation();
      keySave = true;
      if (form.requestSubmit) { form.requestSubmit(); } else { save(new Event("submit")); }
      keySave = false;   // a form the browser found incomplete was not sent
    }
  }, true);
  function giveFocusBack() {
    var back = keyReturn;
    keyReturn = null;
    if (back && !document.body.contains(back) && back.getAttribute("data-code")) {   // the list was redrawn
      back = document.querySelector('#ws-conflicts button[data-code="' + CSS.escape(back.getAttribute("data-code")) + '"]');
    }
    if (!back || !document.body.contains(back)) { back = document.getElementById("ws-features-list"); }
    if (back) { back.focus(); }
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || !selected || selected.isNew) { return; }   // a drawn shape leaves by "Batal"
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    var onMap = mapBox.contains(document.activeElement);
    deselect();
    say(t("ui", "deselected"));
    if (onMap && keyReturn) { giveFocusBack(); }
  });
  // the list beside the map: the loaded features of one layer, by code or name
  var featureBox = document.getElementById("ws-features");
  var featureLayer = document.getElementById("ws-features-layer");
  var featureList = null, listTimer = null;
  function scheduleList() {
    if (!featureList || listTimer) { return; }
    listTimer = setTimeout(function () { listTimer = null; featureList.refresh(); }, 150);
  }
  if (featureBox && window.PetaLapakFeatureList) {
    featureList = window.PetaLapakFeatureList(featureBox, {
      items: function () {
        var name = featureLayer.value, out = [];
        Object.keys(index[name] || {}).forEach(function (id) {
          var p = index[name][id].feature.properties;
          var detail = name === "booths" ? [t("booths", p.state || p.kind), p.label].filter(Boolean).join(" · ")
            : [t(name, p.kind), p.hours].filter(Boolean).join(" · ");
          out.push({ key: name + ":" + id, name: name, id: id, label: String(nameOf(name, p)), detail: detail });
        });
        return out;
      },
      choose: function (item) {
        var layer = index[item.name][item.id];
        if (layer) { focusFeature(item.name, layer, featureList.listbox); }
      },
    });
    featureLayer.addEventListener("change", function () { featureList.refresh(); });
  }
  // a conflict: its booth, found among those loaded or fetched, chosen as from the list
  function focusBooth(code, back) {
    function loaded() {
      var ids = Object.keys(index.booths);
      for (var i = 0; i < ids.length; i++) { if (index.booths[ids[i]].feature.properties.code === code) { return index.booths[ids[i]]; } }
      return null;
    }
    function bring(l) { focusFeature("booths", l, back); highlight(l.getBounds(), code); return l; }
    var found = loaded();
    if (found) { return Promise.resolve(bring(found)); }
    return fetch(layerUrl("booths"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
      var f = fc.features.filter(function (x) { return x.properties.code === code; })[0];
      if (!f) { say(fill(t("ui", "not_loaded"), { code: code })); return null; }
      map.fitBounds(L.geoJSON(f).getBounds(), { maxZoom: 20, animate: false });
      return loadBoothsInView().then(function () {
        var l = loaded();
        if (l) { return bring(l); }
        say(fill(t("ui", "not_loaded"), { code: code }));
        return null;
      });
    });
  }

  // 9 decimals (0.1 mm), as the exports write: Leaflet rounds to 6 (11 cm) unless told, which
  // would move a booth nudged by a quarter metre by up to a tenth of that
  function geometryOf(layer) { return layer.toGeoJSON(9).geometry; }
  function showConflicts(list) {
    var ol = document.getElementById("ws-conflicts");
    var count = document.getElementById("ws-conflict-count");
    if (!ol) { return; }
    ol.innerHTML = "";
    list.forEach(function (c) {
      var li = document.createElement("li");
      li.className = c.severity;
      var button = document.createElement("button");   // reached with Tab, pressed with Enter
      button.type = "button";
      button.className = "link";
      button.setAttribute("data-code", c.booth_code);
      button.textContent = c.message;
      button.addEventListener("click", function () { focusBooth(c.booth_code, button); });
      li.appendChild(button);
      ol.appendChild(li);
    });
    count.textContent = String(list.length);
    count.classList.toggle("zero", list.length === 0);
  }
  // A highlight that lasts: a conflict's booth stays outlined, with its code, until another is
  // brought up or Esc.
  var highlightLayer = null;
  function clearHighlight() { if (highlightLayer) { map.removeLayer(highlightLayer); highlightLayer = null; } }
  function highlight(bounds, code) {
    clearHighlight();
    highlightLayer = L.rectangle(bounds.pad(0.6), { color: "#ff6f00", weight: 4, fill: false, dashArray: "8 4", interactive: false }).addTo(map);
    highlightLayer.bindTooltip(esc(code), { permanent: true, direction: "top" });
    document.documentElement.dataset.highlight = code;
  }
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { clearHighlight(); stopMeasure(); } });
  function refreshConflicts() {
    if (!cfg.event) { return Promise.resolve(); }
    return fetch(cfg.api.replace(/\/layers$/, "") + "/events/" + encodeURIComponent(cfg.event) + "/conflicts", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { showConflicts(data.conflicts); applyStates(data.conflicts); });
  }
  function applyStates(conflicts) {
    var worst = {};
    conflicts.forEach(function (c) { if (worst[c.booth_code] !== "blocking") { worst[c.booth_code] = c.severity; } });
    worstByCode = worst;
    if (boothTiles && map.hasLayer(boothTiles)) { boothTiles.redraw(); }
    Object.keys(index.booths).forEach(function (id) {
      var l = index.booths[id], p = l.feature.properties;
      var state = worst[p.code] || (p.kind === "vendor" ? "ok" : undefined);
      if (p.state !== state) { p.state = state; if (!selected || selected.layer !== l) { l.setStyle(styleOf("booths", p)); } }
    });
    scheduleList();   // the list says each booth's state too
  }

  function save(ev) {
    ev.preventDefault();
    if (!selected) { return; }
    var name = selected.layerName, layer = selected.layer;
    var feature = { type: "Feature", geometry: geometryOf(layer), properties: formProps() };
    busy(t("ui", "saving"));
    var req = selected.isNew
      ? api("POST", layerUrl(name), { feature: feature, event: cfg.event })
      : api("PUT", layerUrl(name).replace("/" + name, "/" + name + "/" + layer.feature.id), { feature: feature, version: layer.feature.properties.version, event: cfg.event });
    var fromKeys = keySave;
    keySave = false;
    req.then(function (res) {
      if (res.status === 200 || res.status === 201) {
        disableEditing(selected.layer);
        map.removeLayer(selected.layer);
        selected = null; moved = null; formBox.hidden = true;
        var saved = putFeature(name, res.data.feature);
        if (res.data.conflicts) {
          var p = saved.feature.properties;
          var blocking = res.data.conflicts.some(function (c) { return c.severity === "blocking"; });
          p.state = res.data.conflicts.length ? (blocking ? "blocking" : "warning") : (p.kind === "vendor" ? "ok" : undefined);
          saved.setStyle(styleOf("booths", p));
          saved.unbindTooltip();
          saved.bindTooltip(popupHtml("booths", p) + (res.data.conflicts.length ? "<br>" + res.data.conflicts.map(function (c) { return esc(c.message); }).join("<br>") : ""), { sticky: true });
          say(res.data.conflicts.length ? res.data.conflicts.map(function (c) { return c.message; }).join(" ") : t("ui", "saved"));
        } else { say(t("ui", "saved")); }
        if (fromKeys && !selected) {   // Enter on the map: the feature stays chosen, for the next move
          select(name, saved);
          moved = { east: 0, north: 0 };
          if (document.activeElement !== mapBox) { mapBox.focus(); }
        }
        refreshConflicts();
        loadHistory();
      } else if (res.status === 409 && res.data.current) {
        formError.textContent = res.data.message;
        deselect();
        putFeature(name, res.data.current);
        say(res.data.message);
      } else {
        var problems = (res.data.problems || []).map(function (p) { return (p.field ? p.field + ": " : "") + inLang(p); });
        formError.textContent = problems.length ? problems.join(" · ") : (res.data.message || ("HTTP " + res.status));
        say("");
      }
    });
  }
  function remove() {
    if (!selected || selected.isNew) { deselect(); return; }
    var name = selected.layerName, layer = selected.layer;
    if (!window.confirm(t("ui", "confirm_delete"))) { return; }
    var url = layerUrl(name).replace("/" + name, "/" + name + "/" + layer.feature.id);
    url += (url.indexOf("?") >= 0 ? "&" : "?") + "version=" + layer.feature.properties.version;
    api("DELETE", url).then(function (res) {
      if (res.status === 200) { map.removeLayer(layer); selected = null; formBox.hidden = true; removeFeature(name, layer.feature.id); say(t("ui", "deleted")); refreshConflicts(); loadHistory(); }
      else if (res.status === 409 && res.data.current) { deselect(); putFeature(name, res.data.current); say(res.data.message); }
      else { formError.textContent = res.data.message || ("HTTP " + res.status); }
    });
  }
  // ---- undo and redo: the city workspace's stack of named steps, kept in the database -----
  var historyList = document.getElementById("ws-history");
  function showHistory(steps) {
    if (!historyList) { return; }
    historyList.innerHTML = "";
    var nextUndo = (steps || []).filter(function (s) { return s.applied; })[0];
    (steps || []).forEach(function (s) {
      var li = document.createElement("li");
      li.className = s.applied ? "done" : "undone";
      if (nextUndo && s.id === nextUndo.id) { li.classList.add("next-undo"); }
      li.textContent = s.label + (s.applied ? "" : " (" + t("ui", "step_undone") + ")");
      historyList.appendChild(li);
    });
    if (!steps || !steps.length) { var li = document.createElement("li"); li.className = "undone"; li.textContent = t("ui", "nothing"); historyList.appendChild(li); }
    document.getElementById("ws-undo").disabled = !nextUndo;
    document.getElementById("ws-redo").disabled = !(steps || []).some(function (s) { return !s.applied; });
  }
  function loadHistory() {
    return fetch(cfg.history, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (d) { showHistory(d.history); });
  }
  var replaying = false;
  function replay(redo) {
    if (replaying) { return; }   // one step at a time: a second Ctrl+Z waits for the first
    replaying = true;
    busy(t("ui", "saving"));
    api("POST", redo ? cfg.redo : cfg.undo).then(function (res) {
      if (res.status !== 200) { replaying = false; say(res.data.message || ("HTTP " + res.status)); loadHistory(); return; }
      deselect();
      loadedBooths = null;
      loadedFacilities = null;
      showHistory(res.data.history);
      var step = redo ? res.data.redone : res.data.step;
      Promise.all([load("zones"), loadFacilities(), loadBoothsInView(true), load("landmarks")]).then(function () {
        replaying = false;
        refreshConflicts();
        say(t("ui", redo ? "redone" : "undone") + " " + (step ? step.label : ""));
      }, function () { replaying = false; });
    }, function () { replaying = false; });
  }
  function undo() { replay(false); }
  function redo() { replay(true); }
  document.addEventListener("keydown", function (ev) {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) { return; }
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (ev.target && ev.target.isContentEditable)) { return; }
    var key = (ev.key || "").toLowerCase();
    if (key === "z" && !ev.shiftKey) { ev.preventDefault(); undo(); }
    else if ((key === "z" && ev.shiftKey) || key === "y") { ev.preventDefault(); redo(); }
  });

  // ---- measuring: click points, read the distance; double-click or the button ends it -----
  var measuring = null;
  var measureButton = document.getElementById("ws-measure");
  function stopMeasure() {
    if (!measuring) { return; }
    map.removeLayer(measuring.line);
    map.off("click", measuring.onClick);
    map.off("dblclick", measuring.onEnd);
    map.doubleClickZoom.enable();
    measuring = null;
    measureButton.setAttribute("aria-pressed", "false");
  }
  function startMeasure() {
    stopMeasure();
    var line = L.polyline([], { color: "#0d47a1", weight: 3, dashArray: "6 4", interactive: false }).addTo(map);
    measuring = { line: line };
    measuring.onClick = function (ev) {
      line.addLatLng(ev.latlng);
      var pts = line.getLatLngs(), total = 0;
      for (var i = 1; i < pts.length; i++) { total += map.distance(pts[i - 1], pts[i]); }
      var text = t("ui", "measure_total") + ": " + total.toLocaleString(cfg.lang === "en" ? "en" : "id", { maximumFractionDigits: 1 }) + " m";
      line.unbindTooltip();
      if (pts.length > 1) { line.bindTooltip(text, { permanent: true, className: "ws-measure-label" }).openTooltip(ev.latlng); }
      say(text);
    };
    measuring.onEnd = function () { var keep = line; map.off("click", measuring.onClick); map.off("dblclick", measuring.onEnd); map.doubleClickZoom.enable(); measuring = { line: keep, onClick: function () {}, onEnd: function () {} }; };
    map.doubleClickZoom.disable();
    map.on("click", measuring.onClick);
    map.on("dblclick", measuring.onEnd);
    measureButton.setAttribute("aria-pressed", "true");
    say(t("ui", "measure_hint"));
  }
  measureButton.addEventListener("click", function () {
    if (measureButton.getAttribute("aria-pressed") === "true") { stopMeasure(); say(""); } else { startMeasure(); }
  });

  // ---- Geoman drawing, loaded on first use (viewing the map does not need its 80 KB) -----
  var geoman = null;
  function ensureGeoman() {
    if (geoman) { return geoman; }
    busy(t("ui", "loading_tools"));
    geoman = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet"; css.href = cfg.geoman.css;
      document.head.appendChild(css);
      var js = document.createElement("script");
      js.src = cfg.geoman.js;
      js.onload = function () {
        if (!map.pm) { map.pm = new L.PM.Map(map); }   // the map was made before Geoman loaded
        // Geoman's texts from the app's catalogue (English for any key not given)
        if (map.pm.setLang && cfg.geomanLang) { map.pm.setLang("petalapak", cfg.geomanLang, "en"); }
        map.pm.setGlobalOptions({ allowSelfIntersection: false, snappable: true, snapDistance: 15 });
        map.pm.addControls({
          position: "topleft", drawCircle: false, drawCircleMarker: false, drawText: false, drawPolyline: false,
          drawRectangle: true, cutPolygon: false, editMode: false, dragMode: false, removalMode: false, rotateMode: false,
        });
        nameDrawingTools();
        map.on("pm:create", onCreate);
        document.documentElement.dataset.editTools = "1";
        if (statusEl.textContent === t("ui", "loading_tools")) { say(""); }
        resolve();
      };
      js.onerror = reject;
      document.head.appendChild(js);
    });
    return geoman;
  }
  // Geoman's buttons are links holding an icon, their title on the box around them: each button
  // is named by that (translated) title, and Space presses it as Enter does.
  function nameDrawingTools() {
    var boxes = mapBox.querySelectorAll(".leaflet-pm-toolbar .button-container");
    Array.prototype.forEach.call(boxes, function (box) {
      var button = box.querySelector(".leaflet-buttons-control-button"), title = box.getAttribute("title");
      if (!button || !title) { return; }
      button.setAttribute("aria-label", title);
      button.setAttribute("title", title);
      button.addEventListener("keydown", function (ev) {
        if (ev.key === " ") { ev.preventDefault(); button.click(); }
      });
    });
  }
  document.getElementById("ws-edit-tools").addEventListener("click", function () { ensureGeoman(); });
  function onCreate(e) {
    deselect();
    var name = document.getElementById("ws-new-layer").value;
    if (e.shape === "Marker" && name !== "landmarks") { name = "facilities"; }
    if (name === "landmarks" && e.shape !== "Marker") { name = "zones"; }
    if (name === "facilities" && e.shape !== "Marker" && e.shape !== "Polygon" && e.shape !== "Rectangle") { name = "zones"; }
    selected = { layerName: name, layer: e.layer, isNew: true };
    showForm(name, {}, true);
  }
  map.on("click", function () {
    if (selected && !selected.isNew && !gestureJustEnded()) { deselect(); }
  });

  form.addEventListener("submit", save);
  document.getElementById("ws-cancel").addEventListener("click", deselect);
  document.getElementById("ws-delete").addEventListener("click", remove);
  document.getElementById("ws-undo").addEventListener("click", undo);
  document.getElementById("ws-redo").addEventListener("click", redo);

  // ---- layer import: check (preview on the map), then import -----------------------------
  var importForm = document.getElementById("ws-import");
  var importReport = document.getElementById("ws-import-report");
  var importCommit = document.getElementById("ws-import-commit");
  var preview = L.featureGroup().addTo(map);
  function sendImport(dryRun) {
    var data = new FormData(importForm);
    var layerName = data.get("layer");
    var q = ["dry_run=" + (dryRun ? 1 : 0)];
    if (data.get("repair")) { q.push("repair=1"); }
    if (data.get("simplify")) { q.push("simplify=1"); }
    if (cfg.event) { q.push("event=" + encodeURIComponent(cfg.event)); }
    data.delete("layer"); data.delete("repair"); data.delete("simplify");
    busy(t("ui", dryRun ? "checking" : "saving"));
    return fetch(cfg.importUrl.replace("LAYER", layerName) + "?" + q.join("&"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": cfg.csrf, Accept: "application/json" },
    }).then(function (r) { return r.json().then(function (d) { return { status: r.status, data: d, layer: layerName }; }); });
  }
  // A report line in the page's language (the API sends both).
  function inLang(p) { return (cfg.lang === "en" && p.message_en) ? p.message_en : p.message_id; }
  function showReport(res) {
    importReport.innerHTML = "";
    var d = res.data;
    var lines = [];
    if (d.source && d.source.notes) { d.source.notes.forEach(function (n) { lines.push(["", inLang(n) || n[0] || n]); }); }
    (d.repaired || []).concat(d.simplified || []).forEach(function (p) { lines.push(["warning", "#" + (p.index + 1) + ": " + inLang(p)]); });
    (d.problems || []).forEach(function (p) { lines.push(["blocking", (p.index >= 0 ? "#" + (p.index + 1) + " " : "") + (p.field ? "[" + p.field + "] " : "") + inLang(p)]); });
    if (d.message && !d.problems) { lines.push(["blocking", d.message]); }
    lines.forEach(function (l) { var li = document.createElement("li"); li.className = l[0]; li.textContent = l[1]; importReport.appendChild(li); });
    return d;
  }
  importForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    preview.clearLayers();
    importCommit.disabled = true;
    sendImport(true).then(function (res) {
      var d = showReport(res);
      say((d.total || 0) + " " + t("ui", "features_checked") + (d.ok ? "" : " — " + t("ui", "import_refused")));
      if (d.preview) { L.geoJSON(d.preview, { style: { color: "#0d47a1", weight: 3, dashArray: "4 4", fillOpacity: 0.1 }, pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 6, color: "#0d47a1" }); } }).addTo(preview); }
      if (preview.getLayers().length) { map.fitBounds(preview.getBounds(), { maxZoom: 19 }); }
      importCommit.disabled = !d.ok;
    });
  });
  importCommit.addEventListener("click", function () {
    importCommit.disabled = true;
    sendImport(false).then(function (res) {
      var d = showReport(res);
      preview.clearLayers();
      if (d.written) {
        loadedBooths = null;
        Promise.all([load("zones"), loadFacilities(true), loadBoothsInView(), load("landmarks")]).then(refreshConflicts)
          .then(function () { say(d.created + " " + t("ui", "imported")); });
      } else { say(t("ui", "import_refused")); }
    });
  });

  // ---- start -------------------------------------------------------------------------------
  busy(t("ui", "loading"));
  if (cfg.bounds) { map.fitBounds(cfg.bounds, { animate: false }); }
  // zones, facilities and booths are fetched at once; the view is the event's corridors
  var opening = Promise.all([load("zones"), loadFacilities(), loadBoothsInView(true), load("landmarks")]);
  opening.catch(function () { renderer.flush(); });
  opening.then(function () {
    renderer.flush();
    if (!cfg.bounds) {
      var zb = groups.zones.getBounds();
      if (zb.isValid()) { map.fitBounds(zb, { animate: false }); }
    }
    map.on("moveend", loadBoothsInView);
    if (cfg.facilitiesByView) { map.on("moveend", loadFacilities); }
    var focus = new URLSearchParams(window.location.search).get("focus");
    if (focus) { focusBooth(focus, null); }   // from a conflict on the event page
    loadHistory();
    return refreshConflicts();
  });

  // Facility symbols only from street level: at city scale they hide the zones under them.
  function facilitiesByZoom() {
    if (map.getZoom() >= 16) { if (!map.hasLayer(groups.facilities)) { map.addLayer(groups.facilities); } }
    else if (map.hasLayer(groups.facilities)) { map.removeLayer(groups.facilities); }
  }
  map.on("zoomend", facilitiesByZoom);
  facilitiesByZoom();

  window.petalapakWorkspace = { map: map, groups: groups, index: index, select: select, reload: loadBoothsInView };
})();
