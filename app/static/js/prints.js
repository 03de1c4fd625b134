/* Crew prints made in the background (issue #17): a print button asks the server to make the PDF
   (POST …/prints/<document>, or joins the one being made), then follows its pages on the
   progress bar until the PDF is ready to open. The link's own address still works without a
   script. Texts come from the progress region's data-* attributes, already translated. */
(function () {
  "use strict";
  var region = document.getElementById("print-progress");
  if (!region || !window.fetch) { return; }
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var say = region.querySelector(".print-progress-text");
  var bar = region.querySelector("progress");
  var open = region.querySelector("a.print-open");
  var retry = region.querySelector("button.print-retry");
  var current = null;  // {link, job}
  var timer = null;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function show(job) {
    region.hidden = false;
    region.dataset.state = job.state;
    retry.hidden = true;
    open.hidden = true;
    if (job.state === "done") {
      bar.hidden = false;
      bar.max = job.total || 1; bar.value = bar.max;
      say.textContent = fill(region.dataset.done, {name: job.filename});
      open.href = job.file_url;
      open.hidden = false;
      open.focus();
    } else if (job.state === "failed") {
      bar.removeAttribute("value");
      bar.hidden = true;
      say.textContent = fill(region.dataset.failed, {message: job.message});
      retry.hidden = false;
    } else if (!job.total) {
      bar.hidden = false;
      bar.removeAttribute("value");  // indeterminate while the data is read
      say.textContent = region.dataset.loading;
    } else {
      bar.hidden = false;
      bar.max = job.total; bar.value = job.done;
      say.textContent = fill(region.dataset.pages, {done: job.done, total: job.total});
    }
  }

  function problem(message) {
    region.hidden = false;
    region.dataset.state = "failed";
    bar.hidden = true;
    open.hidden = true;
    say.textContent = fill(region.dataset.failed, {message: message || region.dataset.network});
    retry.hidden = false;
  }

  function answer(resp) {
    return resp.json().catch(function () { return {}; }).then(function (json) {
      if (!resp.ok) { throw new Error(json.message || region.dataset.network); }
      return json;
    });
  }

  function poll(job) {
    clearTimeout(timer);
    if (job.state !== "running") { return; }
    timer = setTimeout(function () {
      fetch(job.status_url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(answer)
        .then(function (next) {
          if (next.stale) { start(current.link); return; }  // its worker stopped: take it over
          current.job = next;
          show(next);
          poll(next);
        })
        .catch(function (err) { problem(err.message); });
    }, 500);
  }

  function start(link) {
    clearTimeout(timer);
    current = {link: link, job: null};
    show({state: "running", done: 0, total: 0});
    fetch(link.dataset.printJob, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": tokenMeta ? tokenMeta.content : ""}
    })
      .then(answer, function () { throw new Error(region.dataset.network); })
      .then(function (job) { current.job = job; show(job); poll(job); })
      .catch(function (err) { problem(err.message); });
  }

  document.querySelectorAll("a[data-print-job]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.button !== 0) { return; }
      e.preventDefault();
      start(link);
    });
  });
  retry.addEventListener("click", function () { if (current) { start(current.link); } });
})();
