/* Réseau (/reseau, layouts/network_map.py): needs, offers, a need's buyer and suppliers as points; every
   tooltip is the server's plain text, escaped here. */
(function () {
  "use strict";
  var escapeHtml = window.tissu.escapeHtml;  // assets/00-tissu-core.js, loaded first
  var STYLE = {
    need: {radius: 7, fillColor: "#c0392b"},
    offer: {radius: 6, fillColor: "#1f6f8b"},
    supplier: {radius: 6, fillColor: "#1f3a5f"},
    buyer: {radius: 11, fillColor: "#f2a20c", color: "#7a1f14", weight: 3}  // the selected need
  };

  window.tissu.network = {
    postToLayer: function (feature, latlng) {
      var p = feature.properties, s = STYLE[p.kind] || STYLE.need;
      tissu.networkRenderer = tissu.networkRenderer || L.svg({padding: 0.5});
      return L.circleMarker(latlng, {radius: s.radius, fillColor: s.fillColor, color: s.color || "#ffffff",
        weight: s.weight || 1.5,
        fillOpacity: 0.9, className: "net-point net-point-" + p.kind, renderer: tissu.networkRenderer,
        keyboard: false})  // the map is one tab stop: the lists beside it are the keyboard's way in
        .bindTooltip(escapeHtml(p.tip), {direction: "top", offset: [0, -6]});
    }
  };
})();
