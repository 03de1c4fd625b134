/* Staff map search: one box finds a booth code, a vendor, a street or a landmark
 * (/api/search/<city>), zooms to the chosen result and keeps it highlighted until the next
 * action (a click on the map, a new search, Escape).
 *
 * The box is an ARIA 1.2 combobox: type, then arrow keys through the list, Enter to choose,
 * Escape to close the list (and a second Escape to clear the highlight). Results are data: every
 * text is set with textContent, never as markup.
 *
 * Markup: <form data-staff-search data-api="…" data-event="…" data-map="<folium map name>"
 *         data-texts='{"booth": "…", …, "none": "…", "count": "… {n} …"}'> with an input
 *         [role=combobox], a ul[role=listbox] and a [role=status].
 */
(function () {
  "use strict";
  var DELAY_MS = 200;

  function setup(form) {
    var input = form.querySelector("[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    var texts = JSON.parse(form.getAttribute("data-texts") || "{}");
    var map = null, highlight = null, results = [], active = -1, timer = null, pending = null, seq = 0;

    function theMap() {
      if (!map) { map = window[form.getAttribute("data-map")] || null; if (map) { map.on("click", clear); } }
      return map;
    }
    function say(text) { status.textContent = text || ""; }
    function clear() {
      if (highlight && map) { map.removeLayer(highlight); }
      highlight = null;
      delete document.documentElement.dataset.searchHighlight;
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function mark(i) {
      var items = list.children;
      for (var k = 0; k < items.length; k++) { items[k].setAttribute("aria-selected", k === i ? "true" : "false"); }
      active = i;
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function show(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "staff-search-hit kind-" + hit.kind;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = texts[hit.kind] || hit.kind;
        var label = document.createElement("span");
        label.className = "label";
        label.textContent = hit.label;
        li.appendChild(kind);
        li.appendChild(label);
        if (hit.detail) {
          var detail = document.createElement("span");
          detail.className = "detail";
          detail.textContent = hit.detail;
          li.appendChild(detail);
        }
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });  // keep focus
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      var open = found.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      mark(-1);
      say(open ? (texts.count || "{n}").replace("{n}", String(found.length)) : texts.none || "");
    }
    function choose(i) {
      var hit = results[i], m = theMap();
      if (!hit || !m) { return; }
      clear();
      var style = { color: "#d84315", weight: 5, opacity: 1, fill: false, dashArray: "6 4", interactive: false };
      var shape = L.geoJSON(hit.geometry, {
        style: function () { return style; },
        pointToLayer: function (_f, latlng) {
          return L.circleMarker(latlng, { radius: 14, color: "#d84315", weight: 4, fill: false, interactive: false });
        }
      });
      var b = L.latLngBounds(hit.bounds);
      var ring = L.rectangle(b.pad(hit.kind === "street" ? 0.05 : 0.8),
        { color: "#d84315", weight: 2, fill: false, dashArray: "2 6", interactive: false });
      highlight = L.layerGroup([shape, ring]).addTo(m);
      var tip = document.createElement("span");  // an element: Leaflet would parse a string as HTML
      tip.textContent = hit.label;
      ring.bindTooltip(tip, { permanent: true, direction: "top" });
      var maxZoom = hit.kind === "booth" || hit.kind === "vendor" ? 20 : 18;
      m.fitBounds(b, { maxZoom: maxZoom, padding: [24, 24] });
      document.documentElement.dataset.searchHighlight = hit.kind + ":" + hit.label;
      input.value = hit.label;
      close();
      say((texts.shown || "{label}").replace("{label}", hit.label));
    }
    function run() {
      var q = input.value.trim();
      if (pending) { pending.abort(); pending = null; }
      if (q.length < 2) { show([]); say(""); return; }
      var url = form.getAttribute("data-api") + "?q=" + encodeURIComponent(q);
      var ev = form.getAttribute("data-event");
      if (ev) { url += "&event=" + encodeURIComponent(ev); }
      var mine = ++seq;
      pending = typeof AbortController === "function" ? new AbortController() : null;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending ? pending.signal : undefined })
        .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
        .then(function (res) {
          if (mine !== seq) { return; }
          if (!res.ok) { show([]); say(res.data.message || ""); return; }
          show(res.data.results || []);
        })
        .catch(function () { /* aborted or offline: the next keystroke tries again */ });
    }
    input.addEventListener("input", function () {
      clear();
      clearTimeout(timer);
      timer = setTimeout(run, DELAY_MS);
    });
    input.addEventListener("keydown", function (ev) {
      var n = results.length;
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        if (list.hidden && n) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (n) { mark((active + 1) % n); }
      } else if (ev.key === "ArrowUp") {
        ev.preventDefault();
        if (n) { mark(active <= 0 ? n - 1 : active - 1); }
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        if (!list.hidden && n) { choose(active >= 0 ? active : 0); }
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
        if (!list.hidden) { close(); } else { clear(); say(""); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  }

  var forms = document.querySelectorAll("form[data-staff-search]");
  for (var i = 0; i < forms.length; i++) { setup(forms[i]); }
})();
