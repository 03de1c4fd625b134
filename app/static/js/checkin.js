/* Crew check-in: filter the list as you type; mark with one tap. The row changes at once
   (optimistic) and then shows the status the server stored; on an error it goes back and says
   why. Without JavaScript the forms post and the page reloads.

   The event map (app/views/checkin_map.py, in a <details> that is closed on phones so the list
   comes first): the search highlights the booths it finds and zooms to them, a tap on a booth
   finds its row, and a mark restyles the booth at once. */
(function () {
  "use strict";
  var list = document.getElementById("checkin-list");
  var search = document.getElementById("checkin-q");
  var msg = document.getElementById("checkin-msg");
  var tokenMeta = document.querySelector("meta[name=csrf-token]");
  if (!list) { return; }
  var labels = {};
  var STATUSES = ["checked_in", "no_show", "assigned", "cancelled"];

  var live = document.getElementById("checkin-live");

  function show(text) { msg.textContent = text || ""; msg.hidden = !text; }

  // Announce a stored change ("AY-0322: Hadir") to screen readers; the row shows it too.
  function announce(row, label) {
    if (!live) { return; }
    var code = row.querySelector(".code");
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = (code ? code.textContent + ": " : "") + (label || "");
    }, 30);
  }

  // ---- the map ----
  var mapBox = document.getElementById("checkin-map-box");
  var HIGHLIGHT = {color: "#000000", weight: 5, opacity: 1, dashArray: null};
  var MAX_HIGHLIGHTED = 30;   // a broad search ("a") lists many rows; the map shows a few
  var highlighted = [];

  function board() {
    var b = window.plCheckin;
    return b && b.map ? b : null;
  }

  function stateStyle(b, layer) {
    return b.styles[layer.feature.properties.state] || b.styles.free;
  }

  function restyle(code, status) {
    var b = board(), layer = b && b.layers[code];
    if (!layer) { return; }
    layer.feature.properties.state = status;
    layer.setStyle(stateStyle(b, layer));
    if (highlighted.indexOf(layer) >= 0) { layer.setStyle(HIGHLIGHT); }
    if (b.legend) { b.legend.update(); }
  }

  function showHighlighted() {
    var b = board();
    if (!b || !highlighted.length || (mapBox && !mapBox.open)) { return; }
    b.map.fitBounds(L.featureGroup(highlighted).getBounds(), {maxZoom: 19, padding: [30, 30]});
    if (highlighted.length === 1) { highlighted[0].openTooltip(); }
  }

  function highlight(codes) {
    var b = board();
    if (!b) { return; }
    highlighted.forEach(function (l) { l.setStyle(stateStyle(b, l)); l.closeTooltip(); });
    highlighted = codes.length > MAX_HIGHLIGHTED ? [] : codes.map(function (c) {
      return b.layers[c];
    }).filter(Boolean);
    highlighted.forEach(function (l) { l.setStyle(HIGHLIGHT); l.bringToFront(); });
    if (mapBox) { mapBox.setAttribute("data-highlighted", String(highlighted.length)); }
    showHighlighted();
  }

  function codeOf(row) { return row.querySelector(".code").textContent; }

  function filter() {
    var q = search.value.trim().toLowerCase();
    var rows = list.querySelectorAll(".checkin-row");
    var found = [];
    for (var i = 0; i < rows.length; i++) {
      rows[i].hidden = q !== "" && rows[i].getAttribute("data-search").indexOf(q) === -1;
      if (q !== "" && !rows[i].hidden) { found.push(codeOf(rows[i])); }
    }
    highlight(found);
  }

  // a tap on a booth: its row alone in the list, ready for the next tap
  document.addEventListener("pl:checkin-booth", function (ev) {
    var code = ev.detail && ev.detail.code;
    var row = null, rows = list.querySelectorAll(".checkin-row");
    for (var i = 0; i < rows.length; i++) { if (codeOf(rows[i]) === code) { row = rows[i]; } }
    if (!row || !search) { return; }
    search.value = code;
    filter();
    row.scrollIntoView({block: "nearest"});
    var first = row.querySelector("button");
    if (first) { first.focus({preventScroll: true}); }
  });

  if (mapBox) {
    // open beside nothing on a phone (the list first); open at once on a wide screen
    if (window.matchMedia && window.matchMedia("(min-width: " + mapBox.getAttribute("data-open-from") + "px)").matches) {
      mapBox.open = true;
    }
    var fitted = false;
    mapBox.addEventListener("toggle", function () {
      var b = board();
      if (!mapBox.open || !b) { return; }
      b.map.invalidateSize();
      if (!fitted && !highlighted.length) { b.map.fitBounds(b.booths.getBounds(), {padding: [10, 10]}); }
      fitted = true;
      showHighlighted();
    });
    if (mapBox.open && board()) { fitted = true; }
  }

  function counts() {
    var n = {};
    STATUSES.forEach(function (s) { n[s] = 0; });
    var rows = list.querySelectorAll(".checkin-row");
    for (var i = 0; i < rows.length; i++) { n[rows[i].getAttribute("data-status")] += 1; }
    STATUSES.forEach(function (s) {
      var el = document.querySelector("[data-count=" + s + "] b");
      if (el) { el.textContent = String(n[s]); }
    });
  }

  function apply(row, status, label) {
    restyle(codeOf(row), status);
    STATUSES.forEach(function (s) { row.classList.remove("st-" + s); });
    row.classList.add("st-" + status);
    row.setAttribute("data-status", status);
    if (label) { row.querySelector(".st-label").textContent = label; }
    var buttons = row.querySelectorAll("button[data-target]");
    for (var i = 0; i < buttons.length; i++) {
      var target = buttons[i].getAttribute("data-target");
      buttons[i].value = status === target ? "assigned" : target;
      buttons[i].setAttribute("aria-pressed", status === target ? "true" : "false");
    }
    counts();
  }

  try { labels = JSON.parse(list.getAttribute("data-labels")) || {}; } catch (e) { labels = {}; }

  list.addEventListener("submit", function (ev) {
    if (!window.fetch) { return; }
    ev.preventDefault();
    var form = ev.target;
    var button = ev.submitter || form.querySelector("button[type=submit]");
    var row = form.closest(".checkin-row");
    var id = row.getAttribute("data-id");
    var before = row.getAttribute("data-status");
    var beforeLabel = row.querySelector(".st-label").textContent;
    var wanted = button.value;
    var err = row.querySelector(".err");
    if (err) { err.remove(); }
    apply(row, wanted, labels[wanted]);
    row.classList.add("pending");
    fetch(list.getAttribute("data-api") + id, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": tokenMeta ? tokenMeta.content : ""},
      body: JSON.stringify({status: wanted})
    }).then(function (resp) {
      return resp.json().then(function (data) { return {ok: resp.ok, data: data}; });
    }).then(function (res) {
      row.classList.remove("pending");
      if (res.ok) {
        apply(row, res.data.status, res.data.status_label);
        announce(row, res.data.status_label);
        return;
      }
      apply(row, before, beforeLabel);
      var p = document.createElement("p");
      p.className = "err";
      p.textContent = res.data.message || "";
      row.appendChild(p);
      announce(row, res.data.message || "");
    }).catch(function () {
      row.classList.remove("pending");
      apply(row, before, beforeLabel);
      show(list.getAttribute("data-offline"));
    });
  });

  if (search) {
    search.addEventListener("input", filter);
    search.form.addEventListener("submit", function (ev) { ev.preventDefault(); filter(); });
    filter();
  }
})();
