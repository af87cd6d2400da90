/* Page layout in the browser: the explorer's filter panel, folded behind a button on phones (assets/tissu.css). */
(function () {
  "use strict";

  /* Active filters in the explorer's criteria (the capability mode is a setting of another filter, not one). */
  function activeFilters(criteria) {
    var n = 0;
    Object.keys(criteria || {}).forEach(function (key) {
      var value = criteria[key];
      if (key !== "capability_mode" && (Array.isArray(value) ? value.length : value)) { n += 1; }
    });
    return n;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tissuLayout: {
      toggleFilters: function (n) {
        var open = n % 2 === 1;
        return [open ? "side-panel filters-open" : "side-panel", open ? "true" : "false"];
      },

      filterCount: function (criteria) {
        var n = activeFilters(criteria);
        return n ? "Filtres (" + n + ")" : "Filtres";
      }
    }
  });
})();
