// Shared by the alert and admin pages (alerts.js, admin.js): a fetch helper, a DOM builder, the caller's role, and the
// page registry the shell (app.js) routes to: fwPages["alerts"] renders #/alerts, fwPages["admin/rules"] #/admin/rules.
// A page is { nav, title, render(): Promise<Node[]>, refresh }; refresh false: the shell does not re-render it every
// 10 s (forms would lose what was typed), the page polls what it needs itself.
"use strict";

window.fwPages = window.fwPages || {};

window.fwUi = (() => {
  let me = null;   // the caller's {name, role}, asked once per sign-in

  /** A 401 (no token, or one not accepted): the shell shows its sign-in form. */
  class SignedOut extends Error {
    constructor() { super("signed out"); this.status = 401; }
  }

  async function api(path, options = {}) {
    const token = sessionStorage.getItem("fleetwatch.token");
    if (!token) throw new SignedOut();
    const headers = { ...(options.headers || {}), Authorization: "Bearer " + token };
    if (options.json !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { method: options.method || "GET", headers,
      body: options.json !== undefined ? JSON.stringify(options.json) : undefined });
    if (res.status === 401) { me = null; throw new SignedOut(); }
    const body = res.headers.get("Content-Type")?.includes("json") ? await res.json() : null;
    if (!res.ok) {
      const e = new Error(body?.detail || res.status + " " + res.statusText);
      e.status = res.status;
      throw e;
    }
    return body;
  }

  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "value") e.value = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
    return e;
  }

  function ago(iso) {
    if (!iso) return "never";
    const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    const a = Math.abs(s);
    const t = a < 60 ? a + " s" : a < 3600 ? Math.round(a / 60) + " min" : a < 86400 ? Math.round(a / 3600) + " h"
      : Math.round(a / 86400) + " d";
    return s >= 0 ? t + " ago" : "in " + t;
  }

  function when(iso) { return iso ? new Date(iso).toLocaleString() : "–"; }

  /** {name, role} of the token in use; the API still refuses an admin write from a viewer (403). */
  async function whoami() {
    if (!me) me = await api("/api/whoami");
    return me;
  }

  async function isAdmin() { return (await whoami()).role === "admin"; }

  /** A labelled form control: the label wraps it, so every input has an accessible name. */
  function field(label, control, hint) {
    return el("label", { class: "field" }, el("span", {}, label), control, hint ? el("small", { class: "muted" }, hint) : "");
  }

  function select(attrs, options, selected) {
    return el("select", attrs, options.map(([value, text]) =>
      el("option", { value, selected: String(value) === String(selected ?? "") }, text)));
  }

  /** A message area that screen readers announce; fwUi.say(area, text, isError). */
  function messages(id) { return el("p", { id, class: "message", role: "status", "aria-live": "polite" }); }

  function say(area, text, isError) {
    area.textContent = text;
    area.classList.toggle("error", !!isError);
  }

  /** Runs an admin action from a button: disabled while it runs, the error shown in {@code area}. */
  async function act(button, area, work) {
    if (button) button.disabled = true;
    try {
      return await work();
    } catch (e) {
      if (e.status === 401) throw e;
      say(area, e.message, true);
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  }

  function table(id, headers, rows, caption) {
    return el("div", { class: "table-wrap card" }, el("table", { id },
      caption ? el("caption", { class: "sr-only" }, caption) : "",
      el("thead", {}, el("tr", {}, headers.map(t => el("th", { scope: "col" }, t)))),
      el("tbody", {}, rows)));
  }

  /** Re-renders the page on screen (the shell's hashchange handler does the work). */
  function rerender() { window.dispatchEvent(new HashChangeEvent("hashchange")); }

  return { api, el, ago, when, whoami, isAdmin, field, select, messages, say, act, table, rerender, SignedOut,
    forget: () => { me = null; } };
})();
