/* Lapor PKL: the location from GPS or a tap on the map, then the report is sent with its photo
   and the page shows the rules' answer for the spot. Every text from the server is set with
   textContent. Without this script the form posts normally and opens the report's page. */
(function () {
  "use strict";
  var form = document.getElementById("lapor-form");
  if (!form || !window.L || !window.fetch) { return; }
  var msg = document.getElementById("lapor-msg");
  var where = document.getElementById("lapor-where");
  var lon = document.getElementById("lapor-lon");
  var lat = document.getElementById("lapor-lat");
  var button = document.getElementById("lapor-submit");
  var mapEl = document.getElementById("lapor-map");
  // zone styles from app/styles.py (outline, fill, pattern), as on every other map
  var ZONE_STYLES = JSON.parse(form.getAttribute("data-zone-styles") || "{}");

  function show(text) { msg.textContent = text || ""; msg.hidden = !text; }

  var b = JSON.parse(mapEl.getAttribute("data-bounds"));
  var map = L.map(mapEl, {preferCanvas: true, tap: true});
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  if (window.plAddBasemap) { window.plAddBasemap(map, JSON.parse(mapEl.getAttribute("data-basemap") || "null")); }
  var tiles = form.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, {maxZoom: 20, attribution: form.getAttribute("data-tiles-attribution")}).addTo(map);
  }
  var marker = null;

  function setSpot(latlng, text) {
    lon.value = latlng.lng.toFixed(7);
    lat.value = latlng.lat.toFixed(7);
    if (marker) { marker.setLatLng(latlng); } else {
      marker = L.circleMarker(latlng, {radius: 9, color: "#0d47a1", weight: 3, fillOpacity: 0.6}).addTo(map);
    }
    where.textContent = text;
  }

  function load(url, style) {
    var bb = map.getBounds();
    var bbox = [bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth()].join(",");
    return fetch(url + "?bbox=" + bbox, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fc) { if (fc) { L.geoJSON(fc, style).addTo(map); } })
      .catch(function () { /* the map still takes taps without its layers */ });
  }

  var base = L.layerGroup().addTo(map);
  function loadBase() {
    base.clearLayers();
    load(form.getAttribute("data-zones"), {
      style: function (f) {
        var s = ZONE_STYLES[f.properties.kind] || {color: "#616161", fillColor: "#9e9e9e"};
        return L.extend({}, s, {weight: 1.5, interactive: false});
      }
    });
    load(form.getAttribute("data-facilities"), {
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, {radius: 3, color: "#37474f", weight: 1, interactive: false});
      },
      style: function () { return {color: "#37474f", weight: 1, interactive: false}; }
    });
  }
  map.whenReady(loadBase);
  map.on("moveend", function () { if (map.getZoom() >= 15) { loadBase(); } });

  map.on("click", function (ev) { setSpot(ev.latlng, form.getAttribute("data-tap-ok")); });

  document.getElementById("lapor-gps").addEventListener("click", function () {
    if (!navigator.geolocation) { show(form.getAttribute("data-gps-error")); return; }
    where.textContent = form.getAttribute("data-gps-wait");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
      var acc = Math.round(pos.coords.accuracy || 0);
      setSpot(ll, form.getAttribute("data-gps-ok").replace("{m}", acc));
      map.setView(ll, 18);
      show("");
    }, function () { show(form.getAttribute("data-gps-error")); },
    {enableHighAccuracy: true, timeout: 15000, maximumAge: 10000});
  });

  function item(list, text) {
    var li = document.createElement("li");
    li.textContent = text;
    list.appendChild(li);
  }

  function answer(body) {
    var check = body.check;
    var zone = document.getElementById("lapor-zone");
    zone.textContent = check.zone.message;
    zone.className = "zone-verdict zone-" + (check.zone.colour || "none");
    var list = document.getElementById("lapor-clearances");
    list.textContent = "";
    check.clearances.forEach(function (c) { item(list, c.message); });
    document.getElementById("lapor-no-clearance").hidden = check.clearances.length > 0;
    var green = document.getElementById("lapor-green");
    green.textContent = check.nearest_green ? check.nearest_green.message : "";
    document.getElementById("lapor-no-green").hidden = !!check.nearest_green;
    document.getElementById("lapor-link").href = body.url;
    form.hidden = true;
    var result = document.getElementById("lapor-result");
    result.hidden = false;
    result.scrollIntoView();
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!lon.value || !lat.value) { show(form.getAttribute("data-no-spot")); return; }
    button.disabled = true;
    show("");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Accept": "application/json",
                "X-CSRFToken": form.querySelector("input[name=csrf_token]").value},
      body: new FormData(form)
    }).then(function (resp) {
      return resp.json().then(function (body) { return {ok: resp.ok, body: body}; });
    }).then(function (r) {
      button.disabled = false;
      if (r.ok) { answer(r.body); } else { show(r.body.message || form.getAttribute("data-failed")); }
    }).catch(function () {
      button.disabled = false;
      show(form.getAttribute("data-failed"));
    });
  });
}());
