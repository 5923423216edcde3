/* Client portal: keeps the percent slider and number in step, and copies the calendar address.
   Everything works without it: the number input carries the value, the address is selectable. */
(function () {
  "use strict";
  // The partials load this file themselves (they are included on other people's pages too): wire once.
  if (window.rapportClientWired) { return; }
  window.rapportClientWired = true;

  function wirePercent(root) {
    root.querySelectorAll("input[data-percent-sync]").forEach(function (range) {
      if (range.dataset.wired) { return; }
      var number = document.getElementById(range.dataset.percentSync);
      if (!number) { return; }
      range.dataset.wired = "1";
      range.hidden = false;
      range.value = number.value || 0;
      range.addEventListener("input", function () { number.value = range.value; });
      number.addEventListener("input", function () {
        var value = parseInt(number.value, 10);
        if (!isNaN(value)) { range.value = Math.max(0, Math.min(100, value)); }
      });
    });
  }

  function wireCopy(root) {
    root.querySelectorAll("button[data-copy-target]").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.dataset.copyTarget);
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = button.dataset.copiedText || "Copied";
        });
      });
    });
  }

  function wire(root) {
    wirePercent(root);
    wireCopy(root);
  }

  // A refused answer (400 / 403 / 409) carries the form with its message: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 403 || status === 409) && target && target.matches("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { wirePercent(event.target); });
})();
