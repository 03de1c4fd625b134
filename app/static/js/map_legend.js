/* PetaLapak: the map's one control for layers and legend (see app/views/map_legend.py).
 *
 * PetaLapakLegend.add(map, cfg) puts a Leaflet control on the map: a <button> that opens and
 * closes it (closed at first on phones, cfg.phoneMaxWidth), and per group a checkbox that shows
 * or hides the group's layer, with a row per kind. A page's script reports what each group
 * holds with control.track(name, layer, kindOf) or control.track(name, null, kindsIn); the
 * control then lists only the groups and kinds present in the view. Labels arrive escaped.
 */
(function () {
  "use strict";
  var seq = 0;

  function inView(layer, bounds) {
    if (layer.getLatLng) { return bounds.contains(layer.getLatLng()); }
    if (layer.getBounds) { var b = layer.getBounds(); return b.isValid() && bounds.intersects(b); }
    return false;
  }

  function add(map, cfg) {
    var id = "pl-legend-" + (++seq);
    var trackers = {};
    var rows = {};
    var groupsEl = {};
    var Control = L.Control.extend({
      options: { position: cfg.position || "topright" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "pl-legend leaflet-control");
        var button = L.DomUtil.create("button", "pl-legend-toggle", div);
        button.type = "button";
        button.setAttribute("aria-controls", id);
        button.innerHTML = '<span class="pl-legend-icon" aria-hidden="true">&#9776;</span> ' + cfg.toggle;
        var body = L.DomUtil.create("div", "pl-legend-body", div);
        body.id = id;
        body.tabIndex = 0;  // it scrolls when long: keyboard users reach it (WCAG 2.1.1)
        body.setAttribute("role", "group");
        body.setAttribute("aria-label", cfg.title || cfg.toggle);
        if (cfg.title && cfg.title !== cfg.toggle) {
          L.DomUtil.create("div", "pl-title", body).innerHTML = cfg.title;
        }
        cfg.groups.forEach(function (group) {
          var box = L.DomUtil.create("div", "pl-group", body);
          groupsEl[group.name] = box;
          if (group.title) {
            var head = L.DomUtil.create("div", "pl-group-title", box);
            head.innerHTML = "<span>" + group.title + "</span>";
          }
          rows[group.name] = group.entries.map(function (entry) {
            var row = L.DomUtil.create("div", "pl-row", box);
            row.innerHTML = entry.html;
            return { kind: entry.kind, el: row };
          });
        });
        button.addEventListener("click", function () { control.setOpen(!control.isOpen()); });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        this._button = button;
        this._body = body;
        return div;
      },
      isOpen: function () { return this._button.getAttribute("aria-expanded") === "true"; },
      setOpen: function (open) {
        this._button.setAttribute("aria-expanded", open ? "true" : "false");
        this._body.hidden = !open;
        L.DomUtil[open ? "addClass" : "removeClass"](this._container, "pl-legend-open");
      },
      open: function () { this.setOpen(true); },
      close: function () { this.setOpen(false); },
      // name: a group of cfg.groups; layer: its Leaflet layer (a checkbox shows or hides it) or
      // null; kindOf(featureLayer) gives a feature's kind, or kindsIn(bounds) the kinds in view
      track: function (name, layer, kindOf) {
        trackers[name] = { layer: layer, kindOf: kindOf };
        var box = groupsEl[name];
        if (box && layer && !box.querySelector("input")) {
          var head = box.querySelector(".pl-group-title");
          var label = document.createElement("label");
          var check = document.createElement("input");
          check.type = "checkbox";
          check.checked = map.hasLayer(layer);
          check.addEventListener("change", function () {
            if (check.checked) { map.addLayer(trackers[name].layer); }
            else { map.removeLayer(trackers[name].layer); }
          });
          label.appendChild(check);
          label.appendChild(head.firstChild);
          head.appendChild(label);
        }
        this.update();
      },
      update: function () {
        if (!this._map) { return; }
        var bounds = map.getBounds();
        cfg.groups.forEach(function (group) {
          var t = trackers[group.name];
          var present = null;   // null: untracked, list everything
          if (t) {
            present = {};
            if (!t.layer) {
              (t.kindOf(bounds) || []).forEach(function (k) { present[k] = true; });
            } else if (map.hasLayer(t.layer)) {
              t.layer.eachLayer(function (l) { if (inView(l, bounds)) { present[t.kindOf(l)] = true; } });
            } else {
              present = t.seen || {};   // hidden by its checkbox: keep its rows as they were
            }
            t.seen = present;
          }
          var any = false;
          rows[group.name].forEach(function (row) {
            var show = present === null || row.kind === null || !!present[row.kind];
            row.el.hidden = !show;
            any = any || show;
          });
          groupsEl[group.name].hidden = !any;
        });
      },
    });
    var control = new Control();
    control.addTo(map);
    var phone = window.matchMedia && window.matchMedia("(max-width: " + cfg.phoneMaxWidth + "px)").matches;
    control.setOpen(phone ? !!cfg.openOnPhone : true);
    var pending = null;
    map.on("moveend", function () {
      if (pending) { clearTimeout(pending); }
      pending = setTimeout(function () { pending = null; control.update(); }, 60);
    });
    map.petaLapakLegend = control;
    return control;
  }

  window.PetaLapakLegend = { add: add };
})();
