/* Shared browser helpers. Dash loads assets/ in alphabetical order: this file's name sorts first, so
   coverage.js, skills.js and tissu.js find window.tissu.escapeHtml and window.tissu.frNumber defined
   when they load. No other asset defines its own escaping or number format. */
(function () {
  "use strict";

  var NBSP = "\u00a0";
  var ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  var formats = {};

  /* Text for an HTML string (tooltips, popups, divIcon html): every name passes through here. */
  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return ESCAPES[c];
    });
  }

  /* 12345.6 -> "12 345,6" with a no-break space, -3 -> "−3" (U+2212), like dashboard.formatting.fr_number;
     null/NaN -> "–". */
  function frNumber(value, decimals) {
    if (value === null || value === undefined || value === "" || isNaN(value)) { return "–"; }
    var d = decimals || 0;
    if (!formats[d]) {
      formats[d] = new Intl.NumberFormat("fr-FR", {minimumFractionDigits: d, maximumFractionDigits: d});
    }
    // Intl groups with a narrow no-break space (U+202F); the server writes U+00A0: keep one.
    // Intl writes a hyphen-minus and "-0" for a tiny negative: the server writes U+2212 and "0".
    var text = formats[d].format(Number(value)).replace(/\u202f/g, NBSP);
    if (text.charAt(0) === "-") { text = /[1-9]/.test(text) ? "\u2212" + text.slice(1) : text.slice(1); }
    return text;
  }

  /* A share in [0, 1] as "12,5 %", like dashboard.formatting.fr_percent. */
  function frPercent(share, decimals) {
    if (share === null || share === undefined || share === "" || isNaN(share)) { return "–"; }
    return frNumber(100 * share, decimals === undefined ? 1 : decimals) + NBSP + "%";
  }

  window.tissu = window.tissu || {};
  window.tissu.NBSP = NBSP;
  window.tissu.escapeHtml = escapeHtml;
  window.tissu.frNumber = frNumber;
  window.tissu.frPercent = frPercent;
  // dash-ag-grid evaluates {"function": "..."} strings with these names in scope (valueFormatter).
  window.dashAgGridFunctions = Object.assign(window.dashAgGridFunctions || {}, {frNumber: frNumber, frPercent: frPercent});
})();
