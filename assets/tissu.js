/* Functions used by dash-leaflet ({"variable": "tissu.map.fn"}) and clientside callbacks.
   Geometry and points are sent once; everything here runs in the browser. */
(function () {
  "use strict";

  function frenchCount(n) {
    if (n >= 10000) { return Math.round(n / 1000) + "\u00a0k"; }
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  window.tissu = window.tissu || {};
  window.tissu.map = {
    communeStyle: function (feature, context) {
      var tiles = context && context.hideout && context.hideout.tiles;
      return {color: "#c3ccd6", weight: 0.6, fillColor: "#fbfcfd", fillOpacity: tiles ? 0.15 : 1};
    },
    departmentStyle: function () {
      return {color: "#3d4b5c", weight: 1.8, fill: false};
    },
    pointToLayer: function (feature, latlng, context) {
      var colors = (context && context.hideout && context.hideout.colors) || [];
      var marker = L.circleMarker(latlng, {
        radius: 6, fillColor: colors[feature.properties.f] || "#6b7280", color: "#ffffff",
        weight: 1.2, fillOpacity: 0.95
      });
      marker.bindTooltip(escapeHtml(feature.properties.n), {direction: "top", offset: [0, -6]});
      return marker;
    },
    clusterToLayer: function (feature, latlng) {
      var n = feature.properties.point_count;
      var size = n < 100 ? "small" : (n < 1000 ? "medium" : "large");
      var px = {small: 34, medium: 42, large: 52}[size];
      var icon = L.divIcon({
        html: "<div><span>" + frenchCount(n) + "</span></div>",
        className: "marker-cluster tissu-cluster tissu-cluster-" + size,
        iconSize: L.point(px, px)
      });
      return L.marker(latlng, {icon: icon, title: frenchCount(n) + " établissements"});
    }
  };

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tissu: {
      /* Column store {id, lat, lon, f, n, ...} -> GeoJSON FeatureCollection for the clustered layer. */
      buildPoints: function (store) {
        if (!store || !store.lat) { return {type: "FeatureCollection", features: []}; }
        var n = store.lat.length, features = new Array(n);
        for (var i = 0; i < n; i++) {
          features[i] = {
            type: "Feature",
            geometry: {type: "Point", coordinates: [store.lon[i], store.lat[i]]},
            properties: {i: i, f: store.f[i], n: store.n[i]}
          };
        }
        return {type: "FeatureCollection", features: features};
      }
    }
  });
})();
