// The event form's corridor picker: the city's corridor and PKL zones on the map; a click on a
// zone ticks or unticks its box in the list below (the boxes are what the form sends).
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("event-form-config").textContent);
  var map = window[cfg.map];
  if (!map) { return; }
  var boxes = {};
  Array.prototype.forEach.call(document.querySelectorAll("input[name=corridor]"), function (b) {
    boxes[b.value] = b;
  });
  function style(feature) {
    var base = cfg.styles[feature.properties.kind] || {};
    var on = boxes[feature.properties.id] && boxes[feature.properties.id].checked;
    return {
      color: on ? "#0d47a1" : (base.color || "#555"),
      weight: on ? 4 : 1,
      fillColor: base.fillColor || "#888",
      fillOpacity: on ? 0.55 : 0.15,
      dashArray: on ? null : "4 4"
    };
  }
  var layer = L.geoJSON(cfg.zones, {
    style: style,
    onEachFeature: function (feature, lyr) {
      lyr.bindTooltip(String(feature.properties.name), {sticky: true});
      lyr.on("click", function () {
        var box = boxes[feature.properties.id];
        if (!box) { return; }
        box.checked = !box.checked;
        layer.setStyle(style);
      });
    }
  }).addTo(map);
  Object.keys(boxes).forEach(function (id) {
    boxes[id].addEventListener("change", function () { layer.setStyle(style); });
  });
  var chosen = L.featureGroup();
  layer.eachLayer(function (l) { if (boxes[l.feature.properties.id] && boxes[l.feature.properties.id].checked) { chosen.addLayer(l); } });
  var bounds = chosen.getLayers().length ? chosen.getBounds() : layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, {padding: [20, 20]}); }
  window.petalapakCorridorLayer = layer;
})();
