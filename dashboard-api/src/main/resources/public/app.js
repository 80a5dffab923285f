// Fleetwatch web dashboard, the shell: a small hash router, the nav, and the helpers every page uses (the API with the
// bearer token kept in this tab's sessionStorage, element building, the live event stream). Pages live in their own
// files and register a route: FW.route(name, /^#\/path$/, async ({ params, query }) => view), where a view is a list
// of nodes or { nodes, after, dispose, refreshMs } (after: once on screen; dispose: when left; refreshMs: render again
// after that long). Fleet page: fleet.js; host page: host.js.
"use strict";

const FW = (() => {
  const view = document.getElementById("view");
  const routes = [];
  let current = null;   // { name, dispose }
  let timer = null;
  let generation = 0;   // a render that a newer one overtook drops its result

  class Unauthorized extends Error {}

  const token = () => sessionStorage.getItem("fleetwatch.token");

  async function api(path, options = {}) {
    const t = token();
    if (!t) throw new Unauthorized();
    const res = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: "Bearer " + t } });
    if (res.status === 401) throw new Unauthorized();
    const body = res.headers.get("Content-Type")?.includes("json") ? await res.json() : null;
    if (!res.ok) throw new Error(body?.detail || res.status + " " + res.statusText);
    return body;
  }

  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
    return e;
  }

  function ago(iso) {
    if (!iso) return "never";
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? s + " s ago" : s < 3600 ? Math.round(s / 60) + " min ago" : s < 86400 ? Math.round(s / 3600) + " h ago"
      : Math.round(s / 86400) + " d ago";
  }

  function bar(value) {
    if (value === null || value === undefined) return el("span", { class: "muted" }, "–");
    const v = Math.max(0, Math.min(100, value));
    return el("div", { class: "bar" + (v >= 90 ? " hot" : ""), title: value.toFixed(1) + " %" },
      el("span", { style: "width:" + v + "%" }), el("em", {}, value.toFixed(0) + " %"));
  }

  const status = s => el("span", { class: "status " + s }, s);
  const hostName = h => h.hostname || h.ip_address || "system " + h.system_id;

  // The route's query (#/path?a=1&b=2) and a way to change it without a new history entry or a render (filters).
  function query() {
    const i = location.hash.indexOf("?");
    return new URLSearchParams(i < 0 ? "" : location.hash.slice(i + 1));
  }
  function setQuery(values) {
    const q = query();
    for (const [k, v] of Object.entries(values)) if (v === null || v === undefined || v === "") q.delete(k); else q.set(k, v);
    const path = (location.hash || "#/").split("?")[0];
    const s = q.toString();
    history.replaceState(null, "", location.pathname + location.search + path + (s ? "?" + s : ""));
  }

  function route(name, pattern, handler) { routes.push({ name, pattern, handler }); }

  // The live event stream (server-sent events): EventSource sends no headers, so it opens with a one-time ticket got
  // with the token; when the stream drops, a new ticket and a new stream after a pause. #live shows the state.
  function stream(onEvent) {
    let source = null, closed = false, retry = null;
    const live = document.getElementById("live");
    const show = state => { if (live) { live.dataset.state = state; live.textContent = state === "open" ? "live" : state === "connecting" ? "connecting…" : "offline"; live.hidden = false; } };
    async function connect() {
      if (closed) return;
      show("connecting");
      try {
        const t = await api("/api/events/ticket");
        if (closed) return;
        source = new EventSource("/api/events?ticket=" + encodeURIComponent(t.ticket));
        for (const type of ["hello", "hosts", "ping"]) {
          source.addEventListener(type, e => { show("open"); onEvent(type, JSON.parse(e.data)); });
        }
        source.onerror = () => { source.close(); show("offline"); retry = setTimeout(connect, 3000); };
      } catch (e) {
        show("offline");
        if (!(e instanceof Unauthorized)) retry = setTimeout(connect, 5000);
      }
    }
    connect();
    return { close() { closed = true; clearTimeout(retry); if (source) source.close(); if (live) live.hidden = true; } };
  }

  function login(message) {
    clearTimeout(timer);
    leave();
    sessionStorage.removeItem("fleetwatch.token");
    window.fwUi?.forget();
    document.getElementById("logout").hidden = true;
    view.replaceChildren(document.getElementById("login").content.cloneNode(true));
    document.getElementById("login-error").textContent = message || "";
    document.getElementById("login-form").addEventListener("submit", async e => {
      e.preventDefault();
      sessionStorage.setItem("fleetwatch.token", document.getElementById("token").value.trim());
      try {
        await api("/api/maintenance-mode");
        render();
      } catch (err) {
        login(err instanceof Unauthorized ? "That token was not accepted." : err.message);
      }
    });
  }

  // Maintenance mode (fleetwatch maintenance on|off): a banner on every view while it is on.
  async function maintenanceBanner() {
    const m = await api("/api/maintenance-mode");
    const banner = document.getElementById("maintenance");
    banner.hidden = !m.enabled;
    banner.textContent = m.enabled ? "Maintenance mode since " + new Date(m.since).toLocaleString()
      + (m.reason ? ": " + m.reason : "") + ". Consumers are paused (messages wait in the queues) and changes are refused."
      : "";
  }

  function leave() {
    if (current?.dispose) current.dispose();
    current = null;
  }

  async function render() {
    clearTimeout(timer);
    const mine = ++generation;
    const hash = location.hash || "#/";
    const path = hash.split("?")[0];
    let match = null;
    // a page another script registered in window.fwPages (ui.js: the alerts and admin pages, keyed by their path)
    const other = window.fwPages?.[path.slice(2)];
    const r = other ? { name: other.nav, handler: async () => ({ nodes: await other.render(), refreshMs: other.refresh ? 10000 : 0 }) }
      : routes.find(x => (match = path.match(x.pattern))) || routes.find(x => x.name === "fleet");
    document.querySelectorAll("[data-nav]").forEach(a => a.classList.toggle("active", a.dataset.nav === r.name));
    const fresh = current?.name !== r.name || current?.path !== path;
    if (fresh) {
      leave();
      view.replaceChildren(el("p", { class: "loading muted", role: "status" }, "Loading…"));
    }
    let out;
    try {
      const [, result] = await Promise.all([maintenanceBanner(), r.handler({ params: match ? match.slice(1) : [], query: query() })]);
      out = result;
    } catch (e) {
      if (mine !== generation) return;
      if (e instanceof Unauthorized || e.status === 401) return login();
      view.replaceChildren(el("p", { class: "error", role: "alert" }, "Could not load: " + e.message));
      timer = setTimeout(render, 10000);
      return;
    }
    if (mine !== generation) { if (out?.dispose) out.dispose(); return; }
    if (!fresh) leave();
    current = { name: r.name, path, dispose: out.dispose };
    view.replaceChildren(...(out.nodes || out));
    if (out.after) out.after();
    document.getElementById("logout").hidden = false;
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    const every = out.refreshMs === undefined ? 10000 : out.refreshMs;
    if (every) timer = setTimeout(render, every);
  }

  function start() {
    // `fleetwatch demo` prints a link with #token=…: take the token into this tab's storage and out of the address bar.
    const fromLink = location.hash.match(/^#token=([A-Za-z0-9._~-]{16,})$/);
    if (fromLink) {
      sessionStorage.setItem("fleetwatch.token", fromLink[1]);
      history.replaceState(null, "", location.pathname + location.search + "#/");
    }
    document.getElementById("logout").addEventListener("click", () => login());
    window.addEventListener("hashchange", render);
    render();
  }

  return { api, el, ago, bar, status, hostName, query, setQuery, route, stream, render, login, start, Unauthorized };
})();

