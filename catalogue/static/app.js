// Progressive enhancement for the search page; everything works without it.
(function () {
  "use strict";
  var form = document.querySelector("form.search-layout");
  if (!form) return;

  // Keep shared links short: leave empty fields out of the query string.
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value === "" && field.type !== "checkbox") field.disabled = true;
    });
  });

  // On a phone the filters fold away until asked for, so that the results come first; the
  // summary says how many are in use.
  var filters = form.querySelector("details.filters");
  if (filters && window.matchMedia("(max-width: 55.99rem)").matches) {
    filters.removeAttribute("open");
  }
})();

// Suggestions under the search field as someone types (/api/v1/suggest), as an ARIA combobox:
// arrow keys move through them, Enter opens the chosen one, Escape closes the list. Without
// JavaScript the field is a plain search field.
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) return;
  var kinds = JSON.parse(input.getAttribute("data-suggest-kinds") || "{}");
  var list = document.createElement("ul");
  list.id = input.id + "-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  var fieldLabel = document.querySelector('label[for="' + input.id + '"]');
  if (fieldLabel) list.setAttribute("aria-label", fieldLabel.textContent.trim());
  list.hidden = true;
  input.parentNode.parentNode.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");

  var items = [];
  var active = -1;
  var timer = null;
  var asked = 0; // answers to older questions arrive late and are dropped

  // The API's links are absolute, on the configured public address; stay on this one.
  function open(item) {
    var target = new URL(item.url, window.location.href);
    window.location.assign(target.pathname + target.search);
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
    } else {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    }
  }

  function show(suggestions) {
    items = suggestions;
    list.textContent = "";
    suggestions.forEach(function (item, i) {
      var option = document.createElement("li");
      option.id = list.id + "-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var label = document.createElement("span");
      label.textContent = item.label;
      option.appendChild(label);
      if (kinds[item.kind]) {
        var kind = document.createElement("span");
        kind.className = "suggestion-kind";
        kind.textContent = " · " + kinds[item.kind];
        option.appendChild(kind);
      }
      // mousedown would take the focus from the field before the click lands.
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { open(item); });
      list.appendChild(option);
    });
    if (!suggestions.length) return close();
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  }

  function ask() {
    var text = input.value.trim();
    var question = ++asked;
    if (text.length < 2) return close();
    var url = input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (body) { if (question === asked) show(body.suggestions || []); })
      .catch(function () { if (question === asked) close(); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    var isOpen = !list.hidden && items.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen) return ask();
      // From the field to the first option and round again, through the field.
      var next = active + (event.key === "ArrowDown" ? 1 : -1);
      if (next >= items.length) next = -1;
      if (next < -1) next = items.length - 1;
      highlight(next);
    } else if (event.key === "Enter" && isOpen && active >= 0) {
      event.preventDefault();
      open(items[active]);
    } else if (event.key === "Escape" && isOpen) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
})();
