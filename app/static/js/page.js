// Small behaviours every page may use, as data attributes: the Content-Security-Policy allows no
// inline event handlers (onclick="..."), so they live here.
//   <form data-confirm="question?">  asks before a form that changes or revokes something
//   <button data-print>               prints the page (the vendor card)
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);

document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.closest && target.closest("[data-print]")) {
    window.print();
  }
});

// A wide table scrolls sideways inside its card on a phone: keyboard users reach it with Tab and
// scroll it with the arrow keys (WCAG 2.1.1), so every data table takes the focus.
document.addEventListener("DOMContentLoaded", function () {
  var tables = document.querySelectorAll("table.data:not([tabindex])");
  for (var i = 0; i < tables.length; i++) { tables[i].tabIndex = 0; }
});

// The phone header: one line with a menu button; the links open beneath it. Without this script
// the button stays hidden and the links wrap as before.
(function () {
  var toggle = document.querySelector(".topbar .nav-toggle");
  if (!toggle) { return; }
  var bar = toggle.closest(".topbar");
  toggle.hidden = false;
  bar.classList.add("has-nav-toggle");
  toggle.addEventListener("click", function () {
    var open = !bar.classList.contains("nav-open");
    bar.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();

// Past the map: before every map a skip link ("Lewati peta", in the page's language from the
// body's data-skip-map) leads to a spot right after it, so the keyboard does not have to walk
// through the map's controls to reach what follows (WCAG 2.4.1). Maps made by a page's own
// script exist once the page has loaded.
window.addEventListener("load", function () {
  var text = document.body.getAttribute("data-skip-map");
  var maps = document.querySelectorAll(".leaflet-container");
  if (!text) { return; }
  for (var i = 0; i < maps.length; i++) {
    var box = maps[i];
    if (box.previousElementSibling && box.previousElementSibling.classList.contains("skip-map")) { continue; }
    var target = document.createElement("span");
    target.id = "past-map-" + (i + 1);
    target.className = "skip-target";
    target.tabIndex = -1;
    box.parentNode.insertBefore(target, box.nextSibling);
    var link = document.createElement("a");
    link.className = "skip-link skip-map";
    link.href = "#" + target.id;
    link.textContent = text;
    box.parentNode.insertBefore(link, box);
    if (window.getComputedStyle(box.parentNode).position === "static") { box.parentNode.style.position = "relative"; }
  }
});

// Leaflet's own attribution link carries an English title ("A JavaScript library for interactive
// maps"): give it the page's language (the text comes from the catalogue, on <html>). Maps made
// from here on take it from the prototype; maps already on the page are mended once loaded.
(function () {
  var title = document.documentElement.getAttribute("data-leaflet-title");
  if (!title) { return; }
  function mend() {
    document.querySelectorAll(".leaflet-control-attribution a[href^='https://leafletjs.com']")
      .forEach(function (a) { a.title = title; });
  }
  if (window.L && L.Control && L.Control.Attribution) {
    var options = L.Control.Attribution.prototype.options;
    var link = document.createElement("span");
    link.innerHTML = options.prefix || "";
    var a = link.querySelector("a");
    if (a) { a.title = title; options.prefix = link.innerHTML; }
  }
  mend();
  window.addEventListener("load", mend);
})();
