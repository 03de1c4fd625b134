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
  var renderer = L.canvas({ padding: 0.5, tolerance: 3 });
  var LAYERS = ["zones", "facilities", "booths"];
  var groups = {}, index = {};
  LAYERS.forEach(function (name) { groups[name] = L.featureGroup().addTo(map); index[name] = {}; });
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
    var s = cfg.styles.facilities[p.kind] || cfg.styles.facilities.other;
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
    if (g.type === "Point") {
      var s = cfg.styles.facilities[p.kind] || cfg.styles.facilities.other;
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
    return layer;
  }
  // One listener per layer group, tooltips bound on first hover.
  LAYERS.forEach(function (name) {
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
    groups[name].addLayer(layer);
    return layer;
  }
  function removeFeature(name, id) {
    var old = index[name][id];
    if (old) { groups[name].removeLayer(old); delete index[name][id]; }
  }
  function load(name, bounds) {
    var extra = bounds === "initial" ? "initial" : (bounds ? "bbox=" + bounds.toBBoxString() : null);
    // the first requests are the page's <link rel=preload> ones, so the browser reuses them
    var url = extra === null && name !== "booths" ? cfg.api + "/" + name : layerUrl(name, extra);
    if (extra === "initial") { url = cfg.preload[cfg.preload.length - 1]; }
    return fetch(url, { credentials: "include" })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        if (name !== "booths" || !bounds || bounds === "initial") { groups[name].clearLayers(); index[name] = {}; }
        var keep = {};
        fc.features.forEach(function (f) { keep[f.id] = true; putFeature(name, f); });
        if (name === "booths" && bounds && bounds !== "initial") {
          Object.keys(index.booths).forEach(function (id) {
            var l = index.booths[id];
            if (!keep[id] && bounds.intersects(l.getBounds())) { removeFeature("booths", id); }
          });
        }
        return fc;
      });
  }
  function loadBoothsInView(first) {
    if (!cfg.event) { return Promise.resolve(); }
    var view = map.getBounds();
    if (loadedBooths && loadedBooths.contains(view)) { return Promise.resolve(); }
    if (first === true && cfg.initialBbox) {   // as preloaded; later moves fetch by bounding box
      var b = cfg.initialBbox;
      return load("booths", "initial").then(function (fc) {
        loadedBooths = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
        say(fc.features.length + " " + t("ui", "booths_loaded"));
        document.documentElement.dataset.boothsPainted = String(fc.features.length);
      });
    }
    var wanted = view.pad(0.6);
    busy(t("ui", "loading"));
    return load("booths", wanted).then(function (fc) {
      loadedBooths = wanted;
      say(fc.features.length + " " + t("ui", "booths_loaded"));
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
  function enableEditing(name, edit) {
    edit.pm.enable({ draggable: true, allowSelfIntersection: false, snappable: false });
    if (edit.pm.enableLayerDrag) { edit.pm.enableLayerDrag(); }
    edit.on("pm:dragstart pm:rotatestart pm:markerdragstart", function () { gesturing = true; });
    edit.on("pm:dragend pm:rotateend pm:markerdragend", function () { gesturing = false; lastEditGesture = Date.now(); });
    if (name === "booths" && edit.pm.enableRotate) { edit.pm.enableRotate(); }
  }

  function geometryOf(layer) { return layer.toGeoJSON().geometry; }
  function showConflicts(list) {
    var ol = document.getElementById("ws-conflicts");
    var count = document.getElementById("ws-conflict-count");
    if (!ol) { return; }
    ol.innerHTML = "";
    list.forEach(function (c) {
      var li = document.createElement("li");
      li.className = c.severity;
      li.textContent = c.message;
      li.addEventListener("click", function () { zoomToBooth(c.booth_code); });
      ol.appendChild(li);
    });
    count.textContent = String(list.length);
    count.classList.toggle("zero", list.length === 0);
  }
  function zoomToBooth(code) {
    var found = null;
    Object.keys(index.booths).forEach(function (id) { if (index.booths[id].feature.properties.code === code) { found = index.booths[id]; } });
    if (found) {
      map.fitBounds(found.getBounds(), { maxZoom: 20 });
      found.setStyle({ weight: 5, color: "#0d47a1" });
      setTimeout(function () { found.setStyle(styleOf("booths", found.feature.properties)); }, 1500);
    } else {
      fetch(layerUrl("booths"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
        var f = fc.features.filter(function (x) { return x.properties.code === code; })[0];
        if (f) { map.fitBounds(L.geoJSON(f).getBounds(), { maxZoom: 20 }); }
      });
    }
  }
  function refreshConflicts() {
    if (!cfg.event) { return Promise.resolve(); }
    return fetch(cfg.api.replace(/\/layers$/, "") + "/events/" + encodeURIComponent(cfg.event) + "/conflicts", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { showConflicts(data.conflicts); applyStates(data.conflicts); });
  }
  function applyStates(conflicts) {
    var worst = {};
    conflicts.forEach(function (c) { if (worst[c.booth_code] !== "blocking") { worst[c.booth_code] = c.severity; } });
    Object.keys(index.booths).forEach(function (id) {
      var l = index.booths[id], p = l.feature.properties;
      var state = worst[p.code] || (p.kind === "vendor" ? "ok" : undefined);
      if (p.state !== state) { p.state = state; if (!selected || selected.layer !== l) { l.setStyle(styleOf("booths", p)); } }
    });
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
    req.then(function (res) {
      if (res.status === 200 || res.status === 201) {
        map.removeLayer(selected.layer);
        selected = null; formBox.hidden = true;
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
        refreshConflicts();
      } else if (res.status === 409 && res.data.current) {
        formError.textContent = res.data.message;
        deselect();
        putFeature(name, res.data.current);
        say(res.data.message);
      } else {
        var problems = (res.data.problems || []).map(function (p) { return (p.field ? p.field + ": " : "") + p.message_id; });
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
      if (res.status === 200) { map.removeLayer(layer); selected = null; formBox.hidden = true; removeFeature(name, layer.feature.id); say(t("ui", "deleted")); refreshConflicts(); }
      else if (res.status === 409 && res.data.current) { deselect(); putFeature(name, res.data.current); say(res.data.message); }
      else { formError.textContent = res.data.message || ("HTTP " + res.status); }
    });
  }
  function undo() {
    busy(t("ui", "saving"));
    api("POST", cfg.undo).then(function (res) {
      if (res.status !== 200) { say(res.data.message || ("HTTP " + res.status)); return; }
      deselect();
      loadedBooths = null;
      Promise.all([load("zones"), load("facilities"), loadBoothsInView(true)]).then(function () { refreshConflicts(); say(t("ui", "undone")); });
    });
  }

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
        map.pm.setGlobalOptions({ allowSelfIntersection: false, snappable: true });
        map.pm.addControls({
          position: "topleft", drawCircle: false, drawCircleMarker: false, drawText: false, drawPolyline: false,
          drawRectangle: true, cutPolygon: false, editMode: false, dragMode: false, removalMode: false, rotateMode: false,
        });
        map.on("pm:create", onCreate);
        document.documentElement.dataset.editTools = "1";
        say("");
        resolve();
      };
      js.onerror = reject;
      document.head.appendChild(js);
    });
    return geoman;
  }
  document.getElementById("ws-edit-tools").addEventListener("click", function () { ensureGeoman(); });
  function onCreate(e) {
    deselect();
    var name = document.getElementById("ws-new-layer").value;
    if (e.shape === "Marker") { name = "facilities"; }
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
    if (cfg.event) { q.push("event=" + encodeURIComponent(cfg.event)); }
    data.delete("layer"); data.delete("repair");
    busy(t("ui", dryRun ? "checking" : "saving"));
    return fetch(cfg.importUrl.replace("LAYER", layerName) + "?" + q.join("&"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": cfg.csrf, Accept: "application/json" },
    }).then(function (r) { return r.json().then(function (d) { return { status: r.status, data: d, layer: layerName }; }); });
  }
  function showReport(res) {
    importReport.innerHTML = "";
    var d = res.data;
    var lines = [];
    if (d.source && d.source.notes) { d.source.notes.forEach(function (n) { lines.push(["", n.message_id || n[0] || n]); }); }
    (d.repaired || []).forEach(function (p) { lines.push(["warning", "#" + p.index + ": " + p.message_id]); });
    (d.problems || []).forEach(function (p) { lines.push(["blocking", (p.index >= 0 ? "#" + p.index + " " : "") + (p.field ? "[" + p.field + "] " : "") + p.message_id]); });
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
        Promise.all([load("zones"), load("facilities"), loadBoothsInView()]).then(refreshConflicts)
          .then(function () { say(d.created + " " + t("ui", "imported")); });
      } else { say(t("ui", "import_refused")); }
    });
  });

  // ---- start -------------------------------------------------------------------------------
  busy(t("ui", "loading"));
  if (cfg.bounds) { map.fitBounds(cfg.bounds, { animate: false }); }
  // zones, facilities and booths are fetched at once; the view is the event's corridors
  Promise.all([load("zones"), load("facilities"), loadBoothsInView(true)]).then(function () {
    if (!cfg.bounds) {
      var zb = groups.zones.getBounds();
      if (zb.isValid()) { map.fitBounds(zb, { animate: false }); }
    }
    map.on("moveend", loadBoothsInView);
    var focus = new URLSearchParams(window.location.search).get("focus");
    if (focus) { zoomToBooth(focus); }
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
