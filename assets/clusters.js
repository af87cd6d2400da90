/* Clusters of the explorer's points, indexed once per point store and answered per filter with a selection.

   dash-leaflet's `cluster=True` rebuilds a supercluster index from a new GeoJSON of every filtered point on each
   filter change (most of the repaint at 100k points). Here the per-store work is done once and lazily: Web
   Mercator coordinates of every point (typed arrays) and, per integer zoom up to `maxZoom`, the grid cell of
   every point (cells of `radius` screen pixels). A filter change or a map move then aggregates only the
   selected points inside the (padded) view into their cells, and the layer receives a few hundred features:
   one cluster per cell with two or more points (at the mean position of its points, with their count and
   bounds), the point itself otherwise. Beyond `maxZoom` every point in view is its own marker.
   Settings come from Python in the point layer's `hideout.cluster` ({radius, maxZoom}). */
(function () {
  "use strict";

  var tissu = window.tissu;  // assets/00-tissu-core.js, loaded first
  var PAD = 0;  // share of the view added on each side (none: as dash-leaflet, only what is in view is drawn)

  function mercX(lon) { return lon / 360 + 0.5; }
  function mercY(lat) {
    var s = Math.sin(lat * Math.PI / 180);
    var y = 0.5 - 0.25 * Math.log((1 + s) / (1 - s)) / Math.PI;
    return y < 0 ? 0 : (y > 1 ? 1 : y);
  }

  /* Per store (one dataset version, one viewer): projected coordinates and the per-zoom grids, built once. */
  var indexCache = {store: null, index: null};
  function indexOf(store) {
    if (indexCache.store !== store) {
      var n = store.lat.length, x = new Float64Array(n), y = new Float64Array(n);
      var x0 = 1, y0 = 1, x1 = 0, y1 = 0;
      for (var i = 0; i < n; i++) {
        x[i] = mercX(store.lon[i]); y[i] = mercY(store.lat[i]);
        if (x[i] < x0) { x0 = x[i]; } if (x[i] > x1) { x1 = x[i]; }
        if (y[i] < y0) { y0 = y[i]; } if (y[i] > y1) { y1 = y[i]; }
      }
      indexCache = {store: store, index: {n: n, x: x, y: y, x0: x0, y0: y0, x1: x1, y1: y1, grids: {}}};
    }
    return indexCache.index;
  }

  /* The grid of zoom z: every point's cell and reusable accumulators (reset after each use). */
  function gridOf(index, z, radius) {
    var key = z + ":" + radius;
    if (!index.grids[key]) {
      var size = radius / (256 * Math.pow(2, z));
      var cols = Math.floor((index.x1 - index.x0) / size) + 1, rows = Math.floor((index.y1 - index.y0) / size) + 1;
      var cells = new Int32Array(index.n);
      for (var i = 0; i < index.n; i++) {
        cells[i] = Math.floor((index.y[i] - index.y0) / size) * cols + Math.floor((index.x[i] - index.x0) / size);
      }
      var m = rows * cols;
      index.grids[key] = {cells: cells, count: new Int32Array(m), first: new Int32Array(m),
        lat: new Float64Array(m), lon: new Float64Array(m), s: new Float64Array(m), w: new Float64Array(m),
        no: new Float64Array(m), e: new Float64Array(m)};
    }
    return index.grids[key];
  }

  function pointFeature(store, i) {
    return {type: "Feature", geometry: {type: "Point", coordinates: [store.lon[i], store.lat[i]]},
      properties: {i: i, f: store.f[i], n: store.n[i]}};
  }

  /* The view [[south, west], [north, east]] padded, in projected coordinates; from the map's `bounds` when it has
     reported them, else estimated from its centre, zoom and the window's size. */
  function viewBox(bounds, center, zoom) {
    var s, w, no, e;
    if (bounds && bounds.length === 2) {
      s = bounds[0][0]; w = bounds[0][1]; no = bounds[1][0]; e = bounds[1][1];
      var x0 = mercX(w), x1 = mercX(e), y0 = mercY(no), y1 = mercY(s);
      var dx = (x1 - x0) * PAD, dy = (y1 - y0) * PAD;
      return {x0: x0 - dx, x1: x1 + dx, y0: y0 - dy, y1: y1 + dy};
    }
    if (!center || zoom === null || zoom === undefined) { return null; }
    var lat = center.lat !== undefined ? center.lat : center[0], lon = center.lng !== undefined ? center.lng : center[1];
    var world = 256 * Math.pow(2, zoom), half = 0.5 + PAD;
    var hw = half * (window.innerWidth || 1600) / world, hh = half * (window.innerHeight || 1000) / world;
    return {x0: mercX(lon) - hw, x1: mercX(lon) + hw, y0: mercY(lat) - hh, y1: mercY(lat) + hh};
  }

  /* GeoJSON of the clusters and single points of `selected` (point-store indices) in view at `zoom`. */
  function features(store, selected, options) {
    var settings = options.settings || {}, radius = settings.radius || 40, maxZoom = settings.maxZoom || 12;
    var index = indexOf(store), box = viewBox(options.bounds, options.center, options.zoom);
    var x = index.x, y = index.y, out = [], j, i;
    var z = Math.floor(+options.zoom);
    if (!(z >= 0)) { z = 0; }
    function inView(k) { return !box || (x[k] >= box.x0 && x[k] <= box.x1 && y[k] >= box.y0 && y[k] <= box.y1); }
    if (z > maxZoom) {
      for (j = 0; j < selected.length; j++) { i = selected[j]; if (inView(i)) { out.push(pointFeature(store, i)); } }
      return {type: "FeatureCollection", features: out};
    }
    var grid = gridOf(index, z, radius), cells = grid.cells, count = grid.count, touched = [];
    for (j = 0; j < selected.length; j++) {
      i = selected[j];
      if (!inView(i)) { continue; }
      var c = cells[i], lat = store.lat[i], lon = store.lon[i];
      if (count[c] === 0) {
        touched.push(c); grid.first[c] = i; grid.lat[c] = 0; grid.lon[c] = 0;
        grid.s[c] = lat; grid.no[c] = lat; grid.w[c] = lon; grid.e[c] = lon;
      }
      count[c] += 1; grid.lat[c] += lat; grid.lon[c] += lon;
      if (lat < grid.s[c]) { grid.s[c] = lat; } if (lat > grid.no[c]) { grid.no[c] = lat; }
      if (lon < grid.w[c]) { grid.w[c] = lon; } if (lon > grid.e[c]) { grid.e[c] = lon; }
    }
    for (j = 0; j < touched.length; j++) {
      var k = touched[j], n = count[k];
      if (n === 1) { out.push(pointFeature(store, grid.first[k])); }
      else {
        out.push({type: "Feature", geometry: {type: "Point", coordinates: [grid.lon[k] / n, grid.lat[k] / n]},
          properties: {cluster: true, point_count: n,
            bounds: [[grid.s[k], grid.w[k]], [grid.no[k], grid.e[k]]]}});
      }
      count[k] = 0;
    }
    return {type: "FeatureCollection", features: out};
  }

  /* A cluster clicked: the map fits its points (at most one zoom beyond the clustered zooms, where they part). */
  function zoomTo(map, feature, maxZoom) {
    var b = feature.properties.bounds, target = (maxZoom || 12) + 1;
    if (!map || !b) { return; }
    if (b[0][0] === b[1][0] && b[0][1] === b[1][1]) { map.flyTo(b[0], Math.max(map.getZoom(), target)); return; }
    map.flyToBounds(b, {padding: [48, 48], maxZoom: target});
  }

  tissu.clusters = {features: features, zoomTo: zoomTo, mercX: mercX, mercY: mercY};
})();
