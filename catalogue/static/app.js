// Progressive enhancement for the search page; everything works without it.
(function () {
  "use strict";
  var form = document.querySelector("form.search-layout");
  if (!form) return;

  // Keep shared links short: leave empty fields out of the query string.
  function queryOf() {
    var query = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.value === "") return;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
      query.append(field.name, field.value);
    });
    var text = query.toString();
    return form.getAttribute("action") + (text ? "?" + text : "");
  }

  // A changed filter updates the results and the filters' counts in place, and the address, so
  // that it stays the link to share; Back and Forward walk through the searches. Anything
  // unexpected (a bad value, a network error) falls back to loading the page.
  var results = form.querySelector("section.results");
  var filterBody = form.querySelector(".filter-body");
  var canUpdate = results && filterBody && window.fetch && window.DOMParser &&
    window.history && window.history.pushState;
  var asked = 0;
  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  document.body.appendChild(live);

  // `fromLink`: a link in the results (next page, "Meinten Sie", a filter to drop) asked for it;
  // the search field then takes the new text, and the results' heading takes the focus.
  function update(url, isBack, fromLink) {
    var question = ++asked;
    results.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (question !== asked) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        var newResults = page.querySelector("form.search-layout section.results");
        var newFilters = page.querySelector("form.search-layout .filter-body");
        var newSummary = page.querySelector("form.search-layout details.filters > summary");
        if (!newResults || !newFilters) throw new Error("not a search page");
        var focused = document.activeElement && document.activeElement.id;
        results.innerHTML = newResults.innerHTML;
        filterBody.innerHTML = newFilters.innerHTML;
        var summary = form.querySelector("details.filters > summary");
        if (summary && newSummary) summary.innerHTML = newSummary.innerHTML;
        var text = form.querySelector("input[name=q]");
        var newText = page.querySelector("form.search-layout input[name=q]");
        if (text && newText && (fromLink || isBack)) text.value = newText.value;
        document.title = page.title;
        results.removeAttribute("aria-busy");
        if (!isBack) window.history.pushState({ search: true }, "", url);
        var heading = results.querySelector("#results-heading");
        var again = focused && document.getElementById(focused);
        if (fromLink && heading) {
          heading.focus();
          heading.scrollIntoView();
        } else if (again && again !== document.activeElement) {
          again.focus();
        }
        live.textContent = heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
        document.dispatchEvent(new CustomEvent("catalogue:updated", { detail: { root: results } }));
      })
      .catch(function () {
        if (question === asked) window.location.assign(url);
      });
  }

  form.addEventListener("submit", function (event) {
    if (!canUpdate) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.value === "" && field.type !== "checkbox") field.disabled = true;
      });
      return;
    }
    event.preventDefault();
    update(queryOf());
  });
  if (canUpdate) {
    form.addEventListener("change", function (event) {
      // The search text waits for Enter or the button; every filter acts at once.
      if (event.target.name && event.target.name !== "q") update(queryOf());
    });
    results.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      if (!link || event.defaultPrevented || event.button !== 0 ||
          event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      var target = new URL(link.href, window.location.href);
      var searchPage = new URL(form.getAttribute("action"), window.location.href);
      // Only other searches stay in place; an offer's page is a page of its own.
      if (target.origin !== searchPage.origin || target.pathname !== searchPage.pathname) return;
      event.preventDefault();
      update(target.pathname + target.search, false, true);
    });
    window.history.replaceState({ search: true }, "", window.location.href);
    window.addEventListener("popstate", function (event) {
      if (event.state && event.state.search) update(window.location.href, true);
    });
  }

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

