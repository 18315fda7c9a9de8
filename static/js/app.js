// The dashboard's few lines of JavaScript, served as a file so the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // Destructive forms (data-confirm) ask in a native dialog first.
  document.addEventListener("submit", function (event) {
    var form = event.target, dialog = document.getElementById("confirm-dialog");
    if (!dialog || !form.dataset.confirm || form.dataset.confirmed) return;
    event.preventDefault();
    document.getElementById("confirm-text").textContent = form.dataset.confirm;
    dialog.onclose = function () {
      if (dialog.returnValue === "ok") {
        form.dataset.confirmed = "1";
        form.requestSubmit();
        delete form.dataset.confirmed;
      }
    };
    dialog.showModal();
  }, true);

  // Escape cancels a row being edited (the pencil form's Cancel button carries data-cancel).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var form = event.target.closest("form");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel) { event.preventDefault(); cancel.click(); }
  });

  // htmx 2 does not swap 4xx/5xx answers: show the refusal's message in place instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = xhr.getResponseHeader("X-Error-Message") || "That did not work (" + xhr.status + ").";
    showError(text);
  });
  document.addEventListener("htmx:sendError", function () {
    showError("The server could not be reached. Check your connection and try again.");
  });

  function showError(text) {
    var list = document.querySelector(".messages") || document.createElement("ul");
    list.className = "messages";
    list.setAttribute("role", "status");
    list.textContent = "";
    var item = document.createElement("li");
    item.className = "message error";
    item.textContent = text;
    list.appendChild(item);
    document.getElementById("main").prepend(list);
  }
})();
