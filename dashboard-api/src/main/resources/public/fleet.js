// The fleet page: every host in one table, searched, sorted and filtered in the browser (the state lives in the URL, so
// a reload or a bookmark keeps it), drawn with virtual scrolling (only the rows on screen exist, so 10,000 hosts scroll
// like 30), and updated live from the server's event stream (rows that change flash briefly).
"use strict";

(() => {
  const { el, api, ago, bar, status, hostName } = FW;
  const ROW = 36;          // px, fixed: the virtual scroller places rows by index
  const OVERSCAN = 8;
  const SEVERITY_RANK = { critical: 3, warning: 2, info: 1 };
  const COLUMNS = [
    // key, title, value used to sort
    ["host", "Host", h => (h.hostname || h.ip_address || "").toLowerCase()],
    ["ip", "IP", h => ipKey(h.ip_address)],
    ["mac", "MAC", h => h.mac_address || ""],
    ["vendor", "Vendor", h => (h.vendor || "").toLowerCase()],
    ["dept", "Department", h => h._dept.toLowerCase()],
    ["status", "Status", h => h.status],
    ["alerts", "Alerts", h => (SEVERITY_RANK[h.worst_severity] || 0) * 1e6 + h.open_alerts],
    ["cpu", "CPU", h => h.cpu_percent],
    ["ram", "RAM", h => h.ram_percent],
    ["disk", "Disk", h => h.disk_percent],
    ["gpu", "GPU", h => h.gpu_percent],
    ["seen", "Last seen", h => h.last_seen ? Date.parse(h.last_seen) : null]];
  const SORTS = Object.fromEntries(COLUMNS.map(c => [c[0], c[2]]));

  function ipKey(ip) {
    if (!ip) return "";
    const p = ip.split(".");
    return p.length === 4 ? p.map(x => x.padStart(3, "0")).join(".") : ip;
  }

  const FIRST_SCREEN = 60;

  // The whole list is one request (10,000 hosts: 3.4 MB, 270 kB compressed); on the default view (by name, no
  // filter) the first screen comes from a small request that answers first, and the rest follows.
  FW.route("fleet", /^#\/?$/, async ({ query }) => {
    const plain = ["q", "dept", "status", "sev", "sort", "dir"].every(k => !query.get(k));
    const [list, departments] = await Promise.all([api("/api/fleet/hosts" + (plain ? "?first=" + FIRST_SCREEN : "")),
      api("/api/departments")]);
    // the rest is asked once the first screen is in, so that the two do not compete for the server
    return page(list, departments, query, list.hosts.length < list.total ? api("/api/fleet/hosts") : null);
  });

  function page(list, departments, query, rest) {
    const hosts = list.hosts;
    const deptName = new Map(departments.map(d => [d.id, d.name || "department " + d.id]));
    const state = {
      q: query.get("q") || "", sort: SORTS[query.get("sort")] ? query.get("sort") : "host",
      dir: query.get("dir") === "desc" ? "desc" : "asc", dept: query.get("dept") || "", status: query.get("status") || "",
      sev: query.get("sev") || ""
    };
    const byId = new Map();
    const prepare = h => { h._dept = h.dept_id === null ? "" : deptName.get(h.dept_id) || "department " + h.dept_id; h._text = [h.hostname, h.ip_address, h.mac_address, h.vendor].filter(Boolean).join(" ").toLowerCase(); return h; };
    hosts.forEach(h => byId.set(h.system_id, prepare(h)));
    let shown = [];
    let loading = !!rest; // only the first screen so far
    let gone = false;     // the page was left
    const flashed = new Map(); // system_id -> until (ms)

    const search = el("input", { type: "search", id: "fleet-search", placeholder: "Search name, IP, MAC, vendor", value: state.q, "aria-label": "Search hosts" });
    const select = (id, label, options, value) => el("select", { id, "aria-label": label },
      options.map(([v, t]) => { const o = el("option", { value: v }, t); if (v === value) o.selected = true; return o; }));
    const deptSelect = select("fleet-dept", "Department", [["", "All departments"], ...departments.map(d => [String(d.id), deptName.get(d.id)])], state.dept);
    const statusSelect = select("fleet-status", "Status", [["", "Any status"], ["up", "up"], ["down", "down"], ["unknown", "unknown"]], state.status);
    const sevSelect = select("fleet-sev", "Alert severity", [["", "Any alerts"], ["critical", "critical open"], ["warning", "warning or worse"], ["any", "any open alert"], ["none", "no open alert"]], state.sev);
    const count = el("span", { id: "fleet-count", class: "muted" });
    const stats = el("div", { class: "cards", id: "fleet-stats" });
    const head = el("tr", {}, COLUMNS.map(([key, title]) => el("th", { "data-sort": key, class: "sortable", tabindex: "0", role: "columnheader" }, title)));
    const body = el("tbody");
    const table = el("table", { id: "fleet", class: "fleet" }, el("thead", {}, head), body);
    const scroller = el("div", { class: "vscroll card", id: "fleet-scroll" }, table);
    const empty = el("div", { class: "empty card", id: "fleet-empty", hidden: true });

    function matches(h) {
      if (state.q && !h._text.includes(state.q.toLowerCase())) return false;
      if (state.dept && String(h.dept_id) !== state.dept) return false;
      if (state.status && h.status !== state.status) return false;
      const rank = SEVERITY_RANK[h.worst_severity] || 0;
      if (state.sev === "critical" && rank < 3) return false;
      if (state.sev === "warning" && rank < 2) return false;
      if (state.sev === "any" && !h.open_alerts) return false;
      if (state.sev === "none" && h.open_alerts) return false;
      return true;
    }

    function apply() {
      const key = SORTS[state.sort], sign = state.dir === "desc" ? -1 : 1;
      shown = [];
      for (const h of byId.values()) if (matches(h)) shown.push(h);
      const keyed = shown.map(h => [key(h), h]);
      // missing values (no sample yet, no address) last whichever the direction; ties by id
      keyed.sort((a, b) => (a[0] === null || a[0] === undefined) - (b[0] === null || b[0] === undefined)
        || (a[0] < b[0] ? -sign : a[0] > b[0] ? sign : 0) || a[1].system_id - b[1].system_id);
      shown = keyed.map(x => x[1]);
      head.querySelectorAll("th").forEach(th => th.setAttribute("aria-sort", th.dataset.sort === state.sort ? (state.dir === "asc" ? "ascending" : "descending") : "none"));
      count.textContent = loading ? "loading " + list.total + " hosts…"
        : shown.length === byId.size ? byId.size + " hosts" : shown.length + " of " + byId.size + " hosts";
      const all = [...byId.values()];
      const n = s => all.filter(h => h.status === s).length;
      stats.replaceChildren(
        el("div", { class: "stat" }, el("b", {}, String(all.length)), "hosts"),
        el("div", { class: "stat" }, el("b", {}, String(n("up"))), "up"),
        el("div", { class: "stat" }, el("b", { class: "sev-critical" }, String(n("down"))), "down"),
        el("div", { class: "stat" }, el("b", {}, String(n("unknown"))), "unknown"),
        el("div", { class: "stat" }, el("b", { class: "sev-critical" }, String(all.filter(h => h.worst_severity === "critical").length)), "hosts with critical alerts"));
      showEmpty();
      scroller.hidden = shown.length === 0;
      paint(true);
    }

    function showEmpty() {
      empty.hidden = shown.length > 0;
      if (shown.length) return;
      if (byId.size === 0) {
        empty.replaceChildren(el("h2", {}, "No hosts yet"),
          el("p", {}, "Find machines with a sweep: ", el("code", {}, "fleetwatch scan 198.18.0.0/24 --dept 1"),
            " (only ranges allowed by FLEETWATCH_SCAN_ALLOW), or install the agent on a machine (",
            el("code", {}, "fleetwatch-agent"), " .deb, or ", el("code", {}, "fleetwatch agent"),
            "). Hosts appear here as soon as their first message is stored."));
      } else {
        empty.replaceChildren(el("h2", {}, "No host matches"),
          el("p", {}, "Nothing among " + byId.size + " hosts matches this search and these filters. "),
          el("button", { type: "button", id: "fleet-clear", onclick: clear }, "Clear search and filters"));
      }
    }

    function cells(h) {
      const alerts = h.open_alerts
        ? el("a", { href: "#/host/" + h.system_id, class: "sev-" + h.worst_severity }, h.open_alerts + " " + h.worst_severity)
        : "0";
      return [
        el("td", {}, el("a", { href: "#/host/" + h.system_id }, hostName(h))),
        el("td", {}, h.ip_address || "–"), el("td", { class: "mono" }, h.mac_address || "–"), el("td", {}, h.vendor || "–"),
        el("td", {}, h._dept || "–"), el("td", {}, status(h.status)), el("td", {}, alerts),
        el("td", {}, bar(h.cpu_percent)), el("td", {}, bar(h.ram_percent)), el("td", {}, bar(h.disk_percent)),
        el("td", {}, bar(h.gpu_percent)), el("td", { title: h.last_seen || "" }, ago(h.last_seen))];
    }

    // Only the rows in view (and a few around) exist; two spacer rows stand for the others.
    let painted = "";
    function paint(force) {
      const top = scroller.scrollTop, height = scroller.clientHeight || 600;
      const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
      const last = Math.min(shown.length, Math.ceil((top + height) / ROW) + OVERSCAN);
      const key = first + ":" + last + ":" + shown.length;
      if (key === painted && !force) return;
      painted = key;
      const started = performance.now();
      const now = Date.now();
      const spacer = n => el("tr", { class: "spacer", style: "height:" + n * ROW + "px", "aria-hidden": "true" });
      const rows = first ? [spacer(first)] : []; // none when empty: the first row of the body is then a host
      for (let i = first; i < last; i++) {
        const h = shown[i];
        const flash = (flashed.get(h.system_id) || 0) > now;
        rows.push(el("tr", { "data-id": h.system_id, class: flash ? "flash" : null }, cells(h)));
      }
      if (shown.length > last) rows.push(spacer(shown.length - last));
      body.replaceChildren(...rows);
      if (FW.paintTimes) FW.paintTimes.push(performance.now() - started);
    }
    let frame = 0;
    scroller.addEventListener("scroll", () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; paint(); }); }, { passive: true });

    function changed(keys) {
      Object.assign(state, keys);
      FW.setQuery({ q: state.q, sort: state.sort === "host" ? null : state.sort, dir: state.dir === "asc" ? null : state.dir,
        dept: state.dept, status: state.status, sev: state.sev });
      scroller.scrollTop = 0;
      apply();
    }
    function clear() {
      search.value = ""; deptSelect.value = ""; statusSelect.value = ""; sevSelect.value = "";
      changed({ q: "", dept: "", status: "", sev: "" });
    }
    let typing = null;
    search.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(() => changed({ q: search.value.trim() }), 120); });
    deptSelect.addEventListener("change", () => changed({ dept: deptSelect.value }));
    statusSelect.addEventListener("change", () => changed({ status: statusSelect.value }));
    sevSelect.addEventListener("change", () => changed({ sev: sevSelect.value }));
    const sortBy = th => { if (!th) return; const k = th.dataset.sort; changed(state.sort === k ? { dir: state.dir === "asc" ? "desc" : "asc" } : { sort: k, dir: "asc" }); };
    head.addEventListener("click", e => sortBy(e.target.closest("th")));
    head.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(e.target.closest("th")); } });

    // live: rows that changed on the server replace ours; the list is filtered and sorted again
    let unflash = null;
    let hellos = 0;
    const live = FW.stream((type, event) => {
      if (type === "hello" && hellos++ > 0) {
        // a new stream after a drop: what changed meanwhile was not pushed to this page, so the list is read again
        api("/api/fleet/hosts").then(whole => {
          if (gone) return;
          byId.clear();
          for (const h of whole.hosts) byId.set(h.system_id, prepare(h));
          loading = false;
          apply();
        }).catch(() => {});
        return;
      }
      if (type !== "hosts" || !event.hosts.length) return;
      const until = Date.now() + 2500;
      for (const h of event.hosts) { byId.set(h.system_id, prepare(h)); flashed.set(h.system_id, until); }
      const top = scroller.scrollTop;
      apply();
      scroller.scrollTop = top;
      paint(true);
      clearTimeout(unflash);
      unflash = setTimeout(() => paint(true), 2600);
      document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    });

    if (rest) {
      rest.then(whole => {
        if (gone) return;
        for (const h of whole.hosts) if (!byId.has(h.system_id)) byId.set(h.system_id, prepare(h));
        loading = false;
        apply();
      }).catch(e => { if (!gone) count.textContent = "Could not load every host: " + e.message; });
    }

    const nodes = [
      stats,
      el("div", { class: "toolbar fleet-tools" }, search, deptSelect, statusSelect, sevSelect, count),
      empty, scroller];
    return {
      nodes, refreshMs: 0,
      after: () => { apply(); },
      dispose: () => { gone = true; live.close(); clearTimeout(unflash); clearTimeout(typing); }
    };
  }
})();
