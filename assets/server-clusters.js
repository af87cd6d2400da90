/* The explorer's map above the client threshold (TISSU_CLIENT_POINTS_MAX): the page then has no point store, and
   the clusters of the view, the KPI totals and the choropleth values come from the server
   (/api/v1/map/clusters and /api/v1/map/units, dashboard/services/map_clusters.py), computed with the same
   filters and the same grid as assets/tissu.js and assets/clusters.js, so the map looks and counts the same.
   The "point store" is then {server: {clusters: url, units: url}}. An answer is drawn as soon as it arrives,
   unless the answer to a newer request of its kind has already been drawn (a fast pan sends several; the first
   view, estimated before the map reports its bounds, is drawn while the exact one is on its way).
   Pans without a round trip: the clusters are asked for the view padded by PAD on each side, and a move that
   stays inside that box at the same integer zoom and filters is drawn from the answer already held (the cells
   are fixed on the world, not on the view); when the view nears the box's edge, the next box is fetched ahead,
   not drawn. A cluster at the view's edge may then count a few points just outside it, as Leaflet.markercluster
   does; every total shown comes from the server's exact count. */
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

  var PAD = 0.5;  // share of the view's width and height asked for on each side (the answer covers 4 views)
  var held = null;  // {key, box (Mercator), body}: the latest padded answer, drawn or fetched ahead

  var mercX = tissu.clusters.mercX, mercY = tissu.clusters.mercY;  // assets/clusters.js, loaded before this file
  function lonOf(x) { return 360 * (x - 0.5); }

  /* [[south, west], [north, east]] -> {x0, x1, y0, y1} in Web Mercator (y grows southwards). */
  function mercBox(b) { return {x0: mercX(b[0][1]), x1: mercX(b[1][1]), y0: mercY(b[1][0]), y1: mercY(b[0][0])}; }
  function grown(m, dx, dy) { return {x0: m.x0 - dx, x1: m.x1 + dx, y0: m.y0 - dy, y1: m.y1 + dy}; }
  function within(inner, outer) {
    return inner.x0 >= outer.x0 && inner.x1 <= outer.x1 && inner.y0 >= outer.y0 && inner.y1 <= outer.y1;
  }

  /* The held answer's features in `m` (a point or a cluster's mean position). */
  function cut(body, m) {
    var features = body.features.filter(function (f) {
      var c = f.geometry.coordinates, x = mercX(c[0]), y = mercY(c[1]);
      return x >= m.x0 && x <= m.x1 && y >= m.y0 && y <= m.y1;
    });
    return Object.assign({}, body, {features: features});
  }

  function padded(m) {
    var dx = (m.x1 - m.x0) * PAD, dy = (m.y1 - m.y0) * PAD;
    return {x0: Math.max(0, m.x0 - dx), x1: Math.min(1, m.x1 + dx), y0: Math.max(0, m.y0 - dy),
      y1: Math.min(1, m.y1 + dy)};
  }

  function fetchBox(store, params, box, key, ahead) {
    params.set("bounds", [latOf(box.y1), lonOf(box.x0), latOf(box.y0), lonOf(box.x1)].join(","));
    var answer = ahead ? fetch(store.server.clusters + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; })  // fetched ahead: a failure only means the next pan asks again
      : get("clusters", store.server.clusters, params);
    return answer.then(function (body) {
      if (body && (!ahead || (held && held.key === key))) { held = {key: key, box: box, body: body}; }
      return body;
    });
  }

  /* The clusters of the view for these criteria: a Promise of the server's answer (null when superseded).
     `settings` are the layer's cluster settings ({radius, maxZoom}, from Python). */
  function view(store, criteria, bounds, center, zoom, settings) {
    var box = viewBounds(bounds, center, zoom);
    if (!box) { return Promise.resolve(null); }
    var params = criteriaParams(criteria), z = Math.max(0, Math.floor(+zoom));
    params.set("zoom", String(zoom));
    var radius = (settings || {}).radius || 60, maxZoom = (settings || {}).maxZoom || 12;
    var m = mercBox(box), cell = radius / (256 * Math.pow(2, z));
    if (z > maxZoom) {  // single points, capped per answer on the server: asked for the view itself
      params.set("bounds", [box[0][0], box[0][1], box[1][0], box[1][1]].join(","));
      return get("clusters", store.server.clusters, params);
    }
    var key = params.toString().replace(/(^|&)zoom=[^&]*/, "") + "|" + z, shown = grown(m, cell, cell);
    if (held && held.key === key && within(shown, held.box)) {  // a pan inside the held box
      ++latest.clusters; delivered.clusters = latest.clusters;  // older answers in flight are not drawn over it
      var margin = grown(m, (m.x1 - m.x0) * PAD / 2, (m.y1 - m.y0) * PAD / 2);
      if (!within(margin, held.box)) { fetchBox(store, params, padded(m), key, true); }  // the next box, ahead
      return Promise.resolve(cut(held.body, shown));
    }
    return fetchBox(store, params, padded(m), key, false).then(function (body) {
      return body ? cut(body, shown) : null;
    });
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
