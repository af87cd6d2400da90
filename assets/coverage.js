/* Coverage page: communes coloured by the distance to the nearest supplier; deserts stand out. */
(function () {
  "use strict";
  var CLASSES = [[10, "#08519c"], [25, "#3182bd"], [50, "#9ecae1"], [100, "#fdd0a2"], [Infinity, "#e6550d"]];
  var last = {km: {}, radius: 0, label: ""};

  function colour(km) {
    for (var i = 0; i < CLASSES.length; i++) { if (km <= CLASSES[i][0]) { return CLASSES[i][1]; } }
    return CLASSES[CLASSES.length - 1][1];
  }

  window.tissu = window.tissu || {};
  window.tissu.coverage = {
    communeStyle: function (feature, context) {
      var h = (context && context.hideout) || {};
      if (!h.km) { return {stroke: false, fillOpacity: 0}; }
      last = h;
      var km = h.km[feature.properties.code];
      if (km === null || km === undefined) { return {color: "#b3261e", weight: 0.6, fillColor: "#e6550d", fillOpacity: 0.9}; }
      var desert = km > h.radius;
      return {
        color: desert ? "#8c2d19" : "#ffffff", weight: desert ? 0.7 : 0.4, fillColor: colour(km),
        fillOpacity: desert ? 0.95 : 0.8
      };
    },
    communeTooltip: function (feature, layer) {
      layer.bindTooltip(function () {
        var km = last.km[feature.properties.code];
        var text = km === null || km === undefined ? "aucun fournisseur"
          : (Math.round(km * 10) / 10).toString().replace(".", ",") + "\u00a0km du fournisseur le plus proche";
        var desert = km === null || km === undefined || km > last.radius;
        return "<strong>" + feature.properties.nom + "</strong><br>" + text +
          (desert ? "<br><em>désert à " + last.radius + "\u00a0km</em>" : "");
      }, {sticky: true});
    },
    supplier: function (feature, latlng) {
      return L.circleMarker(latlng, {radius: 5, color: "#ffffff", weight: 1.5, fillColor: "#d9731c", fillOpacity: 1})
        .bindTooltip(feature.properties.name);
    }
  };
})();
