/* tissu in the browser: dash-leaflet functions ({"variable": "tissu.map.fn"}) and clientside callbacks.
   Geometry and points are sent once; filtering, clustering and choropleth colouring happen here.
   The filter semantics mirror dashboard/analytics/filters.py, and every constant they need (size order,
   text rules, bit width, choropleth metrics and palette) comes from Python in the point and lookup stores
   (callbacks/explorer.py); tests/test_browser_parity.py checks both select the same establishments. */
(function () {
  "use strict";

  var tissu = window.tissu;  // assets/00-tissu-core.js, loaded first
  var NBSP = tissu.NBSP, escapeHtml = tissu.escapeHtml, frNumber = tissu.frNumber;
  var state = {choro: null, selection: null, map: null};  // per browser tab: choropleth tooltips, the filtered points, the map

  function clusterLabel(n) {
    return n >= 10000 ? Math.round(n / 1000) + NBSP + "k" : frNumber(n);
  }

  /* Same as dashboard.analytics.text.normalize, from its TEXT_RULES (lookups.text). */
  var compiledRules = {rules: null};
  function normalizer(rules) {
    if (compiledRules.rules !== rules) {
      var ligatures = Object.keys(rules.ligatures);
      compiledRules = {
        rules: rules, separators: new RegExp(rules.separators), marks: new RegExp(rules.marks, "g"),
        ligatures: ligatures.length ? new RegExp(ligatures.join("|"), "g") : null
      };
    }
    return compiledRules;
  }

  function normalize(text, rules) {
    var r = normalizer(rules);
    var plain = String(text || "").normalize("NFKD").replace(r.marks, "").toLowerCase();
    if (r.ligatures) { plain = plain.replace(r.ligatures, function (m) { return rules.ligatures[m]; }); }
    return plain.split(r.separators).filter(Boolean).map(function (w) {
      return Object.prototype.hasOwnProperty.call(rules.abbreviations, w) ? rules.abbreviations[w] : w;
    }).join(" ");
  }

  function indexOf(vocabulary) {
    var map = {};
    for (var i = 0; i < vocabulary.length; i++) { map[vocabulary[i]] = i; }
    return map;
  }

  function asList(value) {
    if (value === null || value === undefined || value === "") { return []; }
    return Array.isArray(value) ? value : [value];
  }

  function maskWords(codes, vocabIndex, nWords, bits) {
    var words = [];
    for (var w = 0; w < nWords; w++) { words.push(0); }
    codes.forEach(function (code) {
      var i = vocabIndex[code];
      if (i !== undefined) { words[Math.floor(i / bits)] |= (1 << (i % bits)); }
    });
    return words;
  }

  /* Search text per point, built once per store. */
  var searchCache = {store: null, text: null};
  function searchText(store, lookups) {
    if (searchCache.store !== store) {
      var names = lookups.communes.names, text = new Array(store.n.length);
      for (var i = 0; i < store.n.length; i++) {
        text[i] = " " + normalize(store.n[i] + " " + (names[store.c[i]] || ""), lookups.text) + " ";
      }
      searchCache = {store: store, text: text};
    }
    return searchCache.text;
  }

  /* Indices of the points matching the criteria (query-parameter dict, as in filters.PARAMETERS). */
  function matching(store, lookups, criteria) {
    var vocab = lookups.vocabularies, n = store.lat.length, out = [];
    function set(param, vocabulary) {
      var codes = asList(criteria[param]);
      if (!codes.length) { return null; }
      var idx = indexOf(vocabulary), wanted = {};
      codes.forEach(function (c) { if (idx[c] !== undefined) { wanted[idx[c]] = true; } });
      return wanted;
    }
    var dep = set("departement", vocab.departements), epci = set("epci", vocab.epci),
      zone = set("zone_emploi", vocab.zones), fil = set("filiere", vocab.filieres), naf = set("naf", vocab.naf);
    // Territoires d'industrie: the union of their communes (indices into vocab.communes), as filters.filter_mask.
    var tiCodes = asList(criteria.territoire_industrie), tiCommunes = null;
    if (tiCodes.length) {
      tiCommunes = {};
      tiCodes.forEach(function (code) {
        ((lookups.territoires || {})[code] || []).forEach(function (c) { tiCommunes[c] = true; });
      });
    }
    var divisions = asList(criteria.division), divWanted = null;
    if (divisions.length) {
      divWanted = {};
      vocab.naf.forEach(function (code, i) { if (divisions.indexOf(code.slice(0, 2)) >= 0) { divWanted[i] = true; } });
    }
    var sizeMin = criteria.size_min ? lookups.size_order.indexOf(criteria.size_min) : -1;
    var caps = asList(criteria.capability), capMode = criteria.capability_mode === "any" ? "any" : "all";
    var capWords = caps.length ? maskWords(caps, indexOf(vocab.capabilities), store.k.length, store.bits) : null;
    var certs = asList(criteria.certification);
    var certWord = certs.length ? maskWords(certs, indexOf(vocab.certifications), 1, store.bits)[0] : 0;
    // store.m exists only for viewers allowed to see membership (a payload of its own): else no member filter.
    var member = !store.m ? -1 : (criteria.member === "oui" ? 1 : (criteria.member === "non" ? 0 : -1));
    var words = normalize(criteria.q || "", lookups.text).split(" ").filter(Boolean);
    var text = words.length ? searchText(store, lookups) : null;
    for (var i = 0; i < n; i++) {
      if (dep && !dep[store.d[i]]) { continue; }
      if (epci && !epci[store.e[i]]) { continue; }
      if (zone && !zone[store.z[i]]) { continue; }
      if (tiCommunes && !tiCommunes[store.c[i]]) { continue; }
      if (fil && !fil[store.f[i]]) { continue; }
      if (naf && !naf[store.a[i]]) { continue; }
      if (divWanted && !divWanted[store.a[i]]) { continue; }
      if (sizeMin >= 0 && !(store.s[i] >= sizeMin)) { continue; }
      if (capWords) {
        var ok = capMode === "all", w;
        for (w = 0; w < capWords.length; w++) {
          var have = store.k[w][i] & capWords[w];
          if (capMode === "all" && have !== capWords[w]) { ok = false; break; }
          if (capMode === "any" && have !== 0) { ok = true; break; }
        }
        if (!ok) { continue; }
      }
      if (certWord && (store.t[i] & certWord) !== certWord) { continue; }
      if (member >= 0 && store.m[i] !== member) { continue; }
      if (text) {
        var hay = text[i], all = true;
        for (var q = 0; q < words.length; q++) { if (hay.indexOf(" " + words[q]) < 0) { all = false; break; } }
        if (!all) { continue; }
      }
      out.push(i);
    }
    return out;
  }

  /* Choropleth: value per unit of `level` for the selected points. */
  var LEVEL_COLUMN = {communes: "c", epci: "e", zones_emploi: "z", departements: "d"};
  var LEVEL_LOOKUP = {communes: "communes", epci: "epci", zones_emploi: "zones", departements: "departements"};
  function unitValues(store, lookups, selected, level, metric) {
    var unit = lookups[LEVEL_LOOKUP[level]], col = store[LEVEL_COLUMN[level]], n = unit.codes.length;
    var count = new Float64Array(n), jobs = new Float64Array(n), members = new Float64Array(n);
    selected.forEach(function (i) {
      var u = col[i];
      if (u >= 0) { count[u] += 1; jobs[u] += store.h[i]; if (store.m) { members[u] += store.m[i]; } }
    });
    var values = {};
    for (var u = 0; u < n; u++) {
      var v;
      if (metric === "count") { v = count[u]; }
      else if (metric === "jobs") { v = jobs[u]; }
      else if (metric === "jobs_per_1000") { v = unit.pop[u] > 0 ? 1000 * jobs[u] / unit.pop[u] : null; }
      else { v = count[u] > 0 && store.m ? 100 * members[u] / count[u] : null; }
      values[unit.codes[u]] = v;
    }
    return values;
  }

  /* Quantile class breaks over the positive values (zero keeps its own light class). */
  function quantileBreaks(values, classes, decimals) {
    var factor = Math.pow(10, decimals || 0);
    var positive = Object.keys(values).map(function (k) { return values[k]; })
      .filter(function (v) { return v !== null && v > 0; }).sort(function (a, b) { return a - b; });
    if (!positive.length) { return []; }
    var breaks = [];
    for (var c = 1; c < classes; c++) {
      // Rounded as displayed, so that no legend class reads "de 1,1 à 1,1".
      var b = Math.ceil(positive[Math.min(positive.length - 1, Math.floor(c * positive.length / classes))] * factor) / factor;
      if (breaks.indexOf(b) < 0 && b < positive[positive.length - 1] && (!breaks.length || b > breaks[breaks.length - 1])) {
        breaks.push(b);
      }
    }
    var top = Math.ceil(positive[positive.length - 1] * factor) / factor;
    if (breaks.indexOf(top) < 0) { breaks.push(top); }
    return breaks;
  }

  function classOf(value, breaks) {
    if (value === null || value === undefined) { return -1; }
    if (value <= 0) { return 0; }
    for (var i = 0; i < breaks.length; i++) { if (value <= breaks[i]) { return i + 1; } }
    return breaks.length;
  }

  function h(type, props, children) {
    props = props || {};
    if (children !== undefined) { props.children = children; }
    return {type: type, namespace: "dash_html_components", props: props};
  }

  /* Legend rows; `choro` is lookups.choropleth: {metrics: {key: {label, decimals, suffix}}, palette}. */
  function choroLegend(choro, metric, breaks) {
    var m = choro.metrics[metric], palette = choro.palette, rows = [], lower = 0;
    rows.push(h("Div", {className: "choro-row"}, [h("Span", {className: "choro-swatch", style: {background: palette[0]}}), "0"]));
    breaks.forEach(function (b, i) {
      var label = (i === 0 ? "jusqu'à " + frNumber(b, m.decimals)
        : "de " + frNumber(lower, m.decimals) + " à " + frNumber(b, m.decimals)) + m.suffix;
      rows.push(h("Div", {className: "choro-row"}, [
        h("Span", {className: "choro-swatch", style: {background: palette[Math.min(i + 1, palette.length - 1)]}}), label]));
      lower = b;
    });
    rows.push(h("Div", {className: "choro-note"}, "Classes par quantiles · suit les filtres"));
    return rows;
  }

  /* The KPI strip and the empty state for `count` of `total` establishments selected. */
  function kpis(count, jobs, communes, total) {
    var share = total ? 100 * count / total : 0;
    return [frNumber(count), frNumber(jobs), frNumber(share, 1) + NBSP + "%", frNumber(communes),
      {display: count === 0 && total > 0 ? "block" : "none"}];
  }

  /* The choropleth layer's URL and hideout and the legend, for these values per unit. */
  function choroOutputs(lookups, level, metric, values) {
    var choro = lookups.choropleth, legend = choro.metrics[metric];
    var breaks = quantileBreaks(values, choro.palette.length - 1, legend.decimals);
    state.choro = {legend: legend, values: values};
    return ["/geo/" + level + ".pbf", {level: level, values: values, breaks: breaks, palette: choro.palette},
      choroLegend(choro, metric, breaks)];
  }

  tissu.normalize = normalize;
  tissu.matching = matching;
  tissu.map = {
    /* The explorer's Leaflet map, once its point layer has drawn (null before). */
    current: function () { return state.map; },
    communeStyle: function (feature, context) {
      var tiles = context && context.hideout && context.hideout.tiles;
      return {color: "#c3ccd6", weight: 0.6, fillColor: "#fbfcfd", fillOpacity: tiles ? 0.15 : 1};
    },
    departmentStyle: function () {
      return {color: "#3d4b5c", weight: 1.8, fill: false};
    },
    choroStyle: function (feature, context) {
      var hide = context.hideout || {};
      if (!hide.values || !hide.palette) { return {stroke: false, fillOpacity: 0}; }
      var k = classOf(hide.values[feature.properties.code], hide.breaks || []), palette = hide.palette;
      return {color: "#ffffff", weight: 0.5, fillOpacity: k < 0 ? 0 : 0.85,
        fillColor: palette[Math.max(0, Math.min(k, palette.length - 1))]};
    },
    choroTooltip: function (feature, layer) {
      layer.bindTooltip(function () {
        var choro = state.choro;
        if (!choro) { return ""; }
        var m = choro.legend, v = choro.values[feature.properties.code];
        return "<strong>" + escapeHtml(feature.properties.nom) + "</strong><br>" +
          (v === null || v === undefined ? "sans objet" : frNumber(v, m.decimals) + m.suffix + " " + m.label);
      }, {sticky: true});
    },
    pointToLayer: function (feature, latlng, context) {
      if (context && context.map) { state.map = context.map; }  // for territoryViewport: is the map already there?
      if (feature.properties.cluster) { return tissu.map.clusterToLayer(feature, latlng, context); }
      var colors = (context && context.hideout && context.hideout.colors) || [];
      // Unclustered points are few: SVG makes each one a DOM element (clickable, testable).
      tissu.pointRenderer = tissu.pointRenderer || L.svg({padding: 0.5});
      var marker = L.circleMarker(latlng, {
        radius: 6, fillColor: colors[feature.properties.f] || "#6b7280", color: "#ffffff",
        weight: 1.2, fillOpacity: 0.95, className: "tissu-point", renderer: tissu.pointRenderer
      });
      marker.bindTooltip(escapeHtml(feature.properties.n), {direction: "top", offset: [0, -6]});
      return marker;
    },
    partnerToLayer: function (feature, latlng) {
      var p = feature.properties;
      var label = escapeHtml(p.rank + ". " + p.name + " · " + p.km + NBSP + "km");
      if (!p.numbered) {
        // Beyond the first few (services.partners.NUMBERED_MARKERS): a small point, SVG so it can be hovered.
        tissu.partnerDotRenderer = tissu.partnerDotRenderer || L.svg({padding: 0.5});
        return L.circleMarker(latlng, {radius: 4, color: "#ffffff", weight: 1, fillColor: "#1f3a5f",
          fillOpacity: 0.85, className: "partner-dot", renderer: tissu.partnerDotRenderer})
          .bindTooltip(label, {direction: "top", offset: [0, -4]});
      }
      var icon = L.divIcon({html: "<span>" + escapeHtml(p.rank) + "</span>", className: "partner-pin",
        iconSize: L.point(26, 26)});
      // keyboard: false on every marker: the map is one tab stop (the results list is the keyboard's way in),
      // not hundreds of markers to Tab through before the rest of the page.
      return L.marker(latlng, {icon: icon, title: p.name, keyboard: false})  // title is an attribute: text
        .bindTooltip(label, {direction: "top", offset: [0, -12]});
    },
    /* A cluster of assets/clusters.js (or of dash-leaflet's own clustering): a count bubble; a click zooms to it. */
    clusterToLayer: function (feature, latlng, context) {
      var n = feature.properties.point_count;
      var size = n < 100 ? "small" : (n < 1000 ? "medium" : "large");
      var px = {small: 34, medium: 42, large: 52}[size];
      var icon = L.divIcon({
        html: "<div><span>" + clusterLabel(n) + "</span></div>",
        className: "marker-cluster tissu-cluster tissu-cluster-" + size,
        iconSize: L.point(px, px)
      });
      var marker = L.marker(latlng, {icon: icon, title: frNumber(n) + " établissements", keyboard: false});
      if (feature.properties.bounds) {
        var settings = (context && context.hideout && context.hideout.cluster) || {};
        marker.on("click", function () { tissu.clusters.zoomTo(context && context.map, feature, settings.maxZoom); });
      }
      return marker;
    }
  };

  var noUpdate = function () { return window.dash_clientside.no_update; };

  /* Would flying to `bounds` leave the map where it is (same zoom, centre within a pixel)? dash-leaflet flies
     unless the map's bounds equal the request exactly, which a fitted view never does: choosing a department the
     map already shows would then end a zero-length flight at once and re-project every polygon (about 25 ms at
     the 2,321 communes) and re-cluster the same view, all inside the filter's repaint. */
  function alreadyFitted(map, bounds) {
    if (!map || !map._loaded || typeof map._getBoundsCenterZoom !== "function") { return false; }
    var target = map._getBoundsCenterZoom(L.latLngBounds(bounds), {}), zoom = map.getZoom();
    return Math.abs(target.zoom - zoom) < 1e-6 &&
      map.project(target.center, zoom).distanceTo(map.project(map.getCenter(), zoom)) < 1;
  }

  /* The viewport fitting the chosen territory (the union of the chosen units' bounds, computed once per dataset in
     the lookup store), or no update. The control among `changed` (prop ids) wins; cleared, the next most precise
     one does; nothing chosen, or no territory control changed, leaves the map where the user put it. */
  function territoryViewport(dep, epci, zone, lookups, changed) {
    if (!lookups || !lookups.epci || !lookups.epci.bounds) { return noUpdate(); }
    var chosen = {departements: asList(dep), epci: asList(epci), zones: asList(zone)};
    var byId = {"filter-departement": "departements", "filter-epci": "epci", "filter-zone-emploi": "zones"};
    var levels = changed.map(function (propId) { return byId[String(propId).split(".")[0]]; }).filter(Boolean);
    if (!levels.length) { return noUpdate(); }
    var level = levels[0];
    if (!chosen[level].length) { level = ["epci", "zones", "departements"].filter(function (k) { return chosen[k].length; })[0]; }
    if (!level) { return noUpdate(); }
    var unit = lookups[level], s = 90, w = 180, n = -90, e = -180, found = false;
    chosen[level].forEach(function (code) {
      var b = unit.bounds[unit.codes.indexOf(code)];
      if (!b) { return; }
      found = true;
      s = Math.min(s, b[0][0]); w = Math.min(w, b[0][1]); n = Math.max(n, b[1][0]); e = Math.max(e, b[1][1]);
    });
    if (!found || alreadyFitted(state.map, [[s, w], [n, e]])) { return noUpdate(); }
    return {bounds: [[s, w], [n, e]], transition: "flyToBounds"};
  }

  /* The choropleth's [url, hideout, legend] for these criteria (a Promise of them above the client threshold, where
     the values come from the server with the same definition). `selected`: the client-side selection's indices. */
  function choropleth(store, lookups, criteria, level, metric, selected) {
    if (!level || level === "none" || !store || !(store.lat || store.server) || !lookups) {
      state.choro = null;
      return [null, {level: "none"}, []];
    }
    if (store.server) {
      return tissu.serverMap.units(store, criteria || {}, level, metric).then(function (values) {
        return values ? choroOutputs(lookups, level, metric, values) : [noUpdate(), noUpdate(), noUpdate()];
      });
    }
    return choroOutputs(lookups, level, metric, unitValues(store, lookups, selected, level, metric));
  }

  /* Keep the address bar shareable: filters, map view, choropleth and open card. Returns the query string; the
     address itself follows a moment later, once the map has drawn: Chromium's history.replaceState takes about
     10 ms, which a filter change would otherwise wait for, and a pan reports several moves (the last one wins). */
  var addressTimer = null;
  function syncAddress(criteria, center, zoom, level, metric, selected) {
    var params = tissu.criteriaParams(criteria);
    if (level && level !== "none") { params.set("carte", level); params.set("indicateur", metric); }
    if (center && zoom !== undefined && zoom !== null) {
      var lat = center.lat !== undefined ? center.lat : center[0], lon = center.lng !== undefined ? center.lng : center[1];
      params.set("lat", Number(lat).toFixed(4));
      params.set("lon", Number(lon).toFixed(4));
      params.set("zoom", String(zoom));
    }
    if (selected) { params.set("etab", selected); }
    var search = params.toString();
    var page = window.location.pathname;
    window.clearTimeout(addressTimer);
    addressTimer = window.setTimeout(function () {  // unless the user has gone to another page meanwhile
      var url = page + (search ? "?" + search : "");
      if (window.location.pathname === page && url !== page + window.location.search) {
        window.history.replaceState(null, "", url);
      }
    }, 150);
    return search;
  }

  /* Active filters in the criteria (the capability mode is a setting of another filter, not one). */
  function filterButtonLabel(criteria) {
    var n = Object.keys(criteria).filter(function (key) {
      var value = criteria[key];
      return key !== "capability_mode" && (Array.isArray(value) ? value.length : value);
    }).length;
    return n ? "Filtres (" + n + ")" : "Filtres";
  }

  function isSame(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tissu: {
      /* Filter controls -> everything a filter change redraws, in one callback: each callback the renderer runs
         costs about fourteen store actions, each re-running every mounted component's selector, and a filter
         change used to run five chained ones (about 45 ms of script per change; docs/performance.md).
         Outputs: clustered points, the KPIs, the empty state, the criteria (query parameters, read as State by
         the exports, the table and the other callbacks), the filter button's count, the territory fit, the
         choropleth (when one is shown) and the table's criteria (when the table is open). */
      applyFilters: function (q, dep, epci, zone, fil, div, naf, size, caps, capMode, certs, member, ti, store,
                              lookups, bounds, center, zoom, hideout, level, metric, card, tab, tableShown) {
        var criteria = {
          q: q || "", departement: asList(dep), epci: asList(epci), zone_emploi: asList(zone), filiere: asList(fil),
          division: asList(div), naf: asList(naf), size_min: size || "", capability: asList(caps),
          capability_mode: capMode || "all", certification: asList(certs), member: member || "",
          territoire_industrie: asList(ti)
        };
        var changed = (window.dash_clientside.callback_context.triggered || []).map(function (t) { return t.prop_id; });
        var choroShown = level && level !== "none";
        syncAddress(criteria, center, zoom, level, metric, card);
        var others = function (choro) {
          return [criteria, filterButtonLabel(criteria), territoryViewport(dep, epci, zone, lookups, changed)]
            .concat(choro, [tab === "tableau" && !isSame(tableShown, criteria) ? criteria : noUpdate()]);
        };
        var unchanged = [noUpdate(), noUpdate(), noUpdate()];
        if (store && store.server && lookups) {  // above the client threshold: the server clusters the view
          state.selection = {store: store, criteria: criteria};
          return Promise.all([
            tissu.serverMap.view(store, criteria, bounds, center, zoom, (hideout || {}).cluster),
            // A failed choropleth request leaves the layer as it was; it does not hold back the clusters.
            choroShown ? Promise.resolve(choropleth(store, lookups, criteria, level, metric))
              .catch(function () { return unchanged; }) : unchanged
          ]).then(function (answers) {
            var answer = answers[0], points = answer ? [{type: "FeatureCollection", features: answer.features}].concat(
              kpis(answer.count, answer.jobs, answer.communes, answer.total)) : [noUpdate(), noUpdate(), noUpdate(),
              noUpdate(), noUpdate(), noUpdate()];
            return points.concat(others(answers[1]));
          });
        }
        if (!store || !store.lat || !lookups) {
          return [{type: "FeatureCollection", features: []}, "–", "–", "–", "–", {display: "none"}].concat(
            others(unchanged));
        }
        var selected = matching(store, lookups, criteria);
        var jobs = 0, communes = {};
        for (var j = 0; j < selected.length; j++) {
          var i = selected[j];
          jobs += store.h[i];
          communes[store.c[i]] = true;
        }
        state.selection = {store: store, indices: selected};
        return [
          tissu.clusters.features(store, selected, {bounds: bounds, center: center, zoom: zoom,
            settings: (hideout || {}).cluster})
        ].concat(kpis(selected.length, jobs, Object.keys(communes).length, store.lat.length),
          others(choroShown ? choropleth(store, lookups, criteria, level, metric, selected) : unchanged));
      },

      /* The map moved or zoomed -> the clusters of the current selection in the new view, and the address bar. */
      clusterView: function (bounds, zoom, center, store, hideout, criteria, level, metric, card) {
        if (criteria) { syncAddress(criteria, center, zoom, level, metric, card); }  // before the first filter: not yet
        var sel = state.selection;
        if (!sel || !store || sel.store !== store) { return noUpdate(); }
        if (store.server) {
          return tissu.serverMap.view(store, sel.criteria, bounds, center, zoom, (hideout || {}).cluster).then(function (answer) {
            return answer ? {type: "FeatureCollection", features: answer.features} : noUpdate();
          });
        }
        return tissu.clusters.features(store, sel.indices, {bounds: bounds, center: center, zoom: zoom,
          settings: (hideout || {}).cluster});
      },

      /* Choropleth level or metric chosen -> polygons to load, their colours, the legend (a filter change redraws
         them in applyFilters). */
      choropleth: function (level, metric, criteria, store, lookups) {
        var sel = state.selection;
        if (store && !store.server && (!sel || sel.store !== store)) { return choropleth(null); }  // points not in yet
        return choropleth(store, lookups, criteria, level, metric, sel && sel.indices);
      },

      /* Choropleth or card changed -> the address bar (filters and map moves sync it in their own callbacks). */
      syncUrl: function (level, metric, card, criteria, center, zoom) {
        if (!criteria) { throw window.dash_clientside.PreventUpdate; }  // the first filter callback will
        return syncAddress(criteria, center, zoom, level, metric, card);
      },

      resetFilters: function (n) {
        if (!n) { throw window.dash_clientside.PreventUpdate; }
        return ["", [], [], [], [], [], [], null, [], "all", [], "", []];
      },

      partnerOriginMode: function (mode) {
        var show = {display: "block"}, hide = {display: "none"};
        // The site context (peers / complementary suppliers) only means something from an establishment.
        return [mode === "site" ? show : hide, mode === "commune" ? show : hide, mode === "point" ? show : hide,
          mode === "site" ? show : hide];
      },

      syncQueryUrl: function (params) {
        if (!params) { throw window.dash_clientside.PreventUpdate; }
        var search = new URLSearchParams(params).toString();
        var url = window.location.pathname + (search ? "?" + search : "");
        if (url !== window.location.pathname + window.location.search) { window.history.replaceState(null, "", url); }
        return search;
      },

      switchView: function (tab) {
        var onMap = tab !== "tableau";
        return [{display: onMap ? "block" : "none"}, {display: onMap ? "none" : "block"}, onMap ? Date.now() : noUpdate()];
      }
    }
  });
})();
