/* Page layout in the browser: the explorer's filter panel, folded behind a button on phones (assets/tissu.css). */
(function () {
  "use strict";

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tissuLayout: {
      toggleFilters: function (n) {
        var open = n % 2 === 1;
        return [open ? "side-panel filters-open" : "side-panel", open ? "true" : "false"];
      }
    }
  });
})();
