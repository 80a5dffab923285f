// The alerts page (#/alerts): filters (severity, status, host, alert type), acknowledge, silence for a while with a
// reason (and lift it), and a flat list or one grouped by host or by alert type. Admin actions only for admin tokens;
// the API refuses them to a viewer anyway (403).
"use strict";

(() => {
  const { api, el, ago, when, isAdmin, field, select, messages, act, rerender } = window.fwUi;
  const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 };
  const DURATIONS = [["60", "1 hour"], ["240", "4 hours"], ["1440", "1 day"], ["10080", "1 week"]];
  const STATUSES = [["active", "Open (any)"], ["open", "Open, not acknowledged"], ["acknowledged", "Acknowledged"],
    ["silenced", "Silenced"], ["resolved", "Resolved"], ["all", "All"]];
  // the filters and grouping survive a re-render (after an action, or a change of filter)
  const state = { severity: "", status: "active", host: "", type: "", group: "none", silencing: null };

  const silenced = a => a.silenced_until && Date.parse(a.silenced_until) > Date.now();

  function matches(a) {
    const s = state.status;
    const statusOk = s === "all" || (s === "resolved" ? !!a.resolved_at : !a.resolved_at && (s === "active"
      || (s === "open" && !a.acknowledged_at) || (s === "acknowledged" && !!a.acknowledged_at)
      || (s === "silenced" && silenced(a))));
    return statusOk && (!state.severity || a.severity === state.severity)
      && (!state.host || String(a.system_id) === state.host) && (!state.type || a.alert_type === state.type);
  }

  function filters(all) {
    const hosts = [...new Map(all.map(a => [String(a.system_id), a.hostname || "system " + a.system_id])).entries()]
      .sort((x, y) => x[1].localeCompare(y[1]));
    const types = [...new Set(all.map(a => a.alert_type))].sort();
    const on = key => e => { state[key] = e.target.value; rerender(); };
    return el("form", { class: "filters card", id: "alert-filters", "aria-label": "Filter alerts", onsubmit: e => e.preventDefault() },
      field("Severity", select({ id: "f-severity", onchange: on("severity") },
        [["", "Any"], ["critical", "Critical"], ["warning", "Warning"], ["info", "Info"]], state.severity)),
      field("Status", select({ id: "f-status", onchange: on("status") }, STATUSES, state.status)),
      field("Host", select({ id: "f-host", onchange: on("host") }, [["", "Any"], ...hosts], state.host)),
      field("Alert type", select({ id: "f-type", onchange: on("type") }, [["", "Any"], ...types.map(t => [t, t])], state.type)),
      el("fieldset", { class: "group-toggle" }, el("legend", {}, "Group by"),
        [["none", "None"], ["host", "Host"], ["type", "Alert type"]].map(([v, t]) => el("label", {},
          el("input", { type: "radio", name: "group", value: v, checked: state.group === v, onchange: on("group") }), t))));
  }

  function stateCell(a) {
    if (a.resolved_at) return el("span", {}, "resolved " + ago(a.resolved_at));
    const parts = [el("span", {}, "open")];
    if (silenced(a)) {
      parts.push(el("span", { class: "badge silenced", title: (a.silence_reason || "") },
        "silenced until " + when(a.silenced_until) + (a.silenced_by ? " by " + a.silenced_by : "")
        + (a.silence_reason ? ": " + a.silence_reason : "")));
    }
    return el("span", { class: "state" }, parts);
  }

  function actions(a, admin, area) {
    if (!admin || a.resolved_at) return "";
    const out = [];
    if (!a.acknowledged_at) {
      out.push(el("button", { type: "button", class: "ack", onclick: e => act(e.target, area, async () => {
        await api("/api/alerts/" + a.id + "/acknowledge", { method: "POST" });
        rerender();
      }) }, "Acknowledge"));
    }
    if (silenced(a)) {
      out.push(el("button", { type: "button", class: "secondary unsilence", onclick: e => act(e.target, area, async () => {
        await api("/api/alerts/" + a.id + "/silence", { method: "POST", json: { until: null } });
        rerender();
      }) }, "Unsilence"));
    } else {
      out.push(el("button", { type: "button", class: "secondary silence", "aria-expanded": String(state.silencing === a.id),
        onclick: () => { state.silencing = state.silencing === a.id ? null : a.id; rerender(); } }, "Silence…"));
    }
    return out;
  }

  function silenceForm(a, area) {
    const minutes = select({ id: "silence-minutes" }, DURATIONS, "240");
    const reason = el("input", { id: "silence-reason", type: "text", maxlength: "500", required: true,
      placeholder: "e.g. disk swap booked for Tuesday" });
    return el("tr", { class: "silence-form" }, el("td", { colspan: "9" },
      el("form", { "aria-label": "Silence alert " + a.id, onsubmit: e => {
        e.preventDefault();
        act(e.submitter, area, async () => {
          const until = new Date(Date.now() + Number(minutes.value) * 60000).toISOString();
          await api("/api/alerts/" + a.id + "/silence", { method: "POST", json: { until, reason: reason.value.trim() } });
          state.silencing = null;
          rerender();
        });
      } },
        field("Silence for", minutes), field("Reason", reason),
        el("button", { type: "submit" }, "Silence"),
        el("button", { type: "button", class: "secondary", onclick: () => { state.silencing = null; rerender(); } }, "Cancel"))));
  }

  function row(a, admin, area) {
    return el("tr", { "data-alert": a.id, class: silenced(a) ? "is-silenced" : "" },
      el("td", {}, el("a", { href: "#/host/" + a.system_id }, a.hostname || "system " + a.system_id)),
      el("td", {}, a.alert_type), el("td", {}, el("span", { class: "sev sev-" + a.severity }, a.severity)),
      el("td", {}, a.value === null ? "–" : a.value.toFixed(1) + (a.threshold !== null ? " (≥ " + a.threshold + ")" : "")),
      el("td", {}, ago(a.occurred_at)), el("td", {}, stateCell(a)),
      el("td", {}, a.acknowledged_at ? (a.acknowledged_by || "yes") + ", " + ago(a.acknowledged_at) : "–"),
      el("td", { class: "actions" }, actions(a, admin, area)));
  }

  async function render() {
    const [page, admin] = await Promise.all([api("/api/alerts?state=all&limit=1000"), isAdmin()]);
    const all = page.alerts;
    const shown = all.filter(matches).sort((x, y) => (x.resolved_at ? 1 : 0) - (y.resolved_at ? 1 : 0)
      || SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity] || Date.parse(y.occurred_at) - Date.parse(x.occurred_at));
    const area = messages("alerts-message");
    const headers = ["Host", "Alert", "Severity", "Value", "Since", "State", "Acknowledged", "Actions"];
    const groups = new Map();
    for (const a of shown) {
      const key = state.group === "host" ? (a.hostname || "system " + a.system_id)
        : state.group === "type" ? a.alert_type : "";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(a);
    }
    const bodies = [...groups.entries()].map(([key, list]) => el("tbody", { "data-group": key },
      state.group === "none" ? "" : el("tr", { class: "group" }, el("th", { colspan: "8", scope: "rowgroup" },
        key + " (" + list.length + ")")),
      list.flatMap(a => state.silencing === a.id ? [row(a, admin, area), silenceForm(a, area)] : [row(a, admin, area)])));
    const count = el("p", { class: "muted", id: "alerts-count" }, shown.length + " of " + all.length + " alerts"
      + (admin ? "" : " · read-only token: acknowledging and silencing need an admin token"));
    const body = shown.length ? el("div", { class: "table-wrap card" }, el("table", { id: "alerts" },
      el("caption", { class: "sr-only" }, "Alerts"),
      el("thead", {}, el("tr", {}, headers.map(t => el("th", { scope: "col" }, t)))), bodies))
      : el("p", { class: "muted", id: "alerts-empty" }, "No alerts match.");
    return [el("div", { class: "toolbar" }, el("h1", {}, "Alerts"),
      el("button", { type: "button", class: "secondary", onclick: () => rerender() }, "Refresh")),
      filters(all), area, count, body];
  }

  window.fwPages.alerts = { nav: "alerts", title: "Alerts", render, refresh: false };
})();
