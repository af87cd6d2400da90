/* Coverage page: communes coloured by the distance to the nearest supplier; deserts stand out.
   The distance classes and their colours come in the layer's hideout (layouts/coverage.py DISTANCE_CLASSES). */
(function () {
  "use strict";
  var tissu = window.tissu;  // assets/00-tissu-core.js, loaded first
  var last = {km: {}, radius: 0, classes: []};
  var renderers = {};  // one SVG renderer per pane the supplier points are drawn in

  /* classes: [[upper km or null (no bound), colour], ...] in increasing order. */
  function colour(km, classes) {
    for (var i = 0; i < classes.length; i++) {
      if (classes[i][0] === null || km <= classes[i][0]) { return classes[i][1]; }
    }
    return classes[classes.length - 1][1];
  }

  /* A distance as the KPIs write it (callbacks/coverage.py _km): one decimal under 10 km. */
  function km(value) {
    return tissu.frNumber(value, value >= 10 ? 0 : 1) + tissu.NBSP + "km";
  }

  function communeTooltipHtml(name, distance, radius) {
    var none = distance === null || distance === undefined;
    var text = none ? "aucun fournisseur" : km(distance) + " du fournisseur le plus proche";
    var desert = none || distance > radius;
    return "<strong>" + tissu.escapeHtml(name) + "</strong><br>" + text +
      (desert ? "<br><em>désert à " + tissu.escapeHtml(tissu.frNumber(radius)) + tissu.NBSP + "km</em>" : "");
  }

  function supplierTooltipHtml(name) {
    return tissu.escapeHtml(name);
  }

  tissu.coverage = {
    communeTooltipHtml: communeTooltipHtml,
    supplierTooltipHtml: supplierTooltipHtml,
    communeStyle: function (feature, context) {
      var h = (context && context.hideout) || {};
      if (!h.km || !h.classes) { return {stroke: false, fillOpacity: 0}; }
      last = h;
      var distance = h.km[feature.properties.code];
      var none = h.classes[h.classes.length - 1][1];
      if (distance === null || distance === undefined) { return {color: "#b3261e", weight: 0.6, fillColor: none, fillOpacity: 0.9}; }
      var desert = distance > h.radius;
      return {
        color: desert ? "#8c2d19" : "#ffffff", weight: desert ? 0.7 : 0.4, fillColor: colour(distance, h.classes),
        fillOpacity: desert ? 0.95 : 0.8
      };
    },
    communeTooltip: function (feature, layer) {
      layer.bindTooltip(function () {
        return communeTooltipHtml(feature.properties.nom, last.km[feature.properties.code], last.radius);
      }, {sticky: true});
    },
    supplier: function (feature, latlng, context) {
      // The pane (layouts/basemap.py POINTS_PANE) sits above the communes' canvas; an SVG renderer of its own
      // makes each point hoverable while the pointer passes through elsewhere to the communes.
      var pane = (context && context.hideout && context.hideout.pane) || "overlayPane";
      renderers[pane] = renderers[pane] || L.svg({padding: 0.5, pane: pane});
      return L.circleMarker(latlng, {radius: 5, color: "#ffffff", weight: 1.5, fillColor: "#d9731c", fillOpacity: 1,
        pane: pane, renderer: renderers[pane], className: "coverage-supplier"})
        .bindTooltip(supplierTooltipHtml(feature.properties.name), {direction: "top", offset: [0, -5]});
    }
  };
})();
