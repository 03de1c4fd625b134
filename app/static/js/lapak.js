/* Cek Lapak Saya: send the lookup form as JSON so a typo keeps what was typed (the plain form
   still works without JavaScript). Fetch errors fall back to the normal form post. */
(function () {
  "use strict";
  var form = document.getElementById("lapak-form");
  var msg = document.getElementById("lapak-msg");
  if (!form || !window.fetch) { return; }
  var button = form.querySelector("button[type=submit]");

  function show(text) {
    msg.textContent = text;
    msg.hidden = !text;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var token = form.querySelector("input[name=csrf_token]").value;
    var body = JSON.stringify({
      code: form.elements.code.value,
      phone4: form.elements.phone4.value
    });
    button.disabled = true;
    show("");
    fetch(form.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": token},
      body: body
    }).then(function (resp) {
      return resp.json().then(function (data) { return {ok: resp.ok, data: data}; });
    }).then(function (res) {
      if (res.ok) {
        window.location.assign(form.getAttribute("data-next"));
        return;
      }
      button.disabled = false;
      show(res.data.message || "");
    }).catch(function () {
      form.submit();
    });
  });
})();
