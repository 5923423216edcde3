/* Files: drop them on a form, see what was chosen (and what is over the size limit) before sending, and a progress
   bar while htmx sends the form (its XMLHttpRequest's upload progress). Without JavaScript the forms post as plain
   multipart forms and the page comes back. */
(function () {
  "use strict";
  if (window.rapportAttachments) { return; }
  window.rapportAttachments = true;

  var UNITS = ["B", "KB", "MB", "GB"];

  function sizeText(bytes) {
    var value = bytes, unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) { value /= 1024; unit += 1; }
    return (unit ? value.toFixed(1) : String(value)) + " " + UNITS[unit];
  }

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }

  function showChosen(form, input) {
    var list = form.querySelector(".attach-chosen");
    if (!list) {
      list = document.createElement("ul");
      list.className = "attach-chosen";
      list.setAttribute("aria-live", "polite");
      input.parentNode.insertBefore(list, input.nextSibling);
    }
    list.innerHTML = "";
    var max = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " — " + sizeText(file.size);
      if (max && file.size > max) {
        item.className = "too-big";
        item.textContent += " — " + (input.getAttribute("data-too-big") || "too large");
      }
      list.appendChild(item);
    });
  }

  function setup(form) {
    if (form.dataset.attachReady) { return; }
    form.dataset.attachReady = "1";
    var input = form.querySelector("input[type=file]");
    if (!input) { return; }
    var bar = form.querySelector("progress.attach-progress");

    input.addEventListener("change", function () { showChosen(form, input); });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        if (!hasFiles(event)) { return; }
        event.preventDefault();
        form.classList.add("is-dragover");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("is-dragover"); });
    });
    form.addEventListener("drop", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      var transfer = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { transfer.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      showChosen(form, input);
    });
    form.addEventListener("htmx:beforeRequest", function () {
      if (bar && input.files.length) { bar.value = 0; bar.hidden = false; }
    });
    form.addEventListener("htmx:xhr:progress", function (event) {
      var detail = event.detail || {};
      if (!bar || bar.hidden || !detail.lengthComputable || !detail.total) { return; }
      bar.value = Math.max(bar.value, Math.round((detail.loaded * 100) / detail.total));
    });
    form.addEventListener("htmx:afterRequest", function () { if (bar) { bar.value = 100; } });
  }

  function init() {
    document.querySelectorAll("form[data-attach-form]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSwap", init);
  if (document.readyState !== "loading") { init(); }
})();
