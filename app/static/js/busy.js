/* Long forms (layout, allocation) show a progress note and cannot be sent twice. */
document.querySelectorAll("form.busy-on-submit").forEach(function (form) {
  form.addEventListener("submit", function () {
    var note = form.querySelector(".progress");
    if (note) { note.hidden = false; }
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });
});
