/* The explorer's map above the client threshold (TISSU_CLIENT_POINTS_MAX): the page then has no point store, and
   the clusters of the view, the KPI totals and the choropleth values come from the server
   (/api/v1/map/clusters and /api/v1/map/units, dashboard/services/map_clusters.py), computed with the same
   filters and the same grid as assets/tissu.js and assets/clusters.js, so the map looks and counts the same.
   The "point store" is then {server: {clusters: url, units: url}}. An answer is drawn as soon as it arrives,
   unless the answer to a newer request of its kind has already been drawn (a fast pan sends several; the first
   view, estimated before the map reports its bounds, is drawn while the exact one is on its way). */
(function () {
  "use strict";

  var tissu = window.tissu;  // assets/00-tissu-core.js, loaded first
  var latest = {clusters: 0, units: 0}, delivered = {clusters: 0, units: 0}, last = {clusters: null, units: null};

  /* The criteria (query-parameter dict) as URL parameters; defaults left out (as the address bar shows them). */
  function criteriaParams(criteria) {
    var params = new URLSearchParams();
    Object.keys(criteria || {}).forEach(function (key) {
      var value = criteria[key];
      if (Array.isArray(value)) { if (value.length) { params.set(key, value.join(",")); } }
      else if (value !== "" && value !== null && value !== undefined && !(key === "capability_mode" && value === "all")) {
        params.set(key, value);
      }
    });
    return params;
  }

  function latOf(y) { return Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180 / Math.PI; }

  /* The map's bounds [[south, west], [north, east]], or, before it has reported them, estimated from its centre,
     zoom and the window's size (as clusters.js does). */
  function viewBounds(bounds, center, zoom) {
    if (bounds && bounds.length === 2) { return bounds; }
    if (!center || zoom === null || zoom === undefined) { return null; }
    var lat = center.lat !== undefined ? center.lat : center[0], lon = center.lng !== undefined ? center.lng : center[1];
    var world = 256 * Math.pow(2, zoom), hw = 0.5 * (window.innerWidth || 1600) / world;
    var hh = 0.5 * (window.innerHeight || 1000) / world;
    var s = Math.sin(lat * Math.PI / 180), y = 0.5 - 0.25 * Math.log((1 + s) / (1 - s)) / Math.PI;
    return [[latOf(Math.min(1, y + hh)), Math.max(-180, lon - 360 * hw)],
      [latOf(Math.max(0, y - hh)), Math.min(180, lon + 360 * hw)]];
  }

  /* The same request as the latest one of its kind (the map reports one move twice, a filter callback and a view
     callback may both ask) shares its answer instead of going to the server again. */
  function get(kind, url, params) {
    var address = url + "?" + params.toString(), previous = last[kind];
    if (previous && previous.address === address) { return previous.answer; }
    var ticket = ++latest[kind];
    var answer = fetch(address, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error("tissu: " + url + " answered " + response.status); }
      return response.json();
    }).then(function (body) {
      if (ticket < delivered[kind]) { return null; }  // a newer answer is already drawn
      delivered[kind] = ticket;
      return body;
    });
    last[kind] = {address: address, answer: answer};
    answer.catch(function () { if (last[kind] && last[kind].answer === answer) { last[kind] = null; } });
    return answer;
  }

  /* The clusters of the view for these criteria: a Promise of the server's answer (null when superseded). */
  function view(store, criteria, bounds, center, zoom) {
    var box = viewBounds(bounds, center, zoom);
    if (!box) { return Promise.resolve(null); }
    var params = criteriaParams(criteria);
    params.set("bounds", [box[0][0], box[0][1], box[1][0], box[1][1]].join(","));
    params.set("zoom", String(zoom));
    return get("clusters", store.server.clusters, params);
  }

  /* The choropleth's values per unit of `level`: a Promise of {code: value} (null when superseded). */
  function units(store, criteria, level, metric) {
    var params = criteriaParams(criteria);
    params.set("carte", level);
    params.set("indicateur", metric);
    return get("units", store.server.units, params).then(function (body) { return body ? body.values : null; });
  }

  tissu.criteriaParams = criteriaParams;
  tissu.serverMap = {view: view, units: units};
})();
