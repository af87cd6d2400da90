/* Event pages: kiosk rotation (clientside, no server round trip), pause, agenda printing. */
(function () {
  var ns = window.dash_clientside = window.dash_clientside || {};
  ns.tissuEvent = {
    /* Tick n -> visible slide ("show-<i>"); each department has its own pre-framed map slide, so nothing
       moves on a slide and nothing accumulates: one class name is replaced on each tick. */
    rotate: function (n, config) {
      if (!config || !config.n) { return window.dash_clientside.no_update; }
      return "kiosk-deck show-" + ((n || 0) % config.n);
    },
    pause: function (clicks, disabled) {
      var paused = !disabled;
      return [paused, paused ? "▶" : "❚❚"];
    }
  };
  /* The department slides' layers: the department shown stands out over its neighbours; its sites are dots. */
  var tissu = window.tissu = window.tissu || {};
  tissu.kiosk = {
    departmentStyle: function (feature, context) {
      var mine = feature.properties.code === ((context && context.hideout) || {}).code;
      return mine ? {color: "#f2a65a", weight: 5, fillColor: "#f2a65a", fillOpacity: 0.08}
        : {color: "#3d4b5c", weight: 1.5, fill: true, fillColor: "#0b1524", fillOpacity: 0.35};
    },
    siteToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {radius: 3, stroke: false, fillColor: "#1f3a5f", fillOpacity: 0.75,
        interactive: false});
    }
  };
  document.addEventListener("click", function (e) {
    var target = e.target && e.target.closest ? e.target.closest("#event-print") : null;
    if (target) { window.print(); }
  });
})();
