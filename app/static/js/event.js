// The planner's event page, in place: the booth panel beside the map (assign, move, swap, pin,
// unpin, unassign), the table's filters, sorts and pages, and the table's row actions. Every
// action goes to the JSON API (/api/events/<slug>/...) with the page's CSRF token; its answer
// names the booths it changed, which are restyled on the map, and the figures, which are
// rewritten. Without this script the forms and links still work (the server redirects back).
(function () {
  "use strict";
  var section = document.getElementById("board");
  var dataEl = document.getElementById("board-data");
  var tokenMeta = document.querySelector("meta[name=csrf-token]");
  var data = dataEl ? JSON.parse(dataEl.textContent) : {booths: [], styles: {}, states: {}, vendors: [], text: {}};
  var text = data.text || {};
  var api = section ? section.getAttribute("data-api") : null;
  var closed = section ? section.getAttribute("data-closed") === "1" : true;
  var byCode = {};
  data.booths.forEach(function (b) { byCode[b.code] = b; });
  var selected = null;
  var picking = false;

  function $(id) { return document.getElementById(id); }
  function fill(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }
  function layers() { return (window.plBoard && window.plBoard.layers) || {}; }

  function tooltipNode(b) {
    var span = document.createElement("span");
    var parts = [b.code, data.states[b.state] || b.state];
    if (b.vendor_name) { parts.push(b.vendor_name); }
    span.textContent = parts.join(" · ");
    return span;
  }

  function restyle(b) {
    var layer = layers()[b.code];
    if (!layer) { return; }
    var style = Object.assign({}, data.styles[b.state] || {});
    if (selected === b.code) { style.weight = 5; style.color = "#1a1a1a"; style.dashArray = null; }
    layer.setStyle(style);
    if (layer.getTooltip()) { layer.setTooltipContent(tooltipNode(b)); }
    else { layer.bindTooltip(tooltipNode(b), {sticky: true}); }
  }

  function say(message, where) {
    var status = where || $("panel-status");
    if (!status) { return; }
    status.textContent = "";
    // A fresh text node each time, so the same sentence twice is announced twice.
    window.setTimeout(function () { status.textContent = message; }, 30);
  }

  function setFigures(figures) {
    if (!figures) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var key = el.getAttribute("data-figure");
      if (figures[key] !== undefined && figures[key] !== null) { el.textContent = figures[key]; }
    });
    (figures.categories || []).forEach(function (c) {
      var li = document.querySelector('#category-figures li[data-category="' + c.category + '"][data-section="' + (c.section || "") + '"]');
      if (!li) { return; }
      var strong = li.querySelector("[data-cap-placed]");
      if (strong) { strong.textContent = c.placed; }
      li.classList.toggle("over", !!c.over);
    });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": tokenMeta ? tokenMeta.content : ""},
      body: JSON.stringify(body || {})
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (json) {
        if (!resp.ok) { throw new Error(json.message || text.failed); }
        return json;
      });
    }, function () { throw new Error(text.failed); });
  }

  function applyAnswer(answer) { applyAnswerQuiet(answer); }

  function freeVendor(b) {
    if (data.vendors.some(function (v) { return v.id === b.vendor_id; })) { return; }
    data.vendors.push({id: b.vendor_id, name: b.vendor_name, category: b.category});
    data.vendors.sort(function (x, y) { return String(x.name).localeCompare(String(y.name)); });
  }
  function takeVendor(id) { data.vendors = data.vendors.filter(function (v) { return v.id !== id; }); }

  // ---- the panel ------------------------------------------------------------------------------
  function showPanel(code) {
    var b = byCode[code];
    if (!b) { return; }
    $("panel-empty").hidden = true;
    $("panel-body").hidden = false;
    $("panel-code").textContent = b.code;
    $("panel-state").textContent = data.states[b.state] || b.state;
    $("panel-vendor").textContent = b.vendor_name
      ? b.vendor_name + (b.pinned ? " · " + (text.pinned || "") : "") : "";
    var problems = $("panel-problems");
    problems.textContent = "";
    (b.problems || []).forEach(function (p) {
      var li = document.createElement("li"); li.textContent = p; problems.appendChild(li);
    });
    var placed = !!b.assignment_id;
    var vendorBooth = b.kind === "vendor";
    $("panel-placed").hidden = closed || !placed;
    $("panel-free").hidden = closed || placed || !vendorBooth;
    $("panel-none").hidden = vendorBooth;
    var pin = document.querySelector('#panel-placed [data-act="pin"]');
    var unpin = document.querySelector('#panel-placed [data-act="unpin"]');
    if (pin) { pin.hidden = !!b.pinned; }
    if (unpin) { unpin.hidden = !b.pinned; }
    $("pick-note").hidden = !picking;
    if (!placed && vendorBooth) { listVendors(); }
  }

  function select(code) {
    var previous = selected;
    selected = code;
    if (previous && byCode[previous]) { restyle(byCode[previous]); }
    if (byCode[code]) { restyle(byCode[code]); }
    showPanel(code);
    // On a phone the panel sits under the map: bring its top into view.
    var panel = $("booth-panel");
    if (panel && window.matchMedia && window.matchMedia("(max-width: 800px)").matches) {
      panel.scrollIntoView({block: "nearest"});
    }
  }

  function listVendors() {
    var list = $("vendor-list");
    var needle = ($("vendor-search").value || "").toLowerCase();
    list.textContent = "";
    var shown = 0;
    data.vendors.forEach(function (v) {
      if (shown >= 30) { return; }
      var hay = (String(v.name) + " " + String(v.category)).toLowerCase();
      if (needle && hay.indexOf(needle) < 0) { return; }
      shown += 1;
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = v.name + " · " + v.category;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "small";
      button.textContent = text.assign;
      button.setAttribute("aria-label", text.assign + ": " + v.name);
      button.addEventListener("click", function () { assign(v, button); });
      li.appendChild(name); li.appendChild(button); list.appendChild(li);
    });
    if (!shown) {
      var empty = document.createElement("li"); empty.textContent = text.no_vendors; list.appendChild(empty);
    }
  }

  function busy(button, on) {
    if (!button) { return; }
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
  }

  function act(promise, button) {
    busy(button, true);
    say(text.working);
    return promise.then(function (answer) {
      say(answer.message);
      applyAnswer(answer);
      return answer;
    }, function (err) { say(err.message); }).then(function (answer) { busy(button, false); return answer; });
  }

  function assign(v, button) {
    if (!selected) { return; }
    act(post(api, {vendor_id: v.id, booth_code: selected}), button);
  }

  function pickTarget(code) {
    var from = byCode[selected];
    var to = byCode[code];
    picking = false;
    $("pick-note").hidden = true;
    if (!from || !to) { return; }
    if (to.code === from.code) { say(text.same); return; }
    if (to.kind !== "vendor") { say(text.not_vendor_booth); return; }
    var target = to.code;
    if (to.assignment_id) {
      var question = fill(text.confirm_swap, {a: from.vendor_name, code_a: from.code, b: to.vendor_name, code_b: to.code});
      if (!window.confirm(question)) { return; }
      act(post(api + "/" + from.assignment_id + "/swap", {booth_code: target})).then(function (answer) {
        if (answer) { select(target); }
      });
    } else {
      act(post(api + "/" + from.assignment_id + "/move", {booth_code: target})).then(function (answer) {
        if (answer) { select(target); }
      });
    }
  }

  document.addEventListener("pl:booth", function (event) {
    var code = event.detail && event.detail.code;
    if (!code) { return; }
    if (picking && selected) { pickTarget(code); return; }
    select(code);
  });

  // ---- the keyboard: the list of booths beside the map --------------------------------------
  // The booths on the map take no focus; this list does (static/js/feature_list.js). Enter on a
  // booth selects it as a click on the map does (and shows it there), or, while a move is being
  // picked, makes it the target. Escape leaves the selection.
  function showOnMap(code) {
    var layer = layers()[code];
    if (!layer || !layer._map) { return; }
    var map = layer._map;
    map.fitBounds(layer.getBounds(), {maxZoom: Math.min(21, map.getMaxZoom()), padding: [30, 30], animate: false});
  }
  function deselect() {
    var previous = selected;
    selected = null;
    if (previous && byCode[previous]) { restyle(byCode[previous]); }
    $("panel-empty").hidden = false;
    $("panel-body").hidden = true;
  }
  var listBox = $("board-list-box");
  var boothList = listBox && window.PetaLapakFeatureList ? window.PetaLapakFeatureList(listBox, {
    items: function () {
      return Object.keys(byCode).map(function (code) {
        var b = byCode[code];
        var detail = [data.states[b.state] || b.state];
        if (b.vendor_name) { detail.push(b.vendor_name); }
        return {key: code, label: code, detail: detail.join(" · ")};
      });
    },
    choose: function (item) {
      if (picking && selected) { pickTarget(item.key); return; }
      select(item.key);
      showOnMap(item.key);
      var b = byCode[item.key];
      say(fill(text.chosen, {booth: [b.code, data.states[b.state] || b.state, b.vendor_name].filter(Boolean).join(" · ")}));
    }
  }) : null;

  if (section) {
    section.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-act]");
      if (!button || !selected) { return; }
      var b = byCode[selected];
      var act_ = button.getAttribute("data-act");
      if (act_ === "pick") {
        picking = true;
        $("pick-note").hidden = false;
        if (event.detail === 0 && boothList) {   // pressed from the keyboard: on to the list
          boothList.focus();
          say(text.pick_target);
          return;
        }
        var map = section.querySelector(".board-map");
        if (map) { map.scrollIntoView({block: "nearest"}); }
        return;
      }
      if (act_ === "cancel-pick") { picking = false; $("pick-note").hidden = true; return; }
      if (!b || !b.assignment_id) { return; }
      if (act_ === "pin" || act_ === "unpin") {
        act(post(api + "/" + b.assignment_id + "/pin", {pinned: act_ === "pin"}), button);
      } else if (act_ === "unassign") {
        if (!window.confirm(fill(text.confirm_unassign, {name: b.vendor_name, code: b.code}))) { return; }
        act(post(api + "/" + b.assignment_id + "/unassign"), button);
      }
    });
    var search = $("vendor-search");
    if (search) { search.addEventListener("input", listVendors); }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      if (picking) { picking = false; $("pick-note").hidden = true; return; }
      var tag = (event.target && event.target.tagName) || "";
      if (!selected || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
      deselect();
      say(text.deselected);
    });
  }

  // ---- the table ------------------------------------------------------------------------------
  var tableHref = null;  // the address of the table part now shown (filters, sort, page)

  function tablePart(href) {
    var url = new URL(href, window.location.href);
    var box = $("booths");
    var base = new URL(box.getAttribute("data-table-url"), window.location.href);
    url.pathname = base.pathname;
    url.searchParams.set("part", "table");
    url.hash = "";
    return url;
  }

  function loadTable(href, pushState, then) {
    var url = tablePart(href);
    return fetch(url.toString(), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (resp) { if (!resp.ok) { throw new Error(text.failed); } return resp.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("booths");
        var box = $("booths");
        if (!fresh || !box) { return; }
        box.replaceWith(fresh);
        tableHref = url.toString();
        if (pushState) {
          var page = new URL(window.location.href);
          page.search = url.search.replace(/([?&])part=table&?/, "$1").replace(/[?&]$/, "");
          page.hash = "booths";
          window.history.replaceState(null, "", page.toString());
        }
        var count = $("table-count");
        if (then) { then(); } else if (count) { say(count.textContent, $("table-status")); }
      });
  }

  function refreshTable(then) {
    refreshHistory();
    if (!$("booths")) { return; }
    loadTable(tableHref || window.location.href, false, then);
  }

  // The undo history beside the page names every step: bring the new one in.
  function refreshHistory() {
    var box = $("event-history");
    var tableBox = $("booths");
    if (!box || !tableBox) { return; }
    var url = new URL(tableBox.getAttribute("data-table-url"), window.location.href);
    url.search = "?part=history";
    fetch(url.toString(), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (resp) { return resp.ok ? resp.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("event-history");
        var now = $("event-history");
        if (fresh && now) { now.replaceWith(fresh); }
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#booths a[data-table-link]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    loadTable(link.href, true);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest || !form.closest("#booths")) { return; }
    if (event.defaultPrevented) { return; }  // page.js: the planner said no to data-confirm
    var vendorId = null;
    if (form.elements.vendor) {  // assign: "Name · Category (#12)" from the list, or a name
      vendorId = vendorFrom(form.elements.vendor.value);
      if (vendorId === null) { return; }  // let the server say what is wrong with it
    }
    event.preventDefault();
    if (form.method.toLowerCase() === "get") {
      var url = new URL(form.action, window.location.href);
      url.search = new URLSearchParams(new FormData(form)).toString();
      loadTable(url.toString(), true);
      return;
    }
    var body = {};
    var fd = new FormData(form);
    if (fd.has("booth_code")) { body.booth_code = fd.get("booth_code"); }
    if (fd.has("pinned")) { body.pinned = fd.get("pinned") === "1"; }
    if (vendorId !== null) { body.vendor_id = vendorId; }
    var code = form.getAttribute("data-code");
    var button = form.querySelector("button");
    var message = form.parentNode.querySelector(".row-msg");
    busy(button, true);
    if (message) { message.textContent = text.working; }
    post(form.getAttribute("data-api"), body).then(function (answer) {
      applyAnswerQuiet(answer, function () {
        var row = document.getElementById("b-" + code);
        var spot = row && row.querySelector(".row-msg");
        if (spot) {
          spot.textContent = answer.message; spot.classList.add("ok");
        } else {  // the booth left the table's filter: say it above the table, where it was
          var note = document.createElement("p");
          note.className = "table-note ok";
          note.textContent = answer.message;
          var scroll = document.querySelector("#booths .table-scroll");
          if (scroll) { scroll.parentNode.insertBefore(note, scroll); }
        }
        say(answer.message, $("table-status"));
      });
    }, function (err) {
      busy(button, false);
      if (message) { message.textContent = err.message; message.classList.add("error"); }
      say(err.message, $("table-status"));
    });
  });

  // Ctrl+Z undoes the newest step of the event's history and Ctrl+Shift+Z (or Ctrl+Y) redoes
  // the one undone last, as the buttons of the history list do (not while typing in a field).
  document.addEventListener("keydown", function (ev) {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) { return; }
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (ev.target && ev.target.isContentEditable)) { return; }
    var key = (ev.key || "").toLowerCase();
    var redo = (key === "z" && ev.shiftKey) || key === "y";
    if (key !== "z" && !redo) { return; }
    var box = $("event-history");
    var button = box && box.querySelector(redo ? "form.redo button" : "form.undo button");
    if (!button) { return; }
    ev.preventDefault();
    if (!button.disabled) { button.form.submit(); }
  });

  function vendorFrom(value) {
    var typed = String(value || "").trim();
    var numbered = /(?:^|\(|\s)#(\d{1,9})\)?\s*$/.exec(typed);
    if (numbered) { return parseInt(numbered[1], 10); }
    var same = data.vendors.filter(function (v) {
      return String(v.name).toLowerCase() === typed.toLowerCase();
    });
    return same.length === 1 ? same[0].id : null;
  }

  function applyAnswerQuiet(answer, then) {
    (answer.booths || []).forEach(function (b) {
      var before = byCode[b.code];
      if (before && before.vendor_id && before.vendor_id !== b.vendor_id) { freeVendor(before); }
      if (b.vendor_id) { takeVendor(b.vendor_id); }
      byCode[b.code] = b;
      restyle(b);
    });
    setFigures(answer.figures);
    if (selected) { showPanel(selected); }
    if (boothList) { boothList.refresh(); }
    refreshTable(then);
  }
})();
