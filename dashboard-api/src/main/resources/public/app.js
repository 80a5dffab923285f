// Fleetwatch web dashboard: plain JavaScript over the REST API (bearer token kept in sessionStorage for this tab),
// Chart.js for the time series, a poll every 10 s for the view on screen.
"use strict";

const REFRESH_MS = 10000;
const METRICS = [
  ["cpu_percent", "CPU %", 100], ["ram_percent", "RAM %", 100], ["disk_percent", "Disk %", 100],
  ["gpu_percent", "GPU %", 100], ["network_sent_mbps", "Net sent Mbit/s"], ["network_recv_mbps", "Net recv Mbit/s"],
  ["uptime_seconds", "Uptime s"], ["logged_in_users", "Users"]];
const RANGES = { "1h": ["raw", 3600], "24h": ["5m", 86400], "7d": ["1h", 604800] };
const view = document.getElementById("view");
let timer = null;
let charts = [];
let hostRange = "1h";

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const token = sessionStorage.getItem("fleetwatch.token");
  if (!token) throw new Unauthorized();
  const res = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: "Bearer " + token } });
  if (res.status === 401) throw new Unauthorized();
  const body = res.headers.get("Content-Type")?.includes("json") ? await res.json() : null;
  if (!res.ok) throw new Error(body?.detail || res.status + " " + res.statusText);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
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

function status(s) { return el("span", { class: "status " + s }, s); }

async function overview() {
  const o = await api("/api/overview");
  const st = o.hosts_by_status, al = o.open_alerts_by_severity;
  const rows = o.hosts.map(h => el("tr", {},
    el("td", {}, el("a", { href: "#/host/" + h.system_id }, h.hostname || h.ip_address || "system " + h.system_id)),
    el("td", {}, status(h.status)),
    el("td", {}, bar(h.latest?.metrics.cpu_percent)), el("td", {}, bar(h.latest?.metrics.ram_percent)),
    el("td", {}, bar(h.latest?.metrics.disk_percent)), el("td", {}, bar(h.latest?.metrics.gpu_percent)),
    el("td", {}, ago(h.last_seen)), el("td", {}, h.open_alerts ? el("a", { href: "#/alerts" }, String(h.open_alerts)) : "0")));
  return [
    el("div", { class: "cards" },
      el("div", { class: "stat" }, el("b", {}, String(o.hosts_total)), "hosts"),
      el("div", { class: "stat" }, el("b", { class: "sev-ok" }, String(st.up)), "up"),
      el("div", { class: "stat" }, el("b", { class: "sev-critical" }, String(st.down)), "down"),
      el("div", { class: "stat" }, el("b", {}, String(st.unknown)), "unknown"),
      el("div", { class: "stat" }, el("b", { class: "sev-critical" }, String(al.critical)), "critical alerts"),
      el("div", { class: "stat" }, el("b", { class: "sev-warning" }, String(al.warning)), "warning alerts")),
    el("div", { class: "table-wrap card" }, el("table", { id: "fleet" },
      el("thead", {}, el("tr", {}, ["Host", "Status", "CPU", "RAM", "Disk", "GPU", "Last seen", "Alerts"].map(t => el("th", {}, t)))),
      el("tbody", {}, rows)))];
}

async function host(id) {
  const [range, seconds] = RANGES[hostRange];
  const to = new Date(), from = new Date(to.getTime() - seconds * 1000);
  const q = "?from=" + from.toISOString() + "&to=" + to.toISOString() + "&bucket=" + range + "&limit=10000";
  const [h, m, a] = await Promise.all([api("/api/systems/" + id), api("/api/systems/" + id + "/metrics" + q),
    api("/api/alerts?state=all&limit=50&system_id=" + id)]);
  const toolbar = el("div", { class: "toolbar" }, el("h1", {}, h.hostname || h.ip_address || "system " + h.system_id),
    status(h.status), el("span", { class: "muted" }, [h.ip_address, h.mac_address, "last seen " + ago(h.last_seen)]
      .filter(Boolean).join(" · ")),
    ...Object.keys(RANGES).map(r => el("button", { "aria-pressed": String(r === hostRange),
      onclick: () => { hostRange = r; render(); } }, r)));
  const grid = el("div", { class: "charts" });
  const pending = [];
  for (const [key, label, max] of METRICS) {
    const canvas = el("canvas", { "data-metric": key, "aria-label": label });
    grid.append(el("div", { class: "chart" }, canvas));
    pending.push(() => charts.push(new Chart(canvas, {
      type: "line",
      data: { datasets: [{ label, data: m.metrics.map(p => ({ x: Date.parse(p.collected_at), y: p.metrics[key] })),
        pointRadius: 0, borderWidth: 1.5, spanGaps: false, tension: 0.2 }] },
      options: { animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
        scales: { x: { type: "linear", ticks: { callback: v => new Date(v).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) } },
          y: { beginAtZero: true, ...(max ? { max } : {}) } },
        plugins: { legend: { display: true }, tooltip: { callbacks: { title: i => new Date(i[0].parsed.x).toLocaleString() } } } }
    })));
  }
  const alerts = alertTable(a.alerts, false);
  const inventory = el("section", { id: "inventory" });
  return { nodes: [toolbar, grid, el("h2", {}, "Alerts"), alerts, el("h2", {}, "Inventory"), inventory],
    after: () => { pending.forEach(f => f()); window.fwRenderInventory?.(inventory, id, api); } };
}