// The watchlist ("Merkliste"): offer slugs in this browser's localStorage, no account. Adds a
// "Merken" toggle to offer cards and the offer page, the count to the header link, and on
// /merkliste fills an empty address from the stored list and offers to share the link. Its words
// come from data- attributes that the templates render in the page's language. Without
// JavaScript (or storage) none of this appears and /merkliste explains the list.
(function () {
  "use strict";
  var link = document.querySelector("a[data-watchlist]");
  if (!link) return;
  var KEY = "merkliste";
  var SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var max = parseInt(link.getAttribute("data-max"), 10) || 50;
  var base = link.getAttribute("href");
  var storage;
  try {
    storage = window.localStorage;
    storage.setItem(KEY + "-probe", "1");
    storage.removeItem(KEY + "-probe");
  } catch (error) {
    return; // storage switched off: the page stays as the server made it
  }

  function read() {
    var list;
    try { list = JSON.parse(storage.getItem(KEY) || "[]"); } catch (error) { list = []; }
    if (!Array.isArray(list)) return [];
    return list.filter(function (slug, i) {
      return typeof slug === "string" && SLUG.test(slug) && list.indexOf(slug) === i;
    }).slice(0, max);
  }

  function write(list) {
    try { storage.setItem(KEY, JSON.stringify(list)); } catch (error) { /* quota: keep the old list */ }
  }

  function urlOf(list) {
    return list.length ? base + "?angebote=" + list.join(",") : base;
  }

  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  function announce(text) { status.textContent = text; }

  var count = link.querySelector("[data-watchlist-count]");
  var buttons = [];
  function render() {
    var list = read();
    if (count) count.textContent = list.length ? " (" + list.length + ")" : "";
    link.setAttribute("href", urlOf(list));
    buttons.forEach(function (button) {
      var saved = list.indexOf(button.getAttribute("data-slug")) >= 0;
      button.setAttribute("aria-pressed", saved ? "true" : "false");
    });
  }

  var changed = function () {};
  function toggle(slug) {
    var list = read();
    var at = list.indexOf(slug);
    if (at >= 0) {
      list.splice(at, 1);
    } else if (list.length >= max) {
      return announce(link.getAttribute("data-label-full"));
    } else {
      list.push(slug);
    }
    write(list);
    render();
    changed(list);
    announce(link.getAttribute(at >= 0 ? "data-label-removed" : "data-label-added"));
  }

  function decorate(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-watch-slug]"), addButton);
  }
  function addButton(holder) {
    var slug = holder.getAttribute("data-watch-slug");
    if (!SLUG.test(slug) || holder.querySelector(".watch-toggle")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "watch-toggle";
    button.setAttribute("data-slug", slug);
    var icon = document.createElement("span");
    icon.className = "watch-icon";
    icon.setAttribute("aria-hidden", "true");
    button.appendChild(icon);
    button.appendChild(document.createTextNode(link.getAttribute("data-label-add")));
    // Many cards, many "Merken" buttons: the offer's title tells them apart for screen readers.
    var heading = holder.querySelector("h1, h2, h3");
    if (heading) {
      var name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = " " + heading.textContent.trim();
      button.appendChild(name);
    }
    button.addEventListener("click", function () { toggle(slug); });
    holder.appendChild(button);
    buttons.push(button);
  }
  decorate(document);
  // Results replaced in place (search page above) bring new cards.
  document.addEventListener("catalogue:updated", function (event) {
    buttons = buttons.filter(function (button) { return document.body.contains(button); });
    decorate(event.detail.root);
    render();
  });

  var page = document.querySelector("[data-watchlist-page]");
  if (page) {
    // Not <noscript>: this also holds when scripts run but storage is switched off.
    var note = page.querySelector("[data-without-script]");
    if (note) note.hidden = true;
    var mine = read();
    if (page.getAttribute("data-requested") !== "true" && mine.length) {
      window.location.replace(urlOf(mine));
      return;
    }
    var shown = (page.getAttribute("data-shown") || "").split(",").filter(Boolean);
    var asked = (new URLSearchParams(window.location.search).getAll("angebote").join(","))
      .split(",").filter(Boolean);
    var shareLink = page.querySelector("[data-share-link]");
    // The page shows this browser's own list: offers no longer in the catalogue leave it, and
    // what is added or removed here shows in the address and the link to share.
    var isOwn = mine.length > 0 && asked.length === mine.length &&
      mine.every(function (slug) { return asked.indexOf(slug) >= 0; });
    if (isOwn) {
      var kept = mine.filter(function (slug) { return shown.indexOf(slug) >= 0; });
      changed = function (list) {
        var url = urlOf(list);
        window.history.replaceState(null, "", url);
        if (shareLink) {
          shareLink.href = url;
          shareLink.textContent = shareLink.href;
        }
      };
      if (kept.length < mine.length) {
        write(kept);
        changed(kept);
      }
    }
    // A list someone else shared (or from another device) can join this browser's own list.
    var saveAll = page.querySelector("[data-save-all]");
    var missing = shown.filter(function (slug) { return mine.indexOf(slug) < 0; });
    if (saveAll && missing.length && mine.length + missing.length <= max) {
      saveAll.hidden = false;
      saveAll.addEventListener("click", function () {
        var list = read();
        shown.forEach(function (slug) { if (list.indexOf(slug) < 0) list.push(slug); });
        write(list.slice(0, max));
        render();
        saveAll.hidden = true;
        announce(link.getAttribute("data-label-added"));
      });
    }
    var share = page.querySelector("[data-share]");
    var shareStatus = page.querySelector("[data-share-status]");
    if (share && shareLink) {
      share.hidden = false;
      share.addEventListener("click", function () {
        var url = shareLink.href;
        function select() {
          var range = document.createRange();
          range.selectNodeContents(shareLink);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          shareStatus.textContent = share.getAttribute("data-label-select");
        }
        if (navigator.share) {
          navigator.share({ title: document.title, url: url }).catch(function () {});
        } else if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(url).then(function () {
            shareStatus.textContent = share.getAttribute("data-label-copied");
          }, select);
        } else {
          select();
        }
      });
    }
  }
  render();
  window.addEventListener("storage", function (event) { if (event.key === KEY) render(); });
})();
