/* Per-dataset payloads and lazily loaded component bundles (after 00-tissu-core.js, before the pages' assets).

   A page carries only the versioned URL of a payload (/data/<name>-<etag>.json, see dashboard/services/payloads.py);
   fetchPayload gets it once per browser tab (the HTTP cache keeps it across visits: it is immutable). A URL of
   data replaced since the page was rendered answers 404: the page is then reloaded once, which renders it
   with the current URLs. loadBundle adds a component library's script (declared lazy by dashboard/app.py, its
   URL in #tissu-bundles) the first time something needs it, e.g. dash-ag-grid when the table opens. */
(function () {
  "use strict";

  var tissu = window.tissu;
  var payloads = {};  // url -> Promise of the parsed JSON
  var bundles = {};  // library -> Promise resolved once its script has run

  function StalePayload(url) { this.url = url; }

  function reloadOnce(url) {
    var key = "tissu-stale-payload:" + url;
    try {
      if (window.sessionStorage.getItem(key)) {
        console.warn("tissu: " + url + " is still out of date after a reload");
        return;
      }
      window.sessionStorage.setItem(key, "1");
    } catch (e) {  // storage refused (private mode): reload anyway, the new page has new URLs
      console.warn("tissu: session storage unavailable", e);
    }
    window.location.reload();
  }

  function fetchPayload(url) {
    if (!payloads[url]) {
      payloads[url] = fetch(url, {credentials: "same-origin"}).then(function (response) {
        if (response.status === 404) { throw new StalePayload(url); }
        if (!response.ok) { throw new Error("tissu: " + url + " answered " + response.status); }
        return response.json();
      });
      payloads[url].catch(function () { delete payloads[url]; });
    }
    return payloads[url];
  }

  /* Resolves with the payloads of `urls` (an array), or with null after starting a reload for a stale one. */
  function fetchAll(urls) {
    return Promise.all(urls.map(fetchPayload)).catch(function (error) {
      if (error instanceof StalePayload) { reloadOnce(error.url); return null; }
      throw error;
    });
  }

  /* #tissu-bundles (written by dashboard/app.py before the scripts): {library: {url, components}}. */
  var lazy = (function () {
    var node = document.getElementById("tissu-bundles");
    return node ? JSON.parse(node.textContent) : {};
  })();
  var standIns = {};  // library -> the namespace standing in for it until its bundle has run

  function loaded(library) {
    return Boolean(window[library]) && window[library] !== standIns[library];
  }

  function loadBundle(library) {
    if (loaded(library)) { return Promise.resolve(); }
    if (!bundles[library]) {
      bundles[library] = new Promise(function (resolve, reject) {
        if (!lazy[library]) { reject(new Error("tissu: no bundle declared for " + library)); return; }
        var script = document.createElement("script");
        script.src = lazy[library].url;
        script.onload = function () { resolve(); };
        script.onerror = function () {
          delete bundles[library];
          reject(new Error("tissu: could not load " + lazy[library].url));
        };
        document.head.appendChild(script);
      });
    }
    return bundles[library];
  }

  /* Dash resolves window[namespace][type] when it checks the callbacks at start-up and on each render: until the
     bundle has run, each component is a stand-in that loads it, then renders the real component (the bundle
     replaces window[library], so later renders get the real one directly). */
  function standIn(library, type) {
    return function LazyComponent(props) {
      var React = window.React, ready = React.useState(loaded(library));
      React.useEffect(function () {
        if (!ready[0]) {
          loadBundle(library).then(function () { ready[1](true); }, function (error) { console.error(error); });
        }
      }, [ready[0]]);
      return ready[0] ? React.createElement(window[library][type], props) : null;
    };
  }

  Object.keys(lazy).forEach(function (library) {
    if (window[library]) { return; }
    var namespace = {};
    lazy[library].components.forEach(function (type) { namespace[type] = standIn(library, type); });
    standIns[library] = namespace;
    window[library] = namespace;
  });

  tissu.fetchPayload = fetchPayload;
  tissu.loadBundle = loadBundle;

  var noUpdate = function () { return window.dash_clientside.no_update; };

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    payloads: {
      /* {points: url, lookups: url} -> the explorer's point and lookup stores; {clusters, units, lookups} ->
         the server's routes in place of the point store (assets/server-clusters.js). */
      explorerStores: function (urls) {
        if (!urls) { throw window.dash_clientside.PreventUpdate; }
        if (urls.clusters) {  // above the client threshold: no point store, the server clusters each view
          return fetchAll([urls.lookups]).then(function (stores) {
            if (!stores) { return [noUpdate(), noUpdate()]; }
            return [{server: {clusters: urls.clusters, units: urls.units}}, stores[0]];
          });
        }
        // The member flags come as their own payload, and only for viewers the policy allows to see them.
        var wanted = [urls.points, urls.lookups].concat(urls.members ? [urls.members] : []);
        return fetchAll(wanted).then(function (stores) {
          if (!stores) { return [noUpdate(), noUpdate()]; }
          var points = stores[0];
          if (stores[2]) { points = Object.assign({}, points, {m: stores[2].m}); }
          return [points, stores[1]];
        });
      },

      /* A payload URL -> its content (e.g. a long option list). */
      one: function (url) {
        if (!url) { throw window.dash_clientside.PreventUpdate; }
        return fetchAll([url]).then(function (values) { return values ? values[0] : noUpdate(); });
      },

      /* The table tab opened -> the table's criteria, once the grid's bundle has loaded (while the tab stays open,
         applyFilters in assets/tissu.js keeps them current): no request reaches the server for a filter change
         on the map. The first opening also asks for the grid (second output); later ones only the criteria. */
      openTable: function (tab, criteria, shown) {
        if (tab !== "tableau") { throw window.dash_clientside.PreventUpdate; }
        var wanted = criteria || {};
        if (shown && JSON.stringify(shown) === JSON.stringify(wanted)) { throw window.dash_clientside.PreventUpdate; }
        return loadBundle("dash_ag_grid").then(function () { return [wanted, shown ? noUpdate() : true]; });
      },

      /* A row selected in the grid -> the card's request; the empty selections a grid reports as it starts or
         reloads stay here. */
      pickedRow: function (rows) {
        if (!rows || !rows.length) { throw window.dash_clientside.PreventUpdate; }
        return {id: rows[0].id};  // an object of parameters, as the server's input checks expect of a store
      },

      /* New criteria for an existing grid: drop its blocks of rows, so it asks the server for the first one
         again (the server reads the criteria from the store). Before the grid exists there is nothing to do:
         it asks for its first block when it starts. */
      reloadTable: function () {
        var api = null;
        try {
          api = window.dash_ag_grid.getApi("explorer-table");
        } catch (e) {  // no grid yet
          api = null;
        }
        if (api && !api.isDestroyed()) {
          api.ensureIndexVisible(0, "top");
          api.purgeInfiniteCache();
        }
        return noUpdate();
      }
    }
  });
})();
