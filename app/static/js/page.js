// Small behaviours every page may use, as data attributes: the Content-Security-Policy allows no
// inline event handlers (onclick="..."), so they live here.
//   <form data-confirm="question?">  asks before a form that changes or revokes something
//   <button data-print>               prints the page (the vendor card)
//   <select data-autosubmit>          submits its form when the choice changes
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

document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
