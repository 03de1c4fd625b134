/* Long work (layout, allocation, big PDFs) shows a progress note; forms cannot be sent twice. */
document.querySelectorAll("form.busy-on-submit").forEach(function (form) {
  form.addEventListener("submit", function () {
    var note = form.querySelector(".progress");
    if (note) { note.hidden = false; }
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });
});
document.querySelectorAll("a.busy-on-click").forEach(function (link) {
  link.addEventListener("click", function () {
    var note = document.getElementById(link.dataset.busy);
    if (note) { note.hidden = false; }
  });
});
// Back from the PDF (the browser's back/forward cache keeps the page as it was): hide the note.
window.addEventListener("pageshow", function (e) {
  if (!e.persisted) { return; }
  document.querySelectorAll("a.busy-on-click").forEach(function (link) {
    var note = document.getElementById(link.dataset.busy);
    if (note) { note.hidden = true; }
  });
});
