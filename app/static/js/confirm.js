// Forms that change or revoke something ask first: <form data-confirm="question?">.
// A static file rather than onsubmit="..." attributes: the Content-Security-Policy allows no
// inline event handlers.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
