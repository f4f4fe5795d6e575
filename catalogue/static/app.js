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
