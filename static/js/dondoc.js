// dondoc's small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Dates: the same spellings as dondoc/core/dates.py (30/06/2026, 30/6/2026, 30.06.2026,
  // 30-06-2026, 30062026, 2026-06-30). Returns a Date or null.
  function parseDay(text) {
    var value = (text || "").trim(), m, day, month, year;
    if ((m = /^(\d{1,2})([\/.\- ])(\d{1,2})\2(\d{4})$/.exec(value))) {
      day = +m[1]; month = +m[3]; year = +m[4];
    } else if ((m = /^(\d{2})(\d{2})(\d{4})$/.exec(value))) {
      day = +m[1]; month = +m[2]; year = +m[3];
    } else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value))) {
      day = +m[3]; month = +m[2]; year = +m[1];
    } else {
      return null;
    }
    var date = new Date(year, month - 1, day);
    return date.getMonth() === month - 1 && date.getDate() === day ? date : null;
  }

  function formatDay(date) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(date.getDate()) + "/" + two(date.getMonth() + 1) + "/" + date.getFullYear();
  }

  var pickerCount = 0;

  // A calendar button beside each dd/mm/yyyy text field (input.js-date). The field stays
  // the way to type a date (number pad on phones); the calendar is an aid to choose one.
  function addDatePicker(input) {
    var template = document.getElementById("date-picker-button");
    if (!window.Datepicker || !template || input.closest(".date-field")) { return; }
    pickerCount += 1;
    var group = document.createElement("div");
    group.className = "input-group date-field";
    input.parentNode.insertBefore(group, input);
    group.appendChild(input);
    var button = template.content.firstElementChild.cloneNode(true);
    var popover = document.createElement("div");
    popover.className = "date-popover shadow";
    popover.id = (input.id || "date") + "-calendar-" + pickerCount;
    popover.hidden = true;
    button.setAttribute("aria-controls", popover.id);
    group.appendChild(button);
    group.appendChild(popover);
    var calendar = null;

    function close(focusButton) {
      popover.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (focusButton) { button.focus(); }
    }
    function open() {
      var lang = document.documentElement.lang === "en" ? "en-GB" : "vi";
      if (!calendar) {
        calendar = new window.Datepicker(popover, {
          format: "dd/mm/yyyy", language: lang, weekStart: 1, buttonClass: "btn",
          todayButton: true, todayButtonMode: 1, todayHighlight: true, clearButton: false
        });
        popover.addEventListener("changeDate", function (event) {
          if (!event.detail.date || popover.hidden) { return; }
          input.value = formatDay(event.detail.date);
          input.dispatchEvent(new Event("change", { bubbles: true }));
          close(false);
          input.focus();
        });
      }
      var typed = parseDay(input.value);
      popover.hidden = true; // setDate must not count as the user's choice
      if (typed) { calendar.setDate(typed); } else { calendar.setDate({ clear: true }); }
      popover.hidden = false;
      button.setAttribute("aria-expanded", "true");
    }
    button.addEventListener("click", function () {
      if (popover.hidden) { open(); } else { close(false); }
    });
    group.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !popover.hidden) { event.preventDefault(); close(true); }
    });
    document.addEventListener("click", function (event) {
      if (!popover.hidden && !group.contains(event.target)) { close(false); }
    });
    // Show what was understood: "30062026" becomes "30/06/2026" on leaving the field.
    input.addEventListener("change", function () {
      var typed = parseDay(input.value);
      if (typed) { input.value = formatDay(typed); }
    });
  }

  function enhance(root) {
    root.querySelectorAll("input.js-date").forEach(addDatePicker);
    // Progress bars: widths come from data attributes (the CSP forbids inline styles).
    root.querySelectorAll("[data-progress]").forEach(function (el) {
      var value = Math.max(0, Math.min(100, parseFloat(el.getAttribute("data-progress")) || 0));
      el.style.width = value + "%";
    });
    // Searchable selects (unit pickers): Tom Select, vendored.
    if (window.TomSelect) {
      root.querySelectorAll("select.js-searchable:not(.tomselected)").forEach(function (el) {
        var settings = { maxOptions: 500, allowEmptyOption: true,
          plugins: el.multiple ? ["remove_button"] : [] };
        // A tree too large to list in the page (a ministry): the picker holds the chosen
        // units and asks the server as the user types (the server matches any accents,
        // so every answer it gives is shown as it is).
        var marker = el.querySelector("option[data-units-url]");
        if (marker) {
          var url = marker.getAttribute("data-units-url");
          marker.remove();
          settings.valueField = "value";
          settings.labelField = "text";
          settings.searchField = [];
          settings.maxOptions = 50;
          settings.loadThrottle = 250;
          settings.shouldLoad = function (query) { return query.trim().length > 0; };
          settings.score = function () { return function () { return 1; }; };
          settings.load = function (query, callback) {
            fetch(url + "?q=" + encodeURIComponent(query), {
              headers: { "Accept": "application/json" }, credentials: "same-origin" })
              .then(function (response) { return response.ok ? response.json() : { results: [] }; })
              .then(function (body) { callback(body.results); })
              .catch(function () { callback(); });
          };
        }
        var picker = new window.TomSelect(el, settings);
        // Tom Select moves the label to its own control; the original (hidden) select
        // keeps the same name for screen readers and checkers.
        var label = document.querySelector('label[for="' + picker.control_input.id + '"]');
        if (label && label.id) { el.setAttribute("aria-labelledby", label.id); }
      });
    }
    // A wide table that scrolls sideways (phones) must be reachable by keyboard to scroll.
    root.querySelectorAll(".table-responsive").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
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
  // Filter panels start closed on a phone: the results come first, the chosen filters
  // show as chips above them, and "Filters (n)" opens the panel.
  var small = window.matchMedia("(max-width: 767.98px)");
  function collapseFilters() {
    if (!small.matches) { return; }
    document.querySelectorAll("details[data-collapse-small][open]").forEach(function (el) {
      el.removeAttribute("open");
    });
  }
  collapseFilters();
  // After an htmx swap of the results, the panel's count follows the chips.
  function countFilters() {
    var results = document.getElementById("task-results");
    var count = document.querySelector("details.filters .filter-count");
    if (!results || !count) { return; }
    var n = parseInt(results.getAttribute("data-filter-count") || "0", 10);
    count.textContent = n > 0 ? " (" + n + ")" : "";
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    enhance(event.target);
    countFilters();
  });
})();
