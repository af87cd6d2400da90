/* Skills page (layouts/skills.py): territory colours and tooltips come in the layer's hideout, computed on the
   server; the zones d'emploi geometry is loaded once. */
(function () {
  "use strict";
  var state = {hideout: null};
  var escapeHtml = window.tissu.escapeHtml;  // assets/00-tissu-core.js, loaded first

  window.tissu.skills = {
    state: state,  // what the tooltips read (inspected by tests/test_browser_skills.py)
    areaStyle: function (feature, context) {
      var hide = (context && context.hideout) || {};
      // Leaflet may restyle with a stale context: keep the newest hideout (`v` grows with each server update).
      if (!state.hideout || (hide.v || 0) >= (state.hideout.v || 0)) { state.hideout = hide; }
      var color = (hide.colors || {})[feature.properties.code];
      if (!color) { return {stroke: false, fillOpacity: 0}; }
      return {color: "#ffffff", weight: 1.2, fillColor: color, fillOpacity: 0.85};
    },
    areaTooltip: function (feature, layer) {
      layer.bindTooltip(function () {
        var tips = (state.hideout && state.hideout.tips) || {};
        var tip = tips[feature.properties.code];
        return tip ? escapeHtml(tip) : "<strong>" + escapeHtml(feature.properties.nom) + "</strong><br>hors sélection";
      }, {sticky: true, className: "skills-tooltip"});
    },
    siteToLayer: function (feature, latlng) {
      var teaches = feature.properties.teaches;
      var icon = L.divIcon({html: "<span>F</span>", iconSize: L.point(22, 22),
        className: "skills-site" + (teaches ? " skills-site-teaches" : "")});
      return L.marker(latlng, {icon: icon, zIndexOffset: 1000, keyboard: false})  // the map is one tab stop
        .bindTooltip(escapeHtml(feature.properties.tooltip), {direction: "top", offset: [0, -10]});
    },
    employerToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {radius: 2.8, color: "#1f3a5f", weight: 0.5, fillColor: "#1f3a5f",
        fillOpacity: 0.55, className: "skills-employer"})
        .bindTooltip(escapeHtml(feature.properties.tooltip), {direction: "top"});
    }
  };
})();