// ---- alerts and queues: alerts.js's page (window.fwPages.alerts) takes #/alerts when it is loaded; the short view
// here is what #/alerts shows without it

function alertTable(alerts, withAck) {
  const { el, ago } = FW;
  if (!alerts.length) return el("p", { class: "muted" }, "No alerts.");
  return el("div", { class: "table-wrap card" }, el("table", { id: "alerts" },
    el("thead", {}, el("tr", {}, ["Host", "Alert", "Severity", "Value", "Since", "State", "Acknowledged", ""].map(t => el("th", {}, t)))),
    el("tbody", {}, alerts.map(x => el("tr", { "data-alert": x.id },
      el("td", {}, el("a", { href: "#/host/" + x.system_id }, x.hostname || "system " + x.system_id)),
      el("td", {}, x.alert_type), el("td", { class: "sev-" + x.severity }, x.severity),
      el("td", {}, x.value === null ? "–" : x.value.toFixed(1) + (x.threshold !== null ? " (≥ " + x.threshold + ")" : "")),
      el("td", {}, ago(x.occurred_at)), el("td", {}, x.resolved_at ? "resolved" : "open"),
      el("td", {}, x.acknowledged_at ? (x.acknowledged_by || "yes") + ", " + ago(x.acknowledged_at) : "–"),
      el("td", {}, withAck && !x.acknowledged_at ? el("button", { onclick: e => acknowledge(x.id, e.target) }, "Acknowledge") : ""))))));
}

async function acknowledge(id, button) {
  button.disabled = true;
  try {
    await FW.api("/api/alerts/" + id + "/acknowledge", { method: "POST" });
    FW.render();
  } catch (e) {
    if (e instanceof FW.Unauthorized) return FW.login();
    button.replaceWith(FW.el("span", { class: "error" }, e.message));
  }
}

FW.route("alerts", /^#\/alerts$/, async () => {
  const a = await FW.api("/api/alerts?state=open&limit=500");
  return [FW.el("h1", {}, "Open alerts"), alertTable(a.alerts, true)];
});

FW.route("queues", /^#\/queues$/, async () => {
  const { el } = FW;
  const q = await FW.api("/api/queues");
  return [el("h1", {}, "Queues"), el("div", { class: "table-wrap card" }, el("table", { id: "queues" },
    el("thead", {}, el("tr", {}, ["Queue", "Ready", "Consumers", "Dead letters"].map(t => el("th", {}, t)))),
    el("tbody", {}, q.queues.map(x => el("tr", {}, el("td", {}, x.name), el("td", {}, String(x.messages)),
      el("td", {}, String(x.consumers)), el("td", {}, String(x.dead_letters))))))),
    el("p", { class: "muted" }, q.error ? "Broker: " + q.error : "")];
});

// the pages' scripts load after this one (defer keeps the order) and register their routes; then the first render
window.addEventListener("DOMContentLoaded", () => FW.start());
