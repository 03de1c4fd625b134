/* PetaLapak: a list of the map's features beside the map, for the keyboard (and for anyone who
 * would rather read than aim). The map's shapes take no focus; this list is the keyboard's way to
 * them (issue #13, "Maps everyone can read").
 *
 * PetaLapakFeatureList(root, {items, choose}) wires a box holding
 *   input.fl-filter        a text that narrows the list (ArrowDown goes into the list)
 *   [role=listbox]         one tab stop; ArrowUp/ArrowDown/Home/End/PageUp/PageDown move the
 *                          active option (aria-activedescendant), Enter or Space chooses it
 *   .fl-count              "N of M shown" (root's data-texts: {"count": "… {shown} … {n} …"})
 * items() gives [{key, label, detail}], choose(item, option) is called on Enter, Space or a click.
 * Arrowing only moves through the list: nothing on the map changes until a choice is made.
 * Texts are data and are set with textContent, never as markup.
 */
(function () {
  "use strict";
  var MAX_SHOWN = 100, PAGE = 10;

  function FeatureList(root, opts) {
    var filter = root.querySelector(".fl-filter");
    var list = root.querySelector("[role=listbox]");
    var count = root.querySelector(".fl-count");
    var texts = JSON.parse(root.getAttribute("data-texts") || "{}");
    var shown = [], active = -1, activeKey = null;
    var collator = typeof Intl === "object" ? new Intl.Collator(undefined, { numeric: true, sensitivity: "base" }) : null;

    function mark(i, scroll) {
      var options = list.children;
      if (!shown.length) { active = -1; activeKey = null; list.removeAttribute("aria-activedescendant"); return; }
      i = Math.max(0, Math.min(shown.length - 1, i));
      for (var k = 0; k < options.length; k++) { options[k].setAttribute("aria-selected", k === i ? "true" : "false"); }
      active = i;
      activeKey = shown[i].key;
      list.setAttribute("aria-activedescendant", options[i].id);
      if (scroll !== false) { options[i].scrollIntoView({ block: "nearest" }); }
    }
    function refresh() {
      var needle = (filter ? filter.value : "").trim().toLowerCase();
      var all = opts.items() || [];
      var found = needle ? all.filter(function (it) {
        return (it.label + " " + (it.detail || "")).toLowerCase().indexOf(needle) >= 0;
      }) : all.slice();
      found.sort(function (a, b) { return collator ? collator.compare(a.label, b.label) : (a.label < b.label ? -1 : 1); });
      shown = found.slice(0, MAX_SHOWN);
      list.textContent = "";
      var again = -1;
      shown.forEach(function (it, i) {
        var li = document.createElement("li");
        li.id = list.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "fl-item" + (it.cls ? " " + it.cls : "");
        var label = document.createElement("span");
        label.className = "fl-label";
        label.textContent = it.label;
        li.appendChild(label);
        if (it.detail) {
          var detail = document.createElement("span");
          detail.className = "fl-detail";
          detail.textContent = it.detail;
          li.appendChild(detail);
        }
        li.addEventListener("click", function () { mark(i, false); choose(); });
        list.appendChild(li);
        if (it.key === activeKey) { again = i; }
      });
      if (again >= 0) { mark(again, false); } else { active = -1; activeKey = null; list.removeAttribute("aria-activedescendant"); }
      if (count) {
        count.textContent = found.length ? (texts.count || "{shown}/{n}").replace("{shown}", String(shown.length)).replace("{n}", String(found.length))
          : (texts.none || "");
      }
    }
    function choose() {
      if (active < 0 || !shown[active]) { return; }
      opts.choose(shown[active], list.children[active]);
    }
    list.addEventListener("keydown", function (ev) {
      var moves = { ArrowDown: 1, ArrowUp: -1, PageDown: PAGE, PageUp: -PAGE };
      if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
      if (moves[ev.key] !== undefined) { ev.preventDefault(); mark(active < 0 ? 0 : active + moves[ev.key]); }
      else if (ev.key === "Home") { ev.preventDefault(); mark(0); }
      else if (ev.key === "End") { ev.preventDefault(); mark(shown.length - 1); }
      else if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); choose(); }
    });
    list.addEventListener("focus", function () { if (active < 0 && shown.length) { mark(0); } });
    if (filter) {
      filter.addEventListener("input", refresh);
      filter.addEventListener("keydown", function (ev) {
        if (ev.key === "ArrowDown") { ev.preventDefault(); list.focus(); }
        else if (ev.key === "Enter") { ev.preventDefault(); if (shown.length) { list.focus(); mark(0); } }
      });
    }
    refresh();
    return {
      refresh: refresh,
      focus: function () { list.focus(); },
      listbox: list,
    };
  }
  window.PetaLapakFeatureList = FeatureList;
})();
