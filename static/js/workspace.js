/* Workspace behaviour, wired by data attributes (no inline script under the CSP). */
(function () {
  "use strict";

  /* <form data-confirm="…">: ask before a destructive or client-visible action. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* Recurrence picker: show the weekly or the monthly fields. */
  function syncRecurrence(form) {
    var checked = form.querySelector('input[name="pattern"]:checked');
    var pattern = checked ? checked.value : "weekly";
    form.querySelectorAll("[data-pattern]").forEach(function (block) {
      block.hidden = block.getAttribute("data-pattern") !== pattern;
    });
    var ends = form.querySelector('input[name="ends"]:checked');
    var end = ends ? ends.value : "never";
    form.querySelectorAll("[data-ends]").forEach(function (block) {
      block.hidden = block.getAttribute("data-ends") !== end;
    });
  }

  function init(root) {
    root.querySelectorAll("form[data-recurrence]").forEach(function (form) {
      syncRecurrence(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "pattern" || event.target.name === "ends") syncRecurrence(form);
      });
    });
    /* On a phone the tab strip scrolls sideways: bring the current tab into view. */
    root.querySelectorAll(".workspace-tabs").forEach(function (strip) {
      var current = strip.querySelector('[aria-current="page"]');
      if (current && strip.scrollWidth > strip.clientWidth) {
        strip.scrollLeft = current.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
      }
    });
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
