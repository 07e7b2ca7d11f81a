// dondoc's small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function enhance(root) {
    // Progress bars: widths come from data attributes (the CSP forbids inline styles).
    root.querySelectorAll("[data-progress]").forEach(function (el) {
      var value = Math.max(0, Math.min(100, parseFloat(el.getAttribute("data-progress")) || 0));
      el.style.width = value + "%";
    });
    // Searchable selects (unit pickers): Tom Select, vendored.
    if (window.TomSelect) {
      root.querySelectorAll("select.js-searchable:not(.tomselected)").forEach(function (el) {
        new window.TomSelect(el, { maxOptions: 500, allowEmptyOption: true,
          plugins: el.multiple ? ["remove_button"] : [] });
      });
    }
    // Move focus to an error summary so screen readers announce it.
    var summary = root.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }

  // A print button (<button data-print>): the CSP forbids inline handlers.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  // Confirmation for destructive buttons: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
