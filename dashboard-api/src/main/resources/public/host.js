// The host page: the metrics of the catalog (one chart per chart group) over a chosen range (1 h, 24 h, 7 d, 30 d or custom; kept in the URL) on a real time
// axis whose ticks are chosen for the range, the host's alerts and alert history, its identity history, the scans that
// concern it, and a place for its inventory.
"use strict";

(() => {
  const { el, api, ago, status, hostName } = FW;
  let catalog = null; // GET /api/metrics/catalog, once per page load

  // One chart per chart group of the metric catalog, its metrics in catalog order; percentages capped at 100.
  function chartGroups(metrics) {
    const groups = new Map();
    for (const x of metrics) {
      if (!groups.has(x.chart_group)) {
        groups.set(x.chart_group, { group: x.chart_group, label: x.label + (x.unit ? " " + x.unit : ""),
          max: x.unit === "%" ? 100 : undefined, metrics: [] });
      }
      const g = groups.get(x.chart_group);
      if (g.metrics.length === 1) g.label = g.metrics[0].label + ", " + x.label + (x.unit ? " " + x.unit : "");
      g.metrics.push(x);
    }
    return [...groups.values()];
  }

  const H = 3600e3, D = 24 * H;
  const RANGES = { "1h": H, "24h": D, "7d": 7 * D, "30d": 30 * D };
  // tick steps, smallest first: the axis takes the first that gives at most MAX_TICKS ticks
  const STEPS = [60e3, 2 * 60e3, 5 * 60e3, 10 * 60e3, 15 * 60e3, 30 * 60e3, H, 2 * H, 3 * H, 6 * H, 12 * H, D, 2 * D, 7 * D, 14 * D, 28 * D];
  const MAX_TICKS = 8;

  /** The bucket a chart of this span reads: raw samples up to 2 h, then 1 min, 5 min, 1 h, 1 d. */
  function bucketFor(span) {
    return span <= 2 * H ? "raw" : span <= 12 * H ? "1m" : span <= 2 * D ? "5m" : span <= 62 * D ? "1h" : "1d";
  }

  /** Ticks at round local times (whole minutes, hours, midnights) for [min, max]. */
  function timeTicks(min, max) {
    const step = STEPS.find(s => (max - min) / s <= MAX_TICKS) || STEPS[STEPS.length - 1];
    const offset = -new Date(min).getTimezoneOffset() * 60e3; // local time's offset from UTC
    const ticks = [];
    for (let t = Math.ceil((min + offset) / step) * step - offset; t <= max; t += step) ticks.push(t);
    return { step, ticks };
  }

  const day = t => new Date(t).toLocaleDateString([], { month: "short", day: "numeric" });
  const hm = t => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  /**
   * A tick's label: the date for day steps; below a day, the time, with the date where the day changes, or on every
   * tick when the range is longer than a day (else 12:00 would name two different noons).
   */
  function tickLabel(t, step, previous, span) {
    if (step >= D) return day(t);
    const newDay = previous === undefined || new Date(previous).toDateString() !== new Date(t).toDateString();
    return newDay || span > D ? [hm(t), day(t)] : hm(t);
  }
  FW.timeTicks = timeTicks; // for the browser test
  FW.tickLabel = tickLabel;

  /** The range in the URL: ?range=1h|24h|7d|30d (default 1h) or ?from=…&to=… (ISO). */
  function rangeOf(query) {
    const from = Date.parse(query.get("from") || ""), to = Date.parse(query.get("to") || "");
    if (!isNaN(from) && !isNaN(to) && from < to) return { name: "custom", from, to };
    const name = RANGES[query.get("range")] ? query.get("range") : "1h";
    const end = Date.now();
    return { name, from: end - RANGES[name], to: end };
  }

  const localInput = t => { const d = new Date(t - new Date(t).getTimezoneOffset() * 60e3); return d.toISOString().slice(0, 16); };

  // Chart.js (copied in by the build) is loaded the first time a host page opens: the fleet page does not need it.
  let chartJs = null;
  const loadChartJs = () => chartJs || (chartJs = new Promise((resolve, reject) => {
    if (window.Chart) return resolve();
    document.head.append(el("script", { src: "vendor/chart.umd.min.js", onload: resolve,
      onerror: () => { chartJs = null; reject(new Error("could not load vendor/chart.umd.min.js")); } }));
  }));

  FW.route("host", /^#\/host\/(\d+)$/, async ({ params: [id], query }) => {
    const range = rangeOf(query);
    const bucket = bucketFor(range.to - range.from);
    const q = "?from=" + new Date(range.from).toISOString() + "&to=" + new Date(range.to).toISOString() + "&bucket=" + bucket + "&limit=10000";
    const [h, m, a, history, scans] = await Promise.all([api("/api/systems/" + id), api("/api/systems/" + id + "/metrics" + q),
      api("/api/alerts?state=all&limit=100&system_id=" + id), api("/api/systems/" + id + "/alert-history?limit=100"),
      api("/api/systems/" + id + "/scans?limit=20"), loadChartJs()]);
    catalog = catalog || await api("/api/metrics/catalog");

    const go = params => { location.hash = "#/host/" + id + "?" + new URLSearchParams(params); };
    const fromInput = el("input", { type: "datetime-local", id: "range-from", value: localInput(range.from), "aria-label": "From" });
    const toInput = el("input", { type: "datetime-local", id: "range-to", value: localInput(range.to), "aria-label": "To" });
    const custom = el("form", { class: "custom-range", id: "custom-range", hidden: range.name !== "custom",
      onsubmit: e => {
        e.preventDefault();
        const f = Date.parse(fromInput.value), t = Date.parse(toInput.value);
        if (isNaN(f) || isNaN(t) || f >= t) { customError.textContent = "From must be before to."; return; }
        go({ from: new Date(f).toISOString(), to: new Date(t).toISOString() });
      } }, fromInput, toInput, el("button", { type: "submit" }, "Show"));
    const customError = el("span", { class: "error" });
    custom.append(customError);
    const picker = el("div", { class: "toolbar", role: "group", "aria-label": "Time range" },
      ...Object.keys(RANGES).map(r => el("button", { type: "button", "data-range": r, "aria-pressed": String(r === range.name),
        onclick: () => go({ range: r }) }, r)),
      el("button", { type: "button", "data-range": "custom", "aria-pressed": String(range.name === "custom"),
        onclick: () => { custom.hidden = !custom.hidden; } }, "custom"),
      el("span", { class: "muted", id: "range-label" }, new Date(range.from).toLocaleString() + " – " + new Date(range.to).toLocaleString()
        + " · " + (bucket === "raw" ? "raw samples" : bucket + " buckets") + " · " + m.metrics.length + " points"));

    const title = el("div", { class: "toolbar" }, el("h1", {}, hostName(h)), status(h.status),
      el("span", { class: "muted" }, [h.ip_address, h.mac_address, "last seen " + ago(h.last_seen)].filter(Boolean).join(" · ")));

    const grid = el("div", { class: "charts" });
    const pending = [], charts = [];
    // a group none of whose metrics this host reported in the range (no GPU, no sensors) is not drawn
    const groups = chartGroups(catalog).filter(g => g.metrics.some(x => m.metrics.some(p => p.metrics[x.name] != null)));
    for (const { group, label, max, metrics } of groups) {
      const canvas = el("canvas", { "data-metric": metrics[0].name, "data-group": group, "aria-label": label });
      grid.append(el("div", { class: "chart" }, canvas));
      pending.push(() => charts.push(new Chart(canvas, {
        type: "line",
        data: { datasets: metrics.map(x => ({ label: x.label + (x.unit ? " " + x.unit : ""),
          data: m.metrics.map(p => ({ x: Date.parse(p.collected_at), y: p.metrics[x.name] })),
          pointRadius: 0, borderWidth: 1.5, spanGaps: false, tension: 0.2 })) },
        options: { animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
          scales: {
            x: { type: "linear", min: range.from, max: range.to,
              afterBuildTicks: axis => { axis.ticks = timeTicks(axis.min, axis.max).ticks.map(value => ({ value })); },
              ticks: { autoSkip: false, maxRotation: 0,
                callback: (v, i, ticks) => tickLabel(v, timeTicks(range.from, range.to).step, i ? ticks[i - 1].value : undefined,
                  range.to - range.from) } },
            y: { beginAtZero: true, ...(max ? { max } : {}) } },
          plugins: { legend: { display: true }, tooltip: { callbacks: { title: i => new Date(i[0].parsed.x).toLocaleString() } } } }
      })));
    }

    const table = (id, heads, rows, none) => rows.length
      ? el("div", { class: "table-wrap card" }, el("table", { id }, el("thead", {}, el("tr", {}, heads.map(t => el("th", {}, t)))), el("tbody", {}, rows)))
      : el("p", { class: "muted", id: id + "-none" }, none);
    const when = iso => iso ? el("span", { title: iso }, new Date(iso).toLocaleString()) : "–";
    const value = (v, t) => v === null || v === undefined ? "–" : v.toFixed(1) + (t !== null && t !== undefined ? " (≥ " + t + ")" : "");

    const alerts = table("host-alerts", ["Alert", "Severity", "Value", "Since", "Resolved", "Acknowledged"],
      a.alerts.map(x => el("tr", { "data-alert": x.id }, el("td", {}, x.alert_type), el("td", { class: "sev-" + x.severity }, x.severity),
        el("td", {}, value(x.value, x.threshold)), el("td", {}, when(x.occurred_at)), el("td", {}, x.resolved_at ? when(x.resolved_at) : "open"),
        el("td", {}, x.acknowledged_at ? (x.acknowledged_by || "yes") + ", " + ago(x.acknowledged_at) : "–"))), "No alerts for this host.");
    const historyTable = table("host-alert-history", ["When", "Alert", "Severity", "Event", "Value"],
      history.map(x => el("tr", {}, el("td", {}, when(x.occurred_at)), el("td", {}, x.alert_type), el("td", { class: "sev-" + x.severity }, x.severity),
        el("td", {}, x.state), el("td", {}, value(x.value, x.threshold)))), "No alert has fired or resolved for this host.");
    const identity = table("host-identity", ["Seen from", "Hostname", "IP", "MAC"],
      h.identity_history.map(x => el("tr", {}, el("td", {}, when(x.observed_at)), el("td", {}, x.hostname || "–"),
        el("td", {}, x.ip_address || "–"), el("td", { class: "mono" }, x.mac_address || "–"))), "No identity recorded yet.");
    const scanTable = table("host-scans", ["Scan", "Targets", "Status", "Hosts found", "Requested by", "Started", "Finished"],
      scans.map(s => el("tr", {}, el("td", {}, "#" + s.id), el("td", {}, s.targets || "–"), el("td", {}, s.status),
        el("td", {}, s.hosts_found === null ? "–" : String(s.hosts_found)), el("td", {}, s.requested_by || "–"),
        el("td", {}, when(s.started_at || s.created_at)), el("td", {}, when(s.finished_at)))), "No scan has covered this host's address.");

    const inventory = el("div", { id: "inventory" }); // inventory.js fills it (GET …/inventory and its changes)
    return {
      nodes: [title, picker, custom, grid,
        el("section", { id: "section-alerts" }, el("h2", {}, "Alerts"), alerts),
        el("section", { id: "section-alert-history" }, el("h2", {}, "Alert history"), historyTable),
        el("section", { id: "section-identity" }, el("h2", {}, "Identity history"), identity),
        el("section", { id: "section-scans" }, el("h2", {}, "Scans"), scanTable),
        el("section", { id: "section-inventory" }, el("h2", {}, "Inventory"), inventory)],
      after: () => { pending.forEach(f => f()); window.fwRenderInventory?.(inventory, id, api); },
      dispose: () => charts.forEach(c => c.destroy()),
      // a fixed range (custom) stays as it is; a sliding one moves on every minute
      refreshMs: range.name === "custom" ? 0 : 60000
    };
  });
})();
