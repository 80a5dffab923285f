// The admin pages (#/admin/…): alert rules with a preview of how many hosts would fire now, maintenance windows,
// departments, scans (start one, follow it while it runs, see what it found) and API tokens (the secret shown once).
// A viewer token sees the lists; the forms and buttons that write are not shown to it (the API refuses them: 403).
"use strict";

(() => {
  const { api, el, ago, when, whoami, field, select, messages, say, act, table, rerender } = window.fwUi;
  let METRICS = null; // the metric catalog's alertable metrics (GET /api/metrics/catalog), once per page load
  const TABS = [["rules", "Alert rules"], ["windows", "Maintenance windows"], ["departments", "Departments"],
    ["scans", "Scans"], ["tokens", "API tokens"]];
  const state = { editing: null, scan: null, secret: null };
  let scanTimer = null;

  async function frame(tab, build) {
    const me = await whoami();
    const admin = me.role === "admin";
    const nav = el("nav", { class: "tabs", "aria-label": "Admin sections" }, TABS.map(([key, label]) =>
      el("a", { href: "#/admin/" + key, "aria-current": key === tab ? "page" : null }, label)));
    const who = el("p", { class: "muted", id: "who" }, "Signed in as " + me.name + " (" + me.role + ")"
      + (admin ? "" : ": read-only, changes need an admin token"));
    return [el("h1", {}, TABS.find(t => t[0] === tab)[1]), nav, who, ...(await build(admin))];
  }

  function departmentOptions(depts, none) {
    return [["", none], ...depts.map(d => [String(d.id), d.name || "department " + d.id])];
  }

  // ---- alert rules

  function ruleForm(rule, depts) {
    const r = rule || { metric: "cpu_percent", alert_type: "", dept_id: null, fire_at: 90, clear_at: 80, min_samples: 3,
      severity: "warning", enabled: true };
    const f = {
      metric: select({ id: "rule-metric", name: "metric" }, METRICS.map(m => [m, m]), r.metric),
      alertType: el("input", { id: "rule-type", name: "alert_type", required: true, pattern: "[a-z][a-z0-9_]{0,63}",
        value: r.alert_type, placeholder: "cpu_high" }),
      dept: select({ id: "rule-dept", name: "dept_id" }, departmentOptions(depts, "Whole fleet"), r.dept_id ?? ""),
      fire: el("input", { id: "rule-fire", name: "fire_at", type: "number", step: "any", min: "0", required: true, value: r.fire_at }),
      clear: el("input", { id: "rule-clear", name: "clear_at", type: "number", step: "any", min: "0", required: true, value: r.clear_at }),
      min: el("input", { id: "rule-min", name: "min_samples", type: "number", min: "1", max: "1000", value: r.min_samples }),
      severity: select({ id: "rule-severity", name: "severity" }, [["info", "info"], ["warning", "warning"], ["critical", "critical"]], r.severity),
      enabled: el("input", { id: "rule-enabled", name: "enabled", type: "checkbox", checked: r.enabled }),
    };
    const preview = el("div", { id: "rule-preview", class: "preview", role: "status", "aria-live": "polite" });
    const area = messages("rule-message");
    let pending = 0;
    async function showPreview() {
      const n = ++pending;
      if (f.fire.value === "") return say(preview, "Set fire at to see how many hosts would fire.");
      const q = "?metric=" + encodeURIComponent(f.metric.value) + "&fire_at=" + encodeURIComponent(f.fire.value)
        + (f.dept.value ? "&dept_id=" + f.dept.value : "");
      try {
        const p = await api("/api/alert-rules/preview" + q);
        if (n !== pending) return;   // a newer preview was asked for meanwhile
        preview.dataset.count = String(p.firing.length);
        preview.replaceChildren(el("strong", {}, p.firing.length + " of " + p.in_scope + " hosts"),
          " would fire now (" + p.metric + " ≥ " + p.fire_at + " in the latest sample; " + p.with_value
          + " have a value; min samples and hysteresis not counted)",
          p.firing.length ? el("ul", {}, p.firing.slice(0, 10).map(h => el("li", {}, el("a", { href: "#/host/" + h.system_id },
            h.hostname || "system " + h.system_id), " " + h.value.toFixed(1)))) : "");
      } catch (e) {
        if (e.status === 401) throw e;
        say(preview, "Preview: " + e.message, true);
      }
    }
    for (const c of [f.metric, f.fire, f.dept]) c.addEventListener("input", showPreview);
    showPreview();
    const form = el("form", { id: "rule-form", class: "card form-grid", "aria-label": rule ? "Edit rule " + rule.id : "New rule",
      onsubmit: e => {
        e.preventDefault();
        act(e.submitter, area, async () => {
          const body = { metric: f.metric.value, alert_type: f.alertType.value.trim(),
            dept_id: f.dept.value ? Number(f.dept.value) : null, fire_at: Number(f.fire.value),
            clear_at: Number(f.clear.value), min_samples: Number(f.min.value || 3), severity: f.severity.value,
            enabled: f.enabled.checked };
          await api("/api/alert-rules" + (rule ? "/" + rule.id : ""), { method: rule ? "PUT" : "POST", json: body });
          state.editing = null;
          rerender();
        });
      } },
      el("h2", {}, rule ? "Edit rule " + rule.id : "New rule"),
      field("Metric", f.metric), field("Alert type", f.alertType, "lower case, e.g. cpu_high"), field("Department", f.dept),
      field("Fire at", f.fire, "at or above"), field("Clear at", f.clear, "below; at most fire at"),
      field("Min samples", f.min), field("Severity", f.severity), field("Enabled", f.enabled),
      preview, area,
      el("div", { class: "buttons" }, el("button", { type: "submit" }, rule ? "Save rule" : "Create rule"),
        rule ? el("button", { type: "button", class: "secondary", onclick: () => { state.editing = null; rerender(); } }, "Cancel") : ""));
    return form;
  }

  async function rules(admin) {
    METRICS = METRICS || (await api("/api/metrics/catalog")).filter(m => m.alertable).map(m => m.name);
    const [list, depts] = await Promise.all([api("/api/alert-rules"), api("/api/departments")]);
    const names = new Map(depts.map(d => [d.id, d.name || "department " + d.id]));
    const area = messages("rules-message");
    const rows = list.map(r => el("tr", { "data-rule": r.id },
      el("td", {}, r.alert_type), el("td", {}, r.metric), el("td", {}, r.dept_id ? names.get(r.dept_id) || r.dept_id : "fleet"),
      el("td", {}, String(r.fire_at)), el("td", {}, String(r.clear_at)), el("td", {}, String(r.min_samples)),
      el("td", {}, el("span", { class: "sev sev-" + r.severity }, r.severity)), el("td", {}, r.enabled ? "yes" : "no"),
      el("td", { class: "actions" }, admin ? [
        el("button", { type: "button", class: "secondary edit", onclick: () => { state.editing = r.id; rerender(); } }, "Edit"),
        el("button", { type: "button", class: "danger delete", onclick: e => act(e.target, area, async () => {
          await api("/api/alert-rules/" + r.id, { method: "DELETE" });
          rerender();
        }) }, "Delete")] : "")));
    const editing = list.find(r => r.id === state.editing);
    return [area, table("rules", ["Alert type", "Metric", "Scope", "Fire at", "Clear at", "Min samples", "Severity",
      "Enabled", "Actions"], rows, "Alert rules"), admin ? ruleForm(editing, depts) : ""];
  }

  // ---- maintenance windows

  function localInput(id, date) {
    const pad = n => String(n).padStart(2, "0");
    const v = date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours())
      + ":" + pad(date.getMinutes());
    return el("input", { id, type: "datetime-local", required: true, value: v });
  }

  async function windows(admin) {
    const [list, depts] = await Promise.all([api("/api/maintenance-windows?when=all"), api("/api/departments")]);
    const names = new Map(depts.map(d => [d.id, d.name || "department " + d.id]));
    const area = messages("windows-message");
    const now = Date.now();
    const rows = list.map(w => el("tr", { "data-window": w.id },
      el("td", {}, w.system_id ? el("a", { href: "#/host/" + w.system_id }, "system " + w.system_id)
        : w.dept_id ? names.get(w.dept_id) || "department " + w.dept_id : "whole fleet"),
      el("td", {}, when(w.starts_at)), el("td", {}, when(w.ends_at)),
      el("td", {}, Date.parse(w.ends_at) <= now ? "ended" : Date.parse(w.starts_at) <= now ? "open" : "upcoming"),
      el("td", {}, w.reason || ""), el("td", {}, w.created_by || ""),
      el("td", { class: "actions" }, admin ? el("button", { type: "button", class: "danger delete", onclick: e =>
        act(e.target, area, async () => {
          await api("/api/maintenance-windows/" + w.id, { method: "DELETE" });
          rerender();
        }) }, "Delete") : "")));
    const out = [area, table("windows", ["Covers", "Starts", "Ends", "Now", "Reason", "By", "Actions"], rows,
      "Maintenance windows")];
    if (admin) {
      const dept = select({ id: "window-dept" }, departmentOptions(depts, "Whole fleet (or the system below)"), "");
      const system = el("input", { id: "window-system", type: "number", min: "1", placeholder: "optional" });
      const starts = localInput("window-starts", new Date());
      const ends = localInput("window-ends", new Date(Date.now() + 2 * 3600 * 1000));
      const reason = el("input", { id: "window-reason", type: "text", maxlength: "500" });
      out.push(el("form", { id: "window-form", class: "card form-grid", "aria-label": "New maintenance window", onsubmit: e => {
        e.preventDefault();
        act(e.submitter, area, async () => {
          await api("/api/maintenance-windows", { method: "POST", json: {
            starts_at: new Date(starts.value).toISOString(), ends_at: new Date(ends.value).toISOString(),
            dept_id: dept.value ? Number(dept.value) : null, system_id: system.value ? Number(system.value) : null,
            reason: reason.value.trim() || null } });
          rerender();
        });
      } }, el("h2", {}, "New maintenance window"), field("Department", dept), field("System id", system),
        field("Starts", starts), field("Ends", ends), field("Reason", reason),
        el("div", { class: "buttons" }, el("button", { type: "submit" }, "Create window"))));
    }
    return out;
  }

  // ---- departments

  async function departments() {
    const list = await api("/api/departments");
    return [table("departments", ["Id", "Name", "Hosts", "Down"], list.map(d => el("tr", { "data-dept": d.id },
      el("td", {}, String(d.id)), el("td", {}, d.name || ""), el("td", {}, String(d.hosts)),
      el("td", {}, String(d.hosts_down)))), "Departments"),
      el("p", { class: "muted" }, "Departments come from the configuration and the scanner; a rule or window can be scoped to one.")];
  }

  // ---- scans

  const finished = s => ["succeeded", "failed", "cancelled"].includes(s.status);

  function scanDetail(s) {
    return el("section", { id: "scan-detail", class: "card", "data-status": s.status, "aria-label": "Scan " + s.id },
      el("h2", {}, "Scan " + s.id + ": " + (s.targets || "")),
      el("p", {}, el("span", { class: "badge scan-" + s.status, id: "scan-status" }, s.status),
        " requested by " + (s.requested_by || "?") + " " + ago(s.created_at)
        + (s.started_at ? ", started " + ago(s.started_at) : "") + (s.finished_at ? ", finished " + ago(s.finished_at) : "")),
      el("dl", { class: "facts" }, [["Probes sent", s.probes_sent], ["Answered", s.answered], ["Retries", s.retries],
        ["Hosts found", s.hosts_found]].flatMap(([k, v]) => [el("dt", {}, k), el("dd", { "data-fact": k }, v ?? "–")])),
      s.error ? el("p", { class: "error" }, s.error) : "",
      el("h3", {}, "Log"),
      s.log.length ? el("ol", { class: "log", id: "scan-log" }, s.log.map(l => el("li", { class: "log-" + l.level },
        new Date(l.at).toLocaleTimeString() + " " + l.level + " " + l.message))) : el("p", { class: "muted" }, "Nothing logged yet."),
      finished(s) ? "" : el("p", { class: "muted" }, "Following it: refreshed every 2 s."));
  }

  // while a scan runs, its detail is fetched again every 2 s (and the page left alone otherwise)
  function follow(id) {
    clearTimeout(scanTimer);
    scanTimer = setTimeout(async () => {
      if (location.hash !== "#/admin/scans" || state.scan !== id) return;
      const s = await api("/api/scans/" + id).catch(() => null);
      const shown = document.getElementById("scan-detail");
      if (!s || !shown) return;
      shown.replaceWith(scanDetail(s));
      if (finished(s)) rerender(); else follow(id);
    }, 2000);
  }

  async function scans(admin) {
    const [list, depts] = await Promise.all([api("/api/scans?limit=50"), api("/api/departments")]);
    const area = messages("scans-message");
    const out = [area];
    if (admin) {
      const targets = el("input", { id: "scan-targets", type: "text", required: true, placeholder: "198.18.0.0/24",
        "aria-describedby": "scan-targets-hint" });
      const dept = select({ id: "scan-dept" }, departmentOptions(depts, "None"), "");
      out.push(el("form", { id: "scan-form", class: "card form-grid", "aria-label": "Start a scan", onsubmit: e => {
        e.preventDefault();
        act(e.submitter, area, async () => {
          const job = await api("/api/scans", { method: "POST", json: { targets: targets.value.trim(),
            dept_id: dept.value ? Number(dept.value) : null } });
          state.scan = job.id;
          rerender();
        });
      } }, el("h2", {}, "Start a scan"), field("Targets", targets), field("Department", dept),
        el("small", { id: "scan-targets-hint", class: "muted" }, "1 to 16 IPv4 addresses or CIDRs; the service sweeps only"
          + " what its scan policy allows and fails the job with the reason otherwise."),
        el("div", { class: "buttons" }, el("button", { type: "submit" }, "Start scan"))));
    }
    if (state.scan) {
      const s = await api("/api/scans/" + state.scan);
      out.push(scanDetail(s));
      if (!finished(s)) follow(s.id);
    }
    out.push(table("scans", ["Id", "Targets", "Status", "Hosts found", "Requested", "By", ""], list.map(s => el("tr", { "data-scan": s.id },
      el("td", {}, String(s.id)), el("td", {}, s.targets || ""), el("td", {}, el("span", { class: "badge scan-" + s.status }, s.status)),
      el("td", {}, s.hosts_found ?? "–"), el("td", {}, ago(s.created_at)), el("td", {}, s.requested_by || ""),
      el("td", {}, el("button", { type: "button", class: "secondary", onclick: () => { state.scan = s.id; rerender(); } },
        "Details")))), "Scans"));
    return out;
  }

  // ---- API tokens

  async function tokens(admin) {
    if (!admin) return [el("p", { class: "muted" }, "Listing and making tokens needs an admin token.")];
    const list = await api("/api/tokens");
    const area = messages("tokens-message");
    const out = [area];
    if (state.secret) {
      const s = state.secret;
      state.secret = null;   // shown once: gone on the next render
      out.push(el("div", { class: "card secret", id: "token-secret", role: "alert" },
        el("p", {}, "Token for ", el("strong", {}, s.name), " (" + s.role + "). Copy it now: it is not shown again."),
        el("code", { id: "token-value" }, s.token)));
    }
    const name = el("input", { id: "token-name", type: "text", required: true, pattern: "[A-Za-z0-9._@\\-]{1,64}",
      maxlength: "64", placeholder: "grafana" });
    const role = select({ id: "token-role" }, [["viewer", "viewer (read-only)"], ["admin", "admin"]], "viewer");
    out.push(el("form", { id: "token-form", class: "card form-grid", "aria-label": "New API token", onsubmit: e => {
      e.preventDefault();
      act(e.submitter, area, async () => {
        state.secret = await api("/api/tokens", { method: "POST", json: { name: name.value.trim(), role: role.value } });
        rerender();
      });
    } }, el("h2", {}, "New API token"), field("Name", name, "letters, digits, . _ @ -"), field("Role", role),
      el("div", { class: "buttons" }, el("button", { type: "submit" }, "Create token"))));
    out.push(table("tokens", ["Name", "Role", "Created", "Last used", "Revoked", "Actions"], list.map(t => el("tr", { "data-token": t.name },
      el("td", {}, t.name), el("td", {}, t.role), el("td", {}, when(t.created_at)), el("td", {}, ago(t.last_used_at)),
      el("td", {}, t.revoked_at ? when(t.revoked_at) : "–"),
      el("td", { class: "actions" }, t.revoked_at ? "" : el("button", { type: "button", class: "danger revoke",
        "aria-label": "Revoke " + t.name, onclick: e => act(e.target, area, async () => {
          await api("/api/tokens/" + encodeURIComponent(t.name), { method: "DELETE" });
          rerender();
        }) }, "Revoke")))), "API tokens"));
    return out;
  }

  const BUILD = { rules, windows, departments, scans, tokens };
  for (const [key, label] of TABS) {
    window.fwPages["admin/" + key] = { nav: "admin", title: label, refresh: false, render: () => frame(key, BUILD[key]) };
  }
  window.fwPages.admin = window.fwPages["admin/rules"];
})();