function alertTable(alerts, withAck) {
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
    await api("/api/alerts/" + id + "/acknowledge", { method: "POST" });
    render();
  } catch (e) {
    if (e instanceof Unauthorized) return login();
    button.replaceWith(el("span", { class: "error" }, e.message));
  }
}

async function alertsView() {
  const a = await api("/api/alerts?state=open&limit=500");
  return [el("h1", {}, "Open alerts"), alertTable(a.alerts, true)];
}

async function queuesView() {
  const q = await api("/api/queues");
  return [el("h1", {}, "Queues"), el("div", { class: "table-wrap card" }, el("table", { id: "queues" },
    el("thead", {}, el("tr", {}, ["Queue", "Ready", "Consumers", "Dead letters"].map(t => el("th", {}, t)))),
    el("tbody", {}, q.queues.map(x => el("tr", {}, el("td", {}, x.name), el("td", {}, String(x.messages)),
      el("td", {}, String(x.consumers)), el("td", {}, String(x.dead_letters))))))),
    el("p", { class: "muted" }, q.error ? "Broker: " + q.error : "")];
}

function login(message) {
  clearTimeout(timer);
  sessionStorage.removeItem("fleetwatch.token");
  window.fwUi?.forget();
  document.getElementById("logout").hidden = true;
  view.replaceChildren(document.getElementById("login").content.cloneNode(true));
  document.getElementById("login-error").textContent = message || "";
  document.getElementById("login-form").addEventListener("submit", async e => {
    e.preventDefault();
    sessionStorage.setItem("fleetwatch.token", document.getElementById("token").value.trim());
    try {
      await api("/api/overview");
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

async function render() {
  clearTimeout(timer);
  const hash = location.hash || "#/";
  const page = window.fwPages?.[hash.slice(2)];   // a page another script registered (ui.js: alerts, admin)
  const hostMatch = hash.match(/^#\/host\/(\d+)$/);
  const name = page ? page.nav : hostMatch ? "host" : hash === "#/alerts" ? "alerts" : hash === "#/queues" ? "queues" : "overview";
  document.querySelectorAll("[data-nav]").forEach(a => a.classList.toggle("active", a.dataset.nav === name));
  try {
    await maintenanceBanner();
    const out = page ? await page.render() : hostMatch ? await host(hostMatch[1]) : name === "alerts" ? await alertsView()
      : name === "queues" ? await queuesView() : await overview();
    charts.forEach(c => c.destroy());
    charts = [];
    view.replaceChildren(...(out.nodes || out));
    if (out.after) out.after();
    document.getElementById("logout").hidden = false;
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    if (e instanceof Unauthorized || e.status === 401) return login();
    view.replaceChildren(el("p", { class: "error", role: "alert" }, "Could not load: " + e.message));
  }
  if (!page || page.refresh) timer = setTimeout(render, REFRESH_MS);
}

// `fleetwatch demo` prints a link with #token=…: take the token into this tab's storage and out of the address bar.
const fromLink = location.hash.match(/^#token=([A-Za-z0-9._~-]{16,})$/);
if (fromLink) {
  sessionStorage.setItem("fleetwatch.token", fromLink[1]);
  history.replaceState(null, "", location.pathname + location.search + "#/");
}
document.getElementById("logout").addEventListener("click", () => login());
window.addEventListener("hashchange", render);
render();
