/* The context layer across the border (issue 18): NUTS-3 regions outside Lorraine (discreet dashed outlines, name
   and country on hover) and the sites abroad (small squares, a tooltip with name, town, country and capabilities).
   Both arrive as per-dataset payloads (dashboard/services/cross_border.py); every text passes through escapeHtml. */
(function () {
  "use strict";

  var tissu = window.tissu;
  var escapeHtml = tissu.escapeHtml;

  tissu.border = {
    regionStyle: function () {
      return {color: "#7a8797", weight: 1, dashArray: "4 3", fillColor: "#eef1f4", fillOpacity: 0.35};
    },
    regionTooltip: function (feature, layer) {
      var p = feature.properties;
      layer.bindTooltip("<strong>" + escapeHtml(p.nom) + "</strong><br>" + escapeHtml(p.pays_label) +
        " · NUTS " + escapeHtml(p.code), {sticky: true, className: "border-tooltip"});
    },
    siteToLayer: function (feature, latlng) {
      var p = feature.properties;
      var icon = L.divIcon({html: "", className: "border-site", iconSize: L.point(11, 11)});
      var lines = ["<strong>" + escapeHtml(p.name) + "</strong>" + (p.demo ? " <em>(fictif)</em>" : ""),
        escapeHtml(p.town) + " · " + escapeHtml(p.country)];
      if (p.jobs) { lines.push(escapeHtml(p.jobs) + " emplois estimés"); }
      if (p.capabilities && p.capabilities.length) { lines.push(escapeHtml(p.capabilities.join(" · "))); }
      // Below every other marker (zIndexOffset): a partner pin or a card marker at the same place stays on top.
      return L.marker(latlng, {icon: icon, keyboard: false, title: p.name, zIndexOffset: -1000})
        .bindTooltip(lines.join("<br>"), {direction: "top", offset: [0, -6], className: "border-tooltip"});
    }
  };
})();
