/* Crew check-in: filter the list as you type; mark with one tap. The row changes at once
   (optimistic) and then shows the status the server stored; on an error it goes back and says
   why. Without JavaScript the forms post and the page reloads. */
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

  function filter() {
    var q = search.value.trim().toLowerCase();
    var rows = list.querySelectorAll(".checkin-row");
    for (var i = 0; i < rows.length; i++) {
      rows[i].hidden = q !== "" && rows[i].getAttribute("data-search").indexOf(q) === -1;
    }
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
