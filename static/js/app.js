// accessctl: the few lines of JavaScript the pages use, served as a file (with the request's nonce) so the
// Content-Security-Policy allows no inline script. Everything here is an enhancement: without JavaScript every
// form posts and every link loads a page.
(function () {
  "use strict";

  // --- messages: one polite live region (#live in base.html) ---------------------------------------------
  function announce(text, kind) {
    if (!text) return;
    var live = document.getElementById("live");
    if (!live) {  // a page without the live region (none today): a message list at the top of the content
      live = document.querySelector(".messages") || document.createElement("div");
      live.className = "messages";
      live.setAttribute("role", "status");
      var main = document.getElementById("main");
      if (!main) return;
      main.prepend(live);
    }
    live.textContent = "";
    var item = document.createElement("p");
    item.className = "message " + (kind || "success");
    item.textContent = text;
    live.appendChild(item);
  }

  // --- destructive forms (data-confirm) ask in a native <dialog> first -------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target, dialog = document.getElementById("confirm-dialog");
    if (!dialog || !form.dataset || !form.dataset.confirm || form.dataset.confirmed) return;
    // Capture phase on the document: stopping here keeps htmx (listening on the form) from sending the
    // request before the person has confirmed.
    event.preventDefault();
    event.stopPropagation();
    var submitter = event.submitter;
    document.getElementById("confirm-text").textContent = form.dataset.confirm;
    dialog.returnValue = "";
    dialog.addEventListener("close", function () {
      if (dialog.returnValue !== "ok" || !form.isConnected) return;
      form.dataset.confirmed = "1";
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      delete form.dataset.confirmed;
    }, { once: true });
    dialog.showModal();
  }, true);

  // --- Escape cancels the row being edited -------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    // An edit row's fields may sit in other cells than its form (the form attribute): look in the row.
    var scope = event.target.closest("tr.editing") || event.target.closest("form");
    var cancel = scope && scope.querySelector("[data-cancel]");
    if (cancel) { event.preventDefault(); cancel.click(); }
  });

  // --- focus after a swap: an edit row's first field, a shown row's pencil, else the first control ----------
  var swapped = null;   // id of the element being swapped, when it held the focus or is a table row
  var focusRow = null;  // id of the row that held the focus inside a swapped table
  var saved = null;     // id of the row a save just changed, highlighted across table reloads
  var savedTimer = null;
  var reloadPending = null;  // a table reload held back while one of its rows is being edited

  // A table reload (after a change elsewhere) never throws away a row that is open for editing: it waits
  // until the edit is saved or cancelled.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (event.detail.requestConfig.verb !== "get" || !target || !target.id) return;
    if (target.querySelector && target.querySelector("tr.editing") && event.detail.elt === target) {
      event.preventDefault();
      reloadPending = target.id;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) return;
    if (target.tagName !== "TR" && target.querySelector("tr.editing")) {
      event.detail.shouldSwap = false;  // a reload that answered after a row was opened: run it again later
      reloadPending = target.id;
      return;
    }
    var active = document.activeElement;
    if (target.tagName === "TR" || target.contains(active)) swapped = target.id;
    var row = target.contains(active) && active.closest && active.closest("tr[id]");
    focusRow = row && row !== target ? row.id : null;
  });

  function focusIn(element) {
    var field = element.classList.contains("editing")
      ? element.querySelector("select, input:not([type=hidden]):not([disabled]), textarea")
      : element.querySelector("[data-pencil]:not([disabled])") ||
        element.querySelector("button:not([disabled]), a[href], select, input:not([type=hidden])");
    if (field) field.focus();
  }

  document.addEventListener("htmx:afterSettle", function () {
    var element = swapped && document.getElementById(swapped);
    var row = focusRow && document.getElementById(focusRow);
    var highlight = saved && document.getElementById(saved);
    swapped = focusRow = null;
    if (highlight) highlight.classList.add("saved");
    if (row || element) focusIn(row || element);
    if (reloadPending && !document.querySelector("tr.editing")) {
      var table = document.getElementById(reloadPending);
      reloadPending = null;
      if (table) htmx.trigger(table, "access-changed");
    }
  });

  // A change saved in place: say so, and mark its row for a moment (the table may reload meanwhile).
  document.addEventListener("change-saved", function (event) {
    announce(event.detail && event.detail.message, "success");
    var row = event.target.closest && event.target.closest("tr[id]");
    if (!row) return;
    saved = row.id;
    clearTimeout(savedTimer);
    savedTimer = setTimeout(function () {
      var element = document.getElementById(saved);
      if (element) element.classList.remove("saved");
      saved = null;
    }, 4000);
  });

  // htmx 2 does not swap 4xx/5xx answers: show the refusal's message instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    announce(xhr.getResponseHeader("X-Error-Message") || "That did not work (" + xhr.status + ").", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check your connection and try again.", "error");
  });
})();
