/* Event pages: kiosk rotation (clientside, no server round trip), pause, agenda printing. */
(function () {
  var ns = window.dash_clientside = window.dash_clientside || {};
  ns.tissuEvent = {
    /* Tick n -> visible slide ("show-<i>"), and on the map slide the next department (flyTo) and its caption.
       Nothing accumulates: one class name and one viewport are replaced on each tick. */
    rotate: function (n, config) {
      var noUpdate = window.dash_clientside.no_update;
      if (!config || !config.n) { return [noUpdate, noUpdate, noUpdate]; }
      var ticks = config.ticks || 4;
      var tick = n || 0;
      var slide = Math.floor(tick / ticks) % config.n;
      var viewport = noUpdate, caption = noUpdate;
      if (slide === config.map && config.stops && config.stops.length) {
        var stop = config.stops[tick % ticks % config.stops.length];
        viewport = {center: [stop.lat, stop.lon], zoom: stop.zoom, transition: "flyTo"};
        caption = stop.caption;
      }
      return ["kiosk-deck show-" + slide, viewport, caption];
    },
    pause: function (clicks, disabled) {
      var paused = !disabled;
      return [paused, paused ? "▶" : "❚❚"];
    }
  };
  document.addEventListener("click", function (e) {
    var target = e.target && e.target.closest ? e.target.closest("#event-print") : null;
    if (target) { window.print(); }
  });
})();
