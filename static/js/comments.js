/* Comment boxes: @mention autocomplete (an ARIA combobox over the textarea), Ctrl+Enter posts, focus after posting. */
(function () {
  "use strict";
  if (window.rapportComments) { return; }
  window.rapportComments = true;

  var MENTION = /(^|[\s(])@([^\s@]*)$/;

  function setup(form) {
    if (form.dataset.commentReady) { return; }
    form.dataset.commentReady = "1";
    var box = form.querySelector("textarea[data-mentions]");
    if (!box) { return; }
    var url = form.getAttribute("data-mentionable-url");
    var list = document.createElement("ul");
    list.id = (box.id || "comment") + "-mentions";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", box.getAttribute("data-mentions-label") || "People");
    list.hidden = true;
    box.parentNode.insertBefore(list, box.nextSibling);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");
    var active = -1, people = [], pending = null;

    function close() {
      list.hidden = true; list.innerHTML = ""; active = -1; people = [];
      box.setAttribute("aria-expanded", "false"); box.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (items[index]) { box.setAttribute("aria-activedescendant", items[index].id); }
    }
    function choose(index) {
      var person = people[index];
      if (!person) { return; }
      var before = box.value.slice(0, box.selectionStart), after = box.value.slice(box.selectionStart);
      before = before.replace(/@([^\s@]*)$/, person.mention + " ");
      box.value = before + after;
      box.selectionStart = box.selectionEnd = before.length;
      close(); box.focus();
    }
    function show(results) {
      people = results; list.innerHTML = "";
      if (!results.length) { close(); return; }
      results.forEach(function (person, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = person.name + " — " + person.email;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false; box.setAttribute("aria-expanded", "true"); highlight(0);
    }
    function lookup() {
      var match = MENTION.exec(box.value.slice(0, box.selectionStart));
      if (!match || !url) { close(); return; }
      var internal = form.querySelector("input[name=internal]");
      var query = url + (url.indexOf("?") < 0 ? "?" : "&") + "page_size=8&q=" + encodeURIComponent(match[2]) +
        (internal && internal.checked ? "&internal=1" : "");
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(query, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending.signal })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { show(data.results || []); })
        .catch(function () { /* aborted or offline: no suggestions */ });
    }
    box.addEventListener("input", lookup);
    box.addEventListener("blur", function () { window.setTimeout(close, 150); });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault(); close();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        return;
      }
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % people.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + people.length) % people.length); }
      else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
  }

  function init(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("form[data-comment-form]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    init(document);
    var target = document.querySelector("#comments [data-edit-focus], #comments [data-focus]");
    if (target) {
      target.focus();
      if (target.setSelectionRange) { target.setSelectionRange(target.value.length, target.value.length); }
      return;
    }
    var status = document.querySelector("#comments [role=status]");
    if (status && status.textContent.trim()) {
      var box = document.querySelector("#comments textarea[data-mentions]");
      if (box) { box.focus(); }
    }
  });
  if (document.readyState !== "loading") { init(document); }
})();
