/*
 * Carbon Nexus dashboard: the initial state from the REST API, then live from the event-bus
 * bridge (emissions, hotspots, alerts, recommendations carry the same JSON as the REST bodies).
 *
 * Every value from the engine reaches the page through textContent or an attribute set with
 * setAttribute: entity names are data, never markup.
 *
 * When the engine requires a token (it answers 401), the page asks for one and sends it on every
 * request and in the headers of every bridge registration; without authentication the sign-in
 * panel never shows.
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var SEVERITY_RANK = { critical: 3, warn: 2, info: 1 };
  var TYPE_LABELS = { supplier: 'supplier', route: 'route', vehicle_type: 'vehicle type' };
  var TYPE_PLURALS = { supplier: 'suppliers', route: 'routes', vehicle_type: 'vehicle types' };
  var MAX_ALERTS = 50;
  var MAX_RECOMMENDATIONS = 20;
  var CHANNELS = ['emissions', 'hotspots', 'alerts', 'recommendations'];
  var TOKEN_KEY = 'carbon-nexus.token';
  /** The bridge's close code for a token that expired (raw WebSocket transport). */
  var TOKEN_EXPIRED = 4401;

  var state = {
    snapshot: null,
    hotspots: new Map(),     // id -> Hotspot, open ones only
    alerts: [],              // newest first
    deliveries: new Map(),   // alert id -> where its notifications went ({receiver, status, attempts, last_error})
    recommendations: [],     // newest first
    chartType: 'supplier',
    chartScale: 'percent',
    loaded: false,           // the REST state is in
    loading: false,
    pending: [],             // live messages that arrived while the REST state was loading
    fresh: new Set(),        // keys of items that just changed live, highlighted once
    shown: false,            // the dashboard has data worth showing behind a sign-in prompt
    view: null,              // the selected entity {type, entity}, or null for every shipment (from the URL hash)
    range: '7d',             // the history's range: 24h, 7d or 28d (from the URL hash)
    history: null,           // the last GET /emissions/history answer for the view
    periods: [],             // hotspot periods [from ms, to ms, severity] within the history's range
    entity: { hotspots: new Map(), alerts: [], recommendations: [] }, // the selected entity's lists, resolved ones too
    viewGeneration: 0        // bumped when the view changes: answers for an older view are dropped
  };

  var auth = {
    token: readToken(),
    accepted: false,         // the engine took the current token at least once
    asking: false,           // the sign-in panel is up
    generation: 0            // bumped on sign-in and sign-out: answers of an older session are dropped
  };

  // ---------------------------------------------------------------- formatting

  var timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  var dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
  var intFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

  function fixed(n, digits) {
    return new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
  }

  /** kg CO2 in the unit a person reads at a glance: kg below a tonne, t above. */
  function co2(kg) {
    if (kg === null || kg === undefined || !isFinite(kg)) return '–';
    var abs = Math.abs(kg);
    if (abs < 1000) return intFormat.format(kg) + ' kg';
    var t = kg / 1000;
    if (abs < 10000) return fixed(t, 2) + ' t';
    if (abs < 1000000) return fixed(t, 1) + ' t';
    return intFormat.format(t) + ' t';
  }

  /** Human names of the vehicle types the factor tables know; anything else is shown with spaces for underscores. */
  var VEHICLE_NAMES = {
    hgv_diesel: 'HGV, diesel',
    hgv_rigid_diesel: 'Rigid HGV, diesel',
    hgv_articulated_diesel: 'Articulated HGV, diesel',
    truck_electric: 'Electric truck',
    van_diesel: 'Van, diesel',
    van_electric: 'Electric van',
    air_short_haul: 'Air freight, short haul',
    air: 'Air freight',
    rail: 'Rail freight',
    ship: 'Container ship'
  };

  /**
   * Server-written sentences (a recommendation's root cause and actions) in the page's terms:
   * percentages of the baseline, amounts of kg by the one unit rule, vehicle types by their human
   * names. The original stays in the element's title.
   */
  function humanize(text) {
    return String(text)
      // The page's one percentage: of the baseline.
      .replace(/\b(\d+)% (above|below) its baseline\b/g, function (m, n, side) {
        return intFormat.format(Math.max(0, 100 + (side === 'above' ? 1 : -1) * Number(n))) + ' % of its baseline';
      })
      .replace(/\b(\d+(?:\.\d+)?) kg CO2\b/g, function (m, n) { return co2(Number(n)) + ' CO₂'; })
      .replace(/\b(\d+(?:\.\d+)?) kg\b(?![/ ]*(?:per|km|t·km))/g, function (m, n) { return co2(Number(n)); })
      .replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, function (key) { return VEHICLE_NAMES[key] || key; });
  }

  /** How an entity is named on the page: vehicle types by their human name, the others as they are. */
  function entityName(type, entity) {
    if (type !== 'vehicle_type') return String(entity);
    return VEHICLE_NAMES[entity] || String(entity).replace(/_/g, ' ');
  }

  /** The page's one convention: a percentage is of the baseline (100 % = at the baseline). */
  function ofBaseline(percentAbove) {
    if (percentAbove === null || percentAbove === undefined) return '–';
    return intFormat.format(Math.max(0, 100 + percentAbove)) + ' %';
  }

  function entityHash(type, entity) {
    var q = new URLSearchParams();
    q.set('type', type);
    q.set('entity', entity);
    if (state.range !== '7d') q.set('range', state.range);
    return '#' + q.toString();
  }

  /** A link to an entity's page; the URL hash holds the selection, so it can be shared. */
  function entityLink(type, entity, cls) {
    return el('a', { 'class': 'entity-link' + (cls ? ' ' + cls : ''), href: entityHash(type, entity),
      title: entityName(type, entity) + ' (' + (TYPE_LABELS[type] || type) + '): history, hotspots, alerts, recommendations',
      'data-entity': entity, 'data-entity-type': type, text: entityName(type, entity) });
  }

  function co2Exact(kg) {
    return kg === null || kg === undefined ? 'no baseline' : intFormat.format(kg) + ' kg CO₂';
  }

  function signedPercent(p) {
    if (p === null || p === undefined) return '–';
    return (p > 0 ? '+' : p < 0 ? '−' : '±') + intFormat.format(Math.abs(p)) + ' %';
  }

  function duration(seconds) {
    if (!seconds) return '–';
    if (seconds % 86400 === 0) return seconds / 86400 === 1 ? '24 h' : seconds / 86400 + ' d';
    if (seconds % 3600 === 0) return seconds / 3600 + ' h';
    if (seconds % 60 === 0) return seconds / 60 + ' min';
    return seconds + ' s';
  }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return '–';
    var today = new Date();
    var sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth()
      && d.getDate() === today.getDate();
    return sameDay ? timeFormat.format(d) : dayFormat.format(d) + ' ' + timeFormat.format(d);
  }

  function millis(iso) {
    var t = Date.parse(iso);
    return isNaN(t) ? 0 : t;
  }

  /** The level a percentage of baseline falls in, with the engine's default thresholds (0.8, 1.0, 1.5). */
  function level(percentOfBaseline) {
    if (percentOfBaseline === null || percentOfBaseline === undefined) return 'none';
    if (percentOfBaseline >= 150) return 'critical';
    if (percentOfBaseline >= 100) return 'warn';
    if (percentOfBaseline >= 80) return 'info';
    return 'ok';
  }

  // ---------------------------------------------------------------- DOM helpers

  function $(id) {
    return document.getElementById(id);
  }

  /** An element with attributes and children; strings become text nodes. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') node.textContent = String(v);
      else node.setAttribute(k, String(v));
    });
  }

  function append(node, children) {
    if (children === null || children === undefined) return;
    (Array.isArray(children) ? children : [children]).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
  }

  function setText(id, text, title) {
    var node = $(id);
    node.textContent = text;
    if (title !== undefined) node.title = title;
  }

  function severityBadge(severity) {
    var s = SEVERITY_RANK[severity] ? severity : 'info';
    return el('span', { 'class': 'badge sev-' + s, text: severity || '?' });
  }

  function flash(node, key) {
    if (state.fresh.has(key)) node.classList.add('flash');
  }

  // ---------------------------------------------------------------- emissions

  /** Which figure the engine's CO2e is (emissions.basis): ISO 14083 names, as the API gives them. */
  var BASIS_LABELS = { wtw: '(well-to-wheel)', ttw: '(tank-to-wheel)' };

  /** kg CO2e per tonne-km (the GLEC KPI) and the tonne-km it is over; a dash without tonne-km. */
  function intensityText(intensity, tonneKm) {
    if (intensity === null || intensity === undefined) return 'no tonne-km in the window';
    return intensity.toFixed(4) + ' kg CO₂e/t·km · ' + intFormat.format(Math.round(tonneKm || 0)) + ' t·km';
  }

  function renderEmissions() {
    var s = state.snapshot;
    if (!s) return;
    setText('window-length', duration(s.window_seconds));
    setText('total-window', '· last ' + duration(s.window_seconds));
    var at = $('snapshot-at');
    at.textContent = when(s.at);
    at.setAttribute('datetime', s.at);
    at.title = s.at;
    setText('total', co2(s.total), co2Exact(s.total));
    var basis = BASIS_LABELS[s.basis] || '';
    setText('basis', basis, s.basis === 'ttw' ? 'Tank-to-wheel: the vehicles\' direct emissions'
      : s.basis === 'wtw' ? 'Well-to-wheel: tank-to-wheel plus the fuel\'s or electricity\'s upstream (ISO 14083)' : '');
    setText('intensity-total', intensityText(s.intensity_kg_per_tkm, s.tonne_km));
    var types = s.by_entity_type || {};
    var aboveTotal = 0;
    ['supplier', 'route', 'vehicle_type'].forEach(function (type) {
      var t = types[type] || { total: 0, top: [] };
      var top = t.top || [];
      var above = top.filter(function (e) { return e.percent_of_baseline !== null && e.percent_of_baseline > 100; }).length;
      aboveTotal += above;
      // Every shipment has one supplier, one route and one vehicle type: the three totals are the
      // same figure, so each card says what differs — how many are above baseline, and who.
      var value = $('total-' + type);
      value.textContent = above >= 10 ? '10+' : String(above);
      value.title = above + (above >= 10 ? ' or more ' : ' ') + TYPE_PLURALS[type] + ' above baseline';
      value.className = 'kpi-value' + (above > 0 ? ' is-above' : '');
      // top is sorted furthest above baseline first: its head is the one to watch.
      var head = top.find(function (e) { return e.percent_of_baseline !== null && e.percent_of_baseline !== undefined; });
      var sub = $('above-' + type);
      sub.className = 'kpi-sub' + (head ? ' lvl-' + level(head.percent_of_baseline) : '');
      sub.replaceChildren();
      if (!head) {
        sub.textContent = top.length === 0 ? 'no ' + TYPE_PLURALS[type] + ' in the window' : 'no baselines yet';
        sub.title = '';
      } else {
        sub.appendChild(el('span', { 'class': 'sub-label', text: 'furthest: ' }));
        sub.appendChild(entityLink(type, head.entity, 'sub-entity'));
        sub.appendChild(el('span', { 'class': 'sub-pct', text: '\u00a0' + intFormat.format(head.percent_of_baseline) + ' %' }));
        sub.title = entityName(type, head.entity) + ': ' + intFormat.format(head.percent_of_baseline) + ' % of baseline';
      }
      var largest = top.reduce(function (m, e) { return !m || (e.predicted || 0) > (m.predicted || 0) ? e : m; }, null);
      var share = $('intensity-' + type);
      share.replaceChildren();
      if (largest && t.total > 0) {
        share.appendChild(el('span', { text: 'largest: ' }));
        share.appendChild(entityLink(type, largest.entity));
        share.appendChild(el('span', { text: ' ' + co2(largest.predicted) + ' · ' + intFormat.format(largest.predicted / t.total * 100)
          + ' % of the total' }));
      } else {
        share.textContent = '\u00a0';
      }
    });
    setText('total-sub', aboveTotal === 0 ? 'every entity within its baseline'
      : aboveTotal + ' ' + (aboveTotal === 1 ? 'entity' : 'entities') + ' above baseline');
    renderChart();
  }

  function renderChart() {
    var host = $('chart');
    var type = state.chartType;
    setText('chart-type-label', TYPE_PLURALS[type]);
    Array.prototype.forEach.call($('chart-types').querySelectorAll('button'), function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.type === type));
    });
    Array.prototype.forEach.call($('chart-scales').querySelectorAll('button'), function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.scale === state.chartScale));
    });
    host.replaceChildren();
    var byType = state.snapshot && state.snapshot.by_entity_type && state.snapshot.by_entity_type[type];
    var top = (byType && byType.top) || [];
    if (top.length === 0) {
      host.appendChild(el('p', { 'class': 'empty', text: state.snapshot ? 'No ' + TYPE_PLURALS[type]
        + ' with emissions in the window yet.' : 'Waiting for the first snapshot…' }));
      return;
    }
    host.appendChild(state.chartScale === 'kg' ? chartSvg(top, kgScale(top)) : chartSvg(top, percentScale(top)));
  }

  /** Each bar as a percentage of its own baseline: every baseline sits on the same 100 % line. */
  function percentScale(top) {
    var max = 0;
    top.forEach(function (e) {
      if (e.percent_of_baseline !== null && e.percent_of_baseline !== undefined) max = Math.max(max, e.percent_of_baseline);
    });
    // Room past the longest bar, in steps of 50 %, at least up to 150 % (critical), at most 400 %.
    max = Math.min(Math.ceil(Math.max(150, max + 5) / 50) * 50, 400);
    var step = max > 200 ? 100 : 50;
    var ticks = [];
    for (var v = 0; v <= max; v += step) ticks.push({ value: v, label: v + ' %' });
    return {
      max: max,
      ticks: ticks,
      bar: function (e) { return e.percent_of_baseline === null || e.percent_of_baseline === undefined ? null : e.percent_of_baseline; },
      marker: function (e) { return e.baseline === null || e.baseline === undefined ? null : 100; }
    };
  }

  /** Predicted and baseline in kg on one scale, so that sizes compare across entities. */
  function kgScale(top) {
    var max = 0;
    top.forEach(function (e) { max = Math.max(max, e.predicted || 0, e.baseline || 0); });
    var step = niceStep(max / 4);
    max = Math.max(step, Math.ceil(max / step) * step);
    var ticks = [];
    for (var v = 0; v <= max + step / 2; v += step) ticks.push({ value: v, label: co2(v) });
    return {
      max: max,
      ticks: ticks,
      bar: function (e) { return e.predicted; },
      marker: function (e) { return e.baseline === null || e.baseline === undefined ? null : e.baseline; }
    };
  }

  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  var measureContext = null;

  /** The text cut to fit width px in the chart's font, with an ellipsis when cut. */
  function fit(text, width) {
    if (!measureContext) {
      measureContext = document.createElement('canvas').getContext('2d');
      measureContext.font = '12px ' + getComputedStyle(document.body).fontFamily;
    }
    if (measureContext.measureText(text).width <= width) return text;
    var lo = 0, hi = text.length;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      if (measureContext.measureText(text.slice(0, mid) + '…').width <= width) lo = mid;
      else hi = mid - 1;
    }
    return text.slice(0, lo) + '…';
  }

  function chartSvg(top, scale) {
    var type = state.chartType;
    // Drawn at the width it is shown at: text stays 12 px on a phone instead of shrinking with a viewBox.
    var width = Math.max(300, $('chart').clientWidth || 760);
    var narrow = width < 560;
    var rowH = 30, barH = 16, headH = 22, axisH = 22;
    var labelW = narrow ? Math.round(width * 0.34) : Math.min(190, Math.round(width * 0.24));
    var valueW = narrow ? 48 : 190;
    var x0 = labelW + 12, x1 = width - valueW - 8;
    var plotW = x1 - x0;
    var height = headH + top.length * rowH + axisH;
    var x = function (v) { return x0 + Math.max(0, Math.min(v, scale.max)) / scale.max * plotW; };

    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, 'class': 'bars' });

    // Grid and axis.
    var grid = svg('g', { 'class': 'grid' });
    scale.ticks.forEach(function (t) {
      var gx = x(t.value);
      grid.appendChild(svg('line', { x1: gx, x2: gx, y1: headH - 4, y2: height - axisH + 2 }));
      grid.appendChild(svg('text', { x: gx, y: height - 6, 'text-anchor': 'middle', text: t.label }));
    });
    root.appendChild(grid);
    root.appendChild(svg('text', { 'class': 'col-head', x: x1 + valueW, y: 13, 'text-anchor': 'end',
      text: narrow ? '% of baseline' : 'predicted / baseline · % of baseline' }));
    if (state.chartScale === 'percent') {
      var bx = x(100);
      root.appendChild(svg('line', { 'class': 'baseline-line', x1: bx, x2: bx, y1: headH - 4, y2: height - axisH + 2 }));
      root.appendChild(svg('text', { 'class': 'baseline-label', x: bx, y: 13, 'text-anchor': 'middle', text: 'baseline' }));
    }

    top.forEach(function (e, i) {
      var y = headH + i * rowH;
      var cy = y + rowH / 2;
      var lvl = level(e.percent_of_baseline);
      var row = svg('g', { 'class': 'row lvl-' + lvl, 'data-entity': e.entity });
      row.appendChild(svg('title', { text: entityName(type, e.entity) + ': ' + co2Exact(e.predicted) + ' predicted, baseline '
        + co2Exact(e.baseline) + (e.percent_of_baseline === null || e.percent_of_baseline === undefined ? ''
          : ' (' + e.percent_of_baseline + ' % of baseline)') }));
      if (i % 2 === 0) row.appendChild(svg('rect', { 'class': 'stripe', x: 0, y: y, width: width, height: rowH }));
      // The whole row up to the figures opens the entity's page; appended last, so it lies on top.
      var link = svg('a', { href: entityHash(type, e.entity), 'class': 'bar-link', 'data-entity': e.entity,
        'data-entity-type': type });
      link.appendChild(svg('rect', { 'class': 'hit', x: 0, y: y, width: x1, height: rowH }));
      link.appendChild(svg('text', { 'class': 'label', x: labelW, y: cy + 4, 'text-anchor': 'end',
        text: fit(entityName(type, e.entity), labelW - 8) }));
      var value = scale.bar(e);
      if (value === null) {
        row.appendChild(svg('text', { 'class': 'no-baseline', x: x0 + 4, y: cy + 4, text: 'no baseline yet' }));
      } else {
        var w = Math.max(2, x(value) - x0);
        row.appendChild(svg('rect', { 'class': 'bar', x: x0, y: cy - barH / 2, width: w, height: barH, rx: 3 }));
        if (value > scale.max) {
          var ax = x0 + w;
          row.appendChild(svg('path', { 'class': 'overflow', d: 'M' + (ax - 7) + ' ' + (cy - 5) + 'l5 5-5 5' }));
        }
      }
      var marker = scale.marker(e);
      if (marker !== null) {
        var mx = x(marker);
        row.appendChild(svg('line', { 'class': 'marker', x1: mx, x2: mx, y1: cy - barH / 2 - 4, y2: cy + barH / 2 + 4 }));
      }
      var values = svg('text', { 'class': 'values', x: x1 + valueW, y: cy + 4, 'text-anchor': 'end' });
      if (!narrow) {
        values.appendChild(svg('tspan', { 'class': 'v-pred', text: co2(e.predicted) }));
        values.appendChild(svg('tspan', { 'class': 'v-base', text: ' / ' + co2(e.baseline) }));
      }
      values.appendChild(svg('tspan', { 'class': 'v-pct', dx: narrow ? 0 : 8, text: e.percent_of_baseline === null
        || e.percent_of_baseline === undefined ? '–' : intFormat.format(e.percent_of_baseline) + ' %' }));
      row.appendChild(values);
      row.appendChild(link);
      root.appendChild(row);
    });
    return root;
  }

  // ---------------------------------------------------------------- hotspots

  function compareHotspots(a, b) {
    return (SEVERITY_RANK[b.severity] || 0) - (SEVERITY_RANK[a.severity] || 0)
      || (b.percent_above || 0) - (a.percent_above || 0)
      || millis(b.updated_at) - millis(a.updated_at)
      || b.id - a.id;
  }

  /** A hotspot's measured figure: kg CO2e, or kg CO2e per tonne-km for an intensity hotspot. */
  function hotspotFigure(h, v) {
    if (h.kind === 'intensity') return v === null || v === undefined ? '–' : fixed(v, 4) + ' kg/t·km';
    return co2(v);
  }

  function renderHotspots() {
    var open = Array.from(state.hotspots.values()).sort(compareHotspots);
    var counts = { critical: 0, warn: 0, info: 0 };
    open.forEach(function (h) { if (counts[h.severity] !== undefined) counts[h.severity]++; });
    ['critical', 'warn', 'info'].forEach(function (s) {
      setText('count-' + s, String(counts[s]));
      $('count-' + s).parentNode.classList.toggle('is-zero', counts[s] === 0);
    });
    setText('hotspot-total', String(open.length));

    // On an entity's page: its hotspots, open ones first, then the resolved ones, newest first, shown as past.
    var list = state.view ? Array.from(state.entity.hotspots.values()).sort(function (a, b) {
      return (a.status === 'resolved') - (b.status === 'resolved') || millis(b.updated_at) - millis(a.updated_at);
    }) : open;
    setText('hotspots-title', state.view ? 'Hotspots of this ' + TYPE_LABELS[state.view.type] : 'Open hotspots');
    setText('hotspots-order', state.view ? 'open first, then resolved' : 'most severe first');
    var rows = list.map(function (h) {
      var past = h.status === 'resolved';
      var tr = el('tr', { 'data-hotspot-id': h.id, 'data-entity': h.entity, 'data-severity': h.severity,
        'data-status': h.status, 'class': past ? 'is-past' : 'sev-row-' + h.severity }, [
        el('td', { 'class': 'entity', 'data-label': 'Entity' }, entityLink(h.entity_type, h.entity)),
        el('td', { 'class': 'type', 'data-label': 'Type', text: TYPE_LABELS[h.entity_type] || h.entity_type }),
        el('td', { 'data-label': 'Severity' }, past
          ? el('span', { 'class': 'badge badge-past', title: 'was ' + h.severity + '; resolved ' + (h.resolved_at || h.updated_at),
            text: 'resolved' })
          : severityBadge(h.severity)),
        el('td', { 'class': 'num', 'data-label': 'Predicted', title: co2Exact(h.predicted), text: hotspotFigure(h, h.predicted) }),
        el('td', { 'class': 'num muted', 'data-label': 'Baseline', title: co2Exact(h.baseline), text: hotspotFigure(h, h.baseline) }),
        el('td', { 'class': 'num pct ' + (h.percent_above > 0 ? 'is-above' : 'is-below'), 'data-label': 'Of baseline',
          title: ofBaseline(h.percent_above) + ' of baseline' + (h.window ? ' over ' + h.window : ''), text: ofBaseline(h.percent_above) }),
        el('td', { 'class': 'num muted', 'data-label': past ? 'Resolved' : 'Updated',
          title: 'opened ' + h.opened_at + ', updated ' + h.updated_at, text: when(past ? (h.resolved_at || h.updated_at) : h.updated_at) })
      ]);
      flash(tr, 'h' + h.id);
      return tr;
    });
    $('hotspots').tBodies[0].replaceChildren.apply($('hotspots').tBodies[0], rows);
    setText('hotspots-empty', state.view ? 'No hotspot for this ' + TYPE_LABELS[state.view.type] + ' in the last 28 days.'
      : 'No open hotspots: every entity is within its baseline.');
    $('hotspots-empty').hidden = list.length > 0;
  }

  /** A hotspot from the channel or REST: the later change wins; resolved ones leave the table. */
  function applyHotspot(h) {
    if (!h || h.id === undefined) return;
    var current = state.hotspots.get(h.id);
    if (current && millis(h.updated_at) < millis(current.updated_at)) return;
    if (h.status === 'resolved' || h.change === 'resolved') state.hotspots.delete(h.id);
    else state.hotspots.set(h.id, h);
  }

  // ---------------------------------------------------------------- alerts

  function upsertNewestFirst(list, item, max) {
    var i = list.findIndex(function (x) { return x.id === item.id; });
    if (i >= 0) list[i] = item;
    else list.push(item);
    list.sort(function (a, b) { return millis(b.created_at) - millis(a.created_at) || b.id - a.id; });
    if (list.length > max) list.length = max;
  }

  function renderAlerts() {
    var items = (state.view ? state.entity.alerts : state.alerts).map(function (a) {
      var kind = a.kind || 'firing';
      var meta = [];
      if (a.entity_type) meta.push(TYPE_LABELS[a.entity_type] || a.entity_type);
      if (a.percent_above !== null && a.percent_above !== undefined) meta.push(ofBaseline(a.percent_above) + ' of baseline');
      meta.push('hotspot #' + a.hotspot_id);
      if (a.acknowledged_at) meta.push('acknowledged ' + when(a.acknowledged_at));
      // An alert whose hotspot is no longer open belongs to the past, whatever level it fired at.
      var past = kind === 'resolved' || !hotspotOpen(a.hotspot_id);
      var li = el('li', { 'class': 'alert kind-' + kind + ' lvl-' + a.level + (past ? ' is-past' : ''), 'data-alert-id': a.id }, [
        el('div', { 'class': 'alert-head' }, [
          past && kind !== 'resolved' ? el('span', { 'class': 'badge badge-past', text: 'past' }) : severityBadge(a.level),
          a.entity ? entityLink(a.entity_type, a.entity, 'alert-entity') : null,
          el('span', { 'class': 'kind', text: kind }),
          el('time', { datetime: a.created_at, title: a.created_at, text: when(a.created_at) })
        ]),
        el('p', { 'class': 'alert-msg', text: a.message }),
        el('p', { 'class': 'alert-meta', text: meta.join(' · ') }),
        deliveryLine(a.id)
      ]);
      flash(li, 'a' + a.id);
      return li;
    });
    $('alerts').replaceChildren.apply($('alerts'), items);
    $('alerts-empty').hidden = items.length > 0;
  }

  /** Where an alert's notifications went: one chip per receiver, from the delivery log (null: none known). */
  function deliveryLine(alertId) {
    var list = state.deliveries.get(alertId);
    if (!list || !list.length) return null;
    var chips = list.map(function (d) {
      var label = d.status === 'sent' ? 'sent' : d.status === 'failed' ? 'failed' : 'pending';
      var title = d.receiver + ': ' + label + ' after ' + d.attempts + (d.attempts === 1 ? ' attempt' : ' attempts')
        + (d.last_error ? ' (' + d.last_error + ')' : '');
      return el('span', { 'class': 'delivery delivery-' + label, title: title, text: d.receiver + ' · ' + label });
    });
    return el('p', { 'class': 'alert-deliveries', 'aria-label': 'Delivered to' }, chips);
  }

  var deliveriesTimer = null;

  /**
   * The delivery log's recent entries, by alert. Reloaded every 30 s and shortly after an alert
   * arrives (a message is sent after its group's wait). An engine without the log, or a reader
   * without access, just shows no deliveries.
   */
  function loadDeliveries() {
    getJson('/notifications?limit=500').then(function (entries) {
      var byAlert = new Map();
      entries.slice().reverse().forEach(function (n) {
        (n.alert_ids || []).forEach(function (id) {
          var list = byAlert.get(id) || [];
          // The latest message per receiver wins: a resolution's message follows the firing one.
          list = list.filter(function (d) { return d.receiver !== n.receiver; });
          list.push({ receiver: n.receiver, status: n.status, attempts: n.attempts, last_error: n.last_error });
          byAlert.set(id, list);
        });
      });
      state.deliveries = byAlert;
      renderAlerts();
    }).catch(function () { /* no log to show */ });
  }

  function scheduleDeliveries(delayMs) {
    clearTimeout(deliveriesTimer);
    deliveriesTimer = setTimeout(function () {
      loadDeliveries();
      scheduleDeliveries(30000);
    }, delayMs);
  }

  // ---------------------------------------------------------------- recommendations

  /** An action's figure as the recommender said it: the rules give percent of the entity's CO2. */
  function reduction(value, source) {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value === 'number') return source === 'rules' ? '−' + intFormat.format(value) + ' % of its CO₂' : '−' + co2(value) + ' CO₂';
    return 'CO₂ ' + String(value);
  }

  /** Cost and feasibility: the rules score 1 to 10; said in words so that nobody has to guess which end is good. */
  function score(label, value, low, high) {
    if (value === null || value === undefined || value === '') return null;
    if (typeof value === 'number' && value >= 1 && value <= 10) {
      return { text: label + ' ' + intFormat.format(value) + '/10', title: label + ' from 1 (' + low + ') to 10 (' + high + ')' };
    }
    return { text: label + ' ' + (typeof value === 'object' ? JSON.stringify(value) : String(value)), title: label + ' as the service answered' };
  }

  /** Whether a hotspot is open now, as far as the page knows. */
  function hotspotOpen(id) {
    if (state.hotspots.has(id)) return true;
    var h = state.entity.hotspots.get(id);
    return !!h && h.status !== 'resolved';
  }

  function renderRecommendations() {
    var items = (state.view ? state.entity.recommendations : state.recommendations).map(function (r) {
      var past = !hotspotOpen(r.hotspot_id);
      var source = r.source === 'rag'
        ? el('span', { 'class': 'source source-rag', title: 'Answered by the RAG service', text: 'RAG service' })
        : el('span', { 'class': 'source source-rules', title: 'Answered by the built-in rule-based recommender (no RAG service answered)',
          text: r.source === 'rules' ? 'built-in rules' : String(r.source) });
      var actions = (r.actions || []).map(function (a) {
        var co2Chip = reduction(a.co2_reduction, r.source);
        var chips = [co2Chip ? { text: co2Chip, title: 'CO₂ this action would save', co2: true } : null,
          score('cost', a.cost_impact, 'cheap', 'costly'), score('feasibility', a.feasibility, 'hard', 'easy')]
          .filter(Boolean).map(function (c) { return el('span', { 'class': 'chip' + (c.co2 ? ' chip-co2' : ''), title: c.title, text: c.text }); });
        return el('li', null, [el('span', { 'class': 'action-title', text: a.title ? humanize(a.title) : '(untitled action)' }),
          el('span', { 'class': 'chips' }, chips)]);
      });
      var li = el('li', { 'class': 'rec' + (past ? ' is-past' : ''), 'data-recommendation-id': r.id, 'data-source': r.source }, [
        el('div', { 'class': 'rec-head' }, [
          entityLink(r.entity_type, r.entity, 'rec-entity'),
          past ? el('span', { 'class': 'badge badge-past', title: 'Its hotspot is resolved', text: 'past' })
            : r.severity ? severityBadge(r.severity) : null,
          source,
          el('time', { datetime: r.created_at, title: r.created_at, text: when(r.created_at) })
        ]),
        el('p', { 'class': 'root-cause', title: r.root_cause || '' }, [el('span', { 'class': 'label', text: 'Root cause ' }),
          r.root_cause ? humanize(r.root_cause) : '–']),
        actions.length ? el('ol', { 'class': 'actions' }, actions)
          : el('p', { 'class': 'no-actions', text: 'No action would lower this entity\'s CO₂.' })
      ]);
      flash(li, 'r' + r.id);
      return li;
    });
    $('recommendations').replaceChildren.apply($('recommendations'), items);
    $('recommendations-empty').hidden = items.length > 0;
  }

  // ---------------------------------------------------------------- history and the entity page

  /** The ranges of the switch: the bucket step keeps each chart at 96 to 672 points. */
  var RANGES = {
    '24h': { step: '15m', stepLabel: '15 min', ms: 86400000 },
    '7d': { step: '1h', stepLabel: 'hour', ms: 7 * 86400000 },
    '28d': { step: '1h', stepLabel: 'hour', ms: 28 * 86400000 }
  };
  /** The entity page's history follows live updates, at most this often. */
  var HISTORY_REFRESH_MS = 10000;
  var plot = null;
  var historyRefresh = { timer: null, last: 0 };

  /** The selection and range from the URL hash: #type=supplier&entity=Acme&range=28d. */
  function readHash() {
    var q = new URLSearchParams(location.hash.replace(/^#/, ''));
    var type = q.get('type');
    var entity = q.get('entity');
    state.view = type && entity && TYPE_LABELS[type] ? { type: type, entity: entity } : null;
    var range = q.get('range');
    state.range = RANGES[range] ? range : '7d';
  }

  function writeHash() {
    var q = new URLSearchParams();
    if (state.view) {
      q.set('type', state.view.type);
      q.set('entity', state.view.entity);
    }
    if (state.range !== '7d') q.set('range', state.range);
    var hash = q.toString();
    if (location.hash.replace(/^#/, '') !== hash) history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search);
  }

  function viewQuery() {
    return state.view ? 'entity_type=' + encodeURIComponent(state.view.type) + '&entity=' + encodeURIComponent(state.view.entity) : '';
  }

  /** Shows the overview or an entity's page, as the hash says, and loads what it needs. */
  function showView() {
    var v = state.view;
    document.body.dataset.view = v ? 'entity' : 'overview';
    $('entity-head').hidden = !v;
    $('overview-kpis').hidden = !!v;
    $('bars-panel').hidden = !!v;
    $('breakdown-panel').hidden = !v;
    if (v) {
      setText('entity-type', TYPE_LABELS[v.type]);
      setText('entity-name', entityName(v.type, v.entity));
      document.title = entityName(v.type, v.entity) + ' · Carbon Nexus';
    } else {
      document.title = 'Carbon Nexus';
    }
    setText('history-subject', v ? entityName(v.type, v.entity) : 'all shipments');
    Array.prototype.forEach.call($('history-ranges').querySelectorAll('button'), function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.range === state.range));
    });
    setText('history-step', RANGES[state.range].stepLabel);
    state.viewGeneration++;
    state.history = null;
    state.periods = [];
    state.entity = { hotspots: new Map(), alerts: [], recommendations: [] };
    delete document.body.dataset.historyReady;
    renderHistory();
    renderHotspots();
    renderAlerts();
    renderRecommendations();
    renderBreakdown(null);
    // Before the first REST load, load() fetches the view when it is done.
    if (state.loaded) loadView();
  }

  function isViewed(item) {
    return !!state.view && !!item && item.entity_type === state.view.type && item.entity === state.view.entity;
  }

  /** The history of the view, its hotspot periods and, on an entity's page, its own lists. */
  function loadView() {
    var generation = state.viewGeneration;
    var authGeneration = auth.generation;
    var range = RANGES[state.range];
    var now = Date.now();
    var from = new Date(now - range.ms).toISOString();
    var sel = viewQuery();
    var requests = [
      getJson('/emissions/history?' + (sel ? sel + '&' : '') + 'step=' + range.step + '&from=' + encodeURIComponent(from)),
      // Hotspots changed within the range, resolved ones included: the periods to mark.
      getJson('/hotspots?' + (sel ? sel + '&' : '') + 'since=' + encodeURIComponent(from) + '&limit=500')
    ];
    var others = state.view ? Object.keys(TYPE_LABELS).filter(function (t) { return t !== state.view.type; }) : [];
    if (state.view) {
      requests.push(getJson('/alerts?' + sel + '&limit=' + MAX_ALERTS));
      requests.push(getJson('/recommendations?' + sel + '&limit=' + MAX_RECOMMENDATIONS));
      // The breakdown: the emissions report of this entity, grouped by each other column.
      others.forEach(function (group) {
        requests.push(getJson('/reports/emissions?group=' + group + '&period=month&' + sel + '&from='
          + encodeURIComponent(from) + '&to=' + encodeURIComponent(new Date(now + 60000).toISOString())));
      });
    }
    historyRefresh.last = now;
    return Promise.all(requests).then(function (r) {
      if (generation !== state.viewGeneration || authGeneration !== auth.generation) return;
      state.history = r[0];
      state.periods = r[1].map(function (h) {
        return [millis(h.opened_at), h.status === 'resolved' && h.resolved_at ? millis(h.resolved_at) : now, h.severity];
      });
      if (state.view) {
        var hotspots = new Map();
        r[1].forEach(function (h) { hotspots.set(h.id, h); });
        state.entity.hotspots = hotspots;
        state.entity.alerts = [];
        r[2].forEach(function (a) { upsertNewestFirst(state.entity.alerts, a, MAX_ALERTS); });
        state.entity.recommendations = [];
        r[3].forEach(function (x) { upsertNewestFirst(state.entity.recommendations, x, MAX_RECOMMENDATIONS); });
        renderHotspots();
        renderAlerts();
        renderRecommendations();
        state.entity.breakdown = others.map(function (group, i) { return { group: group, report: r[4 + i] }; });
        renderBreakdown(state.history);
      }
      renderHistory();
      document.body.dataset.historyReady = 'true';
    }).catch(function (err) {
      if (generation !== state.viewGeneration || err.status === 401) return;
      console.warn('Carbon Nexus: loading the history failed:', err.message);
      setText('history-note', 'Could not load the history (' + err.message + ').');
    });
  }

  /** A live change of the view's entity: its history follows, at most every HISTORY_REFRESH_MS. */
  function refreshHistorySoon() {
    if (historyRefresh.timer) return;
    var wait = Math.max(0, historyRefresh.last + HISTORY_REFRESH_MS - Date.now());
    historyRefresh.timer = setTimeout(function () {
      historyRefresh.timer = null;
      if (state.loaded) loadView();
    }, wait);
  }

  function historyColumns(h) {
    var xs = [], pred = [], expected = [], upper = [];
    (h.buckets || []).forEach(function (b) {
      // The bucket that holds now is still filling: drawn, it would look like a drop.
      if (b.partial) return;
      xs.push(millis(b.start) / 1000);
      pred.push(b.co2_kg);
      expected.push(b.expected_co2_kg);
      upper.push(b.upper_co2_kg);
    });
    return [xs, pred, expected, upper];
  }

  function renderHistory() {
    var host = $('history-chart');
    var h = state.history;
    if (plot) {
      plot.destroy();
      plot = null;
    }
    host.replaceChildren();
    host.removeAttribute('data-points');
    if (!h) {
      host.appendChild(el('p', { 'class': 'empty', text: 'Loading the history…' }));
      return;
    }
    var data = historyColumns(h);
    var points = data[1].filter(function (v) { return v > 0; }).length;
    var hasBand = data[3].some(function (v) { return v !== null && v !== undefined; });
    var hasExpected = data[2].some(function (v) { return v !== null && v !== undefined; });
    var note = [];
    if (h.model && h.model.window) {
      note.push('Band: the upper edge of normal for one ' + RANGES[state.range].stepLabel + ' at ' + h.model.k
        + ' spreads (detection\'s ' + h.model.window + ' window), from the model learnt ' + when(h.model.built_at)
        + '; detection judges sliding windows, so a bucket above the band is a hint, the shaded periods are the hotspots.');
    } else if (!state.view && hasExpected) {
      note.push('Expected: the sum of the vehicle types\' models; the total has no upper edge of its own.');
    } else if (state.view) {
      note.push('No model for this ' + TYPE_LABELS[state.view.type] + ' yet (it needs a week of history): no band.');
    }
    note.push('kg CO₂e ' + (h.basis === 'ttw' ? 'tank-to-wheel' : 'well-to-wheel') + ' per bucket; the current one is left out until it ends.');
    setText('history-note', note.join(' '));
    var total = data[1].reduce(function (a, v) { return a + (v || 0); }, 0);
    host.setAttribute('aria-label', 'Predicted CO₂e of ' + (state.view ? entityName(state.view.type, state.view.entity) : 'all shipments')
      + ' over the last ' + state.range + ': ' + co2(total) + ' in all, ' + state.periods.length + ' hotspot period(s) marked');
    if (data[0].length === 0 || typeof uPlot !== 'function') {
      host.appendChild(el('p', { 'class': 'empty', text: typeof uPlot !== 'function' ? 'The chart library did not load.'
        : 'No emissions in this range.' }));
      return;
    }
    host.dataset.points = String(points);
    var width = Math.max(280, host.clientWidth || 760);
    var styles = getComputedStyle(document.documentElement);
    var color = function (name) { return styles.getPropertyValue(name).trim(); };
    var periods = state.periods;
    var axis = { stroke: color('--muted'), grid: { stroke: color('--line'), width: 1 }, ticks: { stroke: color('--line') },
      font: '12px ' + getComputedStyle(document.body).fontFamily };
    var opts = {
      width: width,
      height: width < 560 ? 220 : 260,
      legend: { show: false },
      cursor: { points: { show: false } },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.08)]; } } },
      axes: [
        Object.assign({ space: width < 560 ? 70 : 90 }, axis),
        Object.assign({ size: 64, values: function (u, splits) { return splits.map(function (v) { return co2(v); }); } }, axis)
      ],
      series: [
        {},
        { label: 'predicted', stroke: color('--accent'), width: 1.5, fill: 'rgba(52, 211, 153, .08)' },
        { label: 'expected', stroke: color('--muted'), width: 1, dash: [4, 4], show: hasExpected },
        { label: 'upper edge of normal', stroke: 'rgba(56, 189, 248, .55)', width: 1, show: hasBand }
      ],
      bands: hasBand && hasExpected ? [{ series: [3, 2], fill: 'rgba(56, 189, 248, .10)' }] : [],
      hooks: {
        // Hotspot periods under the lines: shaded, in the colour of their severity.
        drawClear: [function (u) {
          var ctx = u.ctx;
          var top = u.bbox.top, height = u.bbox.height;
          ctx.save();
          periods.forEach(function (p) {
            var x0 = u.valToPos(Math.max(p[0] / 1000, u.scales.x.min), 'x', true);
            var x1 = u.valToPos(Math.min(p[1] / 1000, u.scales.x.max), 'x', true);
            if (!(x1 > x0)) return;
            ctx.fillStyle = p[2] === 'critical' ? 'rgba(240, 82, 82, .16)' : p[2] === 'warn' ? 'rgba(245, 165, 36, .14)'
              : 'rgba(56, 189, 248, .08)';
            ctx.fillRect(x0, top, Math.max(2, x1 - x0), height);
          });
          ctx.restore();
        }]
      }
    };
    plot = new uPlot(opts, data, host);
  }

  /** What the entity's CO2e is made of; filled when the engine offers it (see GET /emissions/history). */
  function renderBreakdown(h) {
    var host = $('breakdown');
    host.replaceChildren();
    if (!state.view) return;
    if (!h) {
      host.appendChild(el('p', { 'class': 'empty', text: 'Loading…' }));
      return;
    }
    var data = historyColumns(h);
    var total = 0, events = 0, tkm = 0;
    (h.buckets || []).forEach(function (b) { total += b.co2_kg; events += b.events; tkm += b.tonne_km; });
    var peak = null;
    data[1].forEach(function (v, i) { if (peak === null || v > data[1][peak]) peak = i; });
    setText('breakdown-range', 'last ' + state.range);
    var facts = [
      ['CO₂e', co2(total)],
      ['Shipments', intFormat.format(events)],
      ['Tonne-km', intFormat.format(Math.round(tkm))],
      ['Intensity', tkm > 0 ? fixed(total / tkm, 4) + ' kg/t·km' : '–'],
      ['Busiest ' + RANGES[state.range].stepLabel, peak === null ? '–' : co2(data[1][peak]) + ' at ' + when(new Date(data[0][peak] * 1000).toISOString())]
    ];
    host.appendChild(el('dl', { 'class': 'facts' }, facts.map(function (f) {
      return el('div', null, [el('dt', { text: f[0] }), el('dd', { text: f[1] })]);
    })));
    (state.entity.breakdown || []).forEach(function (b) {
      host.appendChild(breakdownList(b.group, b.report, h.basis));
    });
  }

  /** One column's share of the entity's CO2e over the range, largest first, from the emissions report. */
  function breakdownList(group, report, basis) {
    var sums = new Map();
    (report.rows || []).forEach(function (row) {
      // The figure on the engine's basis; a tank-to-wheel-only prediction has no well-to-wheel figure.
      var kg = basis === 'ttw' ? row.co2e_ttw_kg : (row.co2e_wtw_kg === null ? row.co2e_ttw_kg : row.co2e_wtw_kg);
      sums.set(row.entity, (sums.get(row.entity) || 0) + (kg || 0));
    });
    var list = Array.from(sums.entries()).sort(function (a, b) { return b[1] - a[1]; });
    var total = list.reduce(function (a, e) { return a + e[1]; }, 0);
    var shown = list.slice(0, 8);
    var section = el('section', { 'class': 'split', 'data-group': group }, [
      el('h3', { text: 'By ' + TYPE_LABELS[group] + (list.length > shown.length ? ' (top ' + shown.length + ' of ' + list.length + ')' : '') })
    ]);
    if (shown.length === 0) {
      section.appendChild(el('p', { 'class': 'hint', text: 'Nothing in this range.' }));
      return section;
    }
    section.appendChild(el('ol', { 'class': 'split-list' }, shown.map(function (e) {
      var share = total > 0 ? e[1] / total * 100 : 0;
      return el('li', null, [
        entityLink(group, e[0], 'split-name'),
        el('span', { 'class': 'split-bar', 'aria-hidden': 'true' }, el('span', { style: 'width:' + share.toFixed(1) + '%' })),
        el('span', { 'class': 'split-value', text: co2(e[1]) + ' · ' + intFormat.format(share) + ' %' })
      ]);
    })));
    return section;
  }

    // ---------------------------------------------------------------- state from REST

  function getJson(path) {
    var headers = authHeaders();
    headers.accept = 'application/json';
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          var err = new Error(path + ': ' + res.status + (body && body.error ? ' ' + body.error : ''));
          err.status = res.status;
          err.reason = body && typeof body.error === 'string' ? body.error : null;
          throw err;
        });
      }
      return res.json();
    });
  }

  var retryTimer = null;

  function load() {
    if (state.loading) return;
    state.loading = true;
    // Live messages wait until the answers are in, then apply on top of them (the later change wins).
    state.loaded = false;
    clearTimeout(retryTimer);
    var generation = auth.generation;
    Promise.all([
      getJson('/emissions/current'),
      getJson('/hotspots?status=open&limit=500'),
      getJson('/alerts?limit=' + MAX_ALERTS),
      getJson('/recommendations?limit=' + MAX_RECOMMENDATIONS)
    ]).then(function (r) {
      if (generation !== auth.generation) return;
      if (!state.snapshot || millis(r[0].at) >= millis(state.snapshot.at)) state.snapshot = r[0];
      var open = new Map();
      r[1].forEach(function (h) { if (h.status !== 'resolved') open.set(h.id, h); });
      state.hotspots = open;
      state.alerts = [];
      r[2].forEach(function (a) { upsertNewestFirst(state.alerts, a, MAX_ALERTS); });
      state.recommendations = [];
      r[3].forEach(function (x) { upsertNewestFirst(state.recommendations, x, MAX_RECOMMENDATIONS); });
      state.loading = false;
      state.loaded = true;
      // What came live during the load is newer than or as new as the answers: apply it on top.
      var pending = state.pending;
      state.pending = [];
      pending.forEach(function (m) { apply(m.address, m.body, false); });
      state.fresh.clear();
      state.shown = true;
      renderAll();
      showBanner(null);
      if (auth.token) signedIn();
      document.body.dataset.ready = 'true';
      // The view's history and lists too: after a reconnect, whatever changed meanwhile.
      loadView();
      scheduleDeliveries(0);
    }).catch(function (err) {
      if (generation !== auth.generation) return;
      state.loading = false;
      if (err.status === 401) {
        // Not a failure to retry: the engine wants a token, or no longer takes this one.
        askForToken(!auth.token ? null : auth.accepted
          ? 'Your token stopped working' + (err.reason ? ' (' + err.reason + ')' : '') + ': sign in again.'
          : 'The engine did not accept that token' + (err.reason ? ' (' + err.reason + ')' : '') + '.');
        return;
      }
      console.warn('Carbon Nexus: loading the state failed, retrying in 5 s:', err.message);
      showBanner('Could not load the current state (' + err.message + '). Retrying…');
      retryTimer = setTimeout(load, 5000);
    });
  }

  function renderAll() {
    renderEmissions();
    if (!state.snapshot) renderChart();
    renderHotspots();
    renderAlerts();
    renderRecommendations();
  }

  function showBanner(text) {
    var b = $('banner');
    b.hidden = !text;
    b.textContent = text || '';
  }

  // ---------------------------------------------------------------- live

  /** One message from a channel; rendered at once unless part of a batch. */
  function apply(address, body, render) {
    if (!body || typeof body !== 'object') return;
    if (!state.loaded) {
      if (state.pending.length >= 5000) state.pending.shift();
      state.pending.push({ address: address, body: body });
      return;
    }
    switch (address) {
      case 'emissions':
        if (state.snapshot && millis(body.at) < millis(state.snapshot.at)) return;
        state.snapshot = body;
        if (render) renderEmissions();
        // New emissions: the history (of the total or the entity shown) follows, throttled.
        refreshHistorySoon();
        break;
      case 'hotspots':
        applyHotspot(body);
        if (isViewed(body)) {
          var known = state.entity.hotspots.get(body.id);
          if (!known || millis(body.updated_at) >= millis(known.updated_at)) state.entity.hotspots.set(body.id, body);
        }
        state.fresh.add('h' + body.id);
        if (render) renderHotspots();
        break;
      case 'alerts':
        upsertNewestFirst(state.alerts, body, MAX_ALERTS);
        // Its notifications leave after the route's group wait (30 s by default): look then.
        scheduleDeliveries(35000);
        if (isViewed(body)) upsertNewestFirst(state.entity.alerts, body, MAX_ALERTS);
        state.fresh.add('a' + body.id);
        if (render) renderAlerts();
        break;
      case 'recommendations':
        upsertNewestFirst(state.recommendations, body, MAX_RECOMMENDATIONS);
        if (isViewed(body)) upsertNewestFirst(state.entity.recommendations, body, MAX_RECOMMENDATIONS);
        state.fresh.add('r' + body.id);
        if (render) renderRecommendations();
        break;
      default:
        return;
    }
    if (render) state.fresh.clear();
  }

  function setConnection(text) {
    setText('connection', text);
    $('connection-pill').dataset.state = text;
    $('connection-pill').title = text === 'live' ? 'Live updates from the engine\'s event bus'
      : text === 'offline' ? 'Event bus disconnected; reconnecting automatically'
        : text === 'signed out' ? 'No live updates until you sign in' : 'Connecting to the event bus…';
  }

  var eb = null;

  function connect() {
    if (typeof EventBus !== 'function') {
      setConnection('offline');
      showBanner('The event-bus client did not load: the page shows the state at load time only.');
      return;
    }
    disconnect();
    var everOpen = false;
    var bus = new EventBus('/eventbus');
    eb = bus;
    bus.enableReconnect(true);
    bus.onopen = function () {
      // Handlers live as long as one connection: register on every open, reconnects included,
      // each time with the token of the moment (the engine checks it per registration).
      var headers = authHeaders();
      CHANNELS.forEach(function (address) {
        bus.registerHandler(address, headers, function (err, msg) {
          if (err) {
            console.error('Carbon Nexus: channel ' + address + ' failed:', err);
            return;
          }
          apply(address, msg.body, true);
        });
      });
      // Live only once the four registrations are on their way.
      setConnection('live');
      // After a reconnect, whatever changed while offline comes from REST once more.
      if (everOpen) load();
      everOpen = true;
    };
    bus.onclose = function (e) {
      if (e && e.code === TOKEN_EXPIRED) {
        tokenExpired();
        return;
      }
      setConnection('offline');
    };
    // The bridge's refusals come as err frames that name no address, so they land here and not in
    // a channel's handler: "rejected" for a registration without a valid token, "token_expired"
    // just before it closes a socket whose token expired (SockJS transports cannot carry the 4401).
    bus.onerror = function (frame) {
      if (frame && frame.body === 'token_expired') {
        tokenExpired();
      } else if (frame && frame.body === 'rejected') {
        askForToken(auth.token ? 'The live updates refused your token: sign in again.' : null);
      } else {
        console.error('Carbon Nexus: event bus error:', frame);
      }
    };
  }

  /** Closes the bridge for good (no reconnect); its handlers are detached first so nothing reports the close. */
  function disconnect() {
    if (!eb) return;
    var bus = eb;
    eb = null;
    bus.onopen = null;
    bus.onclose = null;
    bus.onerror = function () {};
    bus.enableReconnect(false);
    try {
      bus.close();
    } catch (e) {
      // Between two reconnect attempts there is no socket to close.
    }
  }

  function tokenExpired() {
    askForToken('Your token has expired: sign in again to resume live updates.');
  }

  // ---------------------------------------------------------------- sign-in

  /** sessionStorage: the token lives as long as the tab, and is not left behind on a shared computer. */
  function readToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null;
    }
  }

  function storeToken(token) {
    auth.token = token || null;
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // Storage disabled: the token lives in this page only.
    }
  }

  function authHeaders() {
    return auth.token ? { Authorization: 'Bearer ' + auth.token } : {};
  }

  /** Who a JWT names (email or subject), for the "signed in" line; null for the operator token. */
  function tokenSubject(token) {
    var parts = token.split('.');
    if (parts.length !== 3) return null;
    try {
      var json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
      var claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, function (c) { return c.charCodeAt(0); })));
      return typeof claims.email === 'string' ? claims.email : typeof claims.sub === 'string' ? claims.sub : null;
    } catch (e) {
      return null;
    }
  }

  /**
   * Stops everything that needs a token and shows the sign-in panel; `message` says why (null: the
   * first ask, the panel's own text is enough). Asking again while the panel is up only adds a
   * message if none is shown: REST and the bridge often refuse together, the first reason is enough.
   */
  function askForToken(message) {
    if (auth.asking) {
      if (message && $('signin-message').hidden) setSigninMessage(message);
      return;
    }
    auth.asking = true;
    auth.accepted = false;
    auth.generation++;
    storeToken(null);
    disconnect();
    clearTimeout(retryTimer);
    state.loading = false;
    setConnection('signed out');
    showBanner(null);
    document.body.dataset.auth = 'signed-out';
    $('session').hidden = true;
    $('sign-in').disabled = false;
    setSigninMessage(message);
    $('signin').hidden = false;
    // Behind the panel, the figures of a session that ended stay visible; a page that never had any shows none.
    $('dashboard').hidden = !state.shown;
    $('token').value = '';
    $('token').focus();
  }

  function setSigninMessage(message) {
    var node = $('signin-message');
    node.hidden = !message;
    node.textContent = message || '';
  }

  /** The engine took the token: the panel goes, the header says so. */
  function signedIn() {
    auth.accepted = true;
    auth.asking = false;
    document.body.dataset.auth = 'signed-in';
    $('signin').hidden = true;
    $('dashboard').hidden = false;
    var who = tokenSubject(auth.token);
    setText('session-who', who ? 'signed in as ' + who : 'signed in', who || 'signed in with the operator token');
    $('session').hidden = false;
  }

  function signIn(token) {
    storeToken(token);
    // Checking now: a refusal of this token asks afresh, with its reason.
    auth.asking = false;
    auth.generation++;
    $('sign-in').disabled = true;
    setSigninMessage(null);
    setConnection('connecting');
    // The panel stays until the engine answers: a refused token brings its reason right there.
    load();
    connect();
  }

  function signOut() {
    auth.generation++;
    state.snapshot = null;
    state.hotspots = new Map();
    state.alerts = [];
    state.recommendations = [];
    state.entity = { hotspots: new Map(), alerts: [], recommendations: [] };
    state.history = null;
    state.pending = [];
    state.loaded = false;
    state.shown = false;
    renderAll();
    askForToken('You are signed out.');
  }

  // ---------------------------------------------------------------- wiring

  $('chart-types').addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-type]');
    if (!b) return;
    state.chartType = b.dataset.type;
    renderChart();
  });
  $('chart-scales').addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-scale]');
    if (!b) return;
    state.chartScale = b.dataset.scale;
    renderChart();
  });
  $('history-ranges').addEventListener('click', function (ev) {
    var b = ev.target.closest('button[data-range]');
    if (!b || !RANGES[b.dataset.range]) return;
    state.range = b.dataset.range;
    writeHash();
    showView();
  });
  // Entity links only change the hash; the hash decides what is shown (a shared URL opens the same page).
  window.addEventListener('hashchange', function () {
    readHash();
    showView();
    window.scrollTo(0, 0);
  });
  $('signin-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    // A pasted "Bearer eyJ..." works too.
    var token = $('token').value.trim().replace(/^bearer\s+/i, '');
    if (!token) {
      setSigninMessage('Paste a token first.');
      $('token').focus();
      return;
    }
    signIn(token);
  });
  $('sign-out').addEventListener('click', signOut);
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      renderChart();
      if (plot) plot.setSize({ width: Math.max(280, $('history-chart').clientWidth), height: plot.height });
    }, 150);
  });

  setConnection('connecting');
  readHash();
  showView();
  renderChart();
  load();
  connect();
}());
