// Browser test of the alert and admin pages, driven by AdminPagesBrowserIT: Debian's Chromium, headless, through
// playwright-core. Runs axe-core (from web/node_modules, injected from the file: nothing from the network) on every
// page, clicks each flow through (filter, acknowledge, silence and unsilence alerts; a rule with its preview; a
// maintenance window made and deleted; a scan of 127.0.0.1/32 followed to its end; a token made and revoked), checks
// that a viewer token sees no admin controls, and saves a screenshot per page in $SHOTS. Prints one JSON line.
import { createRequire } from "node:module";
import { launch } from "./browser.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const { BASE_URL: base, TOKEN: token, VIEWER_TOKEN: viewerToken, SHOTS: shots, HOST_ID: hostId } = process.env;
const errors = [];
const axe = {};        // page -> serious or critical violations: "rule-id (impact): n node(s): target …"
const result = { axe, errors };
const T = { timeout: 30000 };

async function audit(page, name) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] }))
    .violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + " (" + v.impact + "): " + v.nodes.length + " node(s): "
      + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")));
  axe[name] = found;
}

function watch(page, label) {
  page.on("pageerror", e => errors.push(label + " pageerror: " + e.message));
  page.on("console", m => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(label + " console: " + m.text());
  });
  page.on("request", r => { if (!r.url().startsWith(base)) errors.push("left localhost: " + r.url()); });
}

/** Waits until the alert list shows rows and every one has {text} in it or matches {selector} inside. */
function everyRow(page, want) {
  return page.waitForFunction(w => {
    const rows = [...document.querySelectorAll("#alerts tr[data-alert]")];
    return rows.length > 0 && rows.every(r => w.text ? r.textContent.includes(w.text) : !!r.querySelector(w.selector));
  }, want, T);
}

async function open(page, hash, selector) {
  await page.evaluate(h => { location.hash = h; }, hash);
  await page.waitForSelector(selector, T);
}

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  watch(page, "admin");
  page.on("response", r => { if (r.status() >= 400) errors.push(r.status() + " " + r.url()); });
  await page.goto(base + "/#token=" + token);
  await page.waitForSelector("#fleet tbody tr", T);
  await audit(page, "fleet");
  await open(page, "#/host/" + hostId, "canvas[data-metric=cpu_percent]");
  await page.waitForFunction(() => window.Chart && Chart.getChart(document.querySelector("canvas[data-metric=cpu_percent]")));
  await audit(page, "host");

  // ---- alerts: filters, acknowledge, silence, unsilence, grouping
  await page.click("a[data-nav=alerts]");
  await page.waitForSelector("#alerts tbody tr[data-alert]", T);
  await audit(page, "alerts");
  const ids = sel => page.$$eval(sel, rows => rows.map(r => Number(r.dataset.alert)));
  const filters = { all: await ids("#alerts tr[data-alert]") };
  await page.selectOption("#f-severity", "critical");
  await everyRow(page, { text: "critical" });
  filters.critical = await ids("#alerts tr[data-alert]");
  await page.selectOption("#f-severity", "");
  await page.selectOption("#f-host", { label: "lab-pc-02" });
  await everyRow(page, { text: "lab-pc-02" });
  filters.host = await ids("#alerts tr[data-alert]");
  await page.selectOption("#f-host", "");
  await page.selectOption("#f-status", "resolved");
  await everyRow(page, { text: "resolved " });
  filters.resolved = await ids("#alerts tr[data-alert]");
  await page.selectOption("#f-status", "active");
  await page.selectOption("#f-type", "ram_high");
  await everyRow(page, { text: "ram_high" });
  filters.type = await ids("#alerts tr[data-alert]");
  await page.selectOption("#f-type", "");
  await page.waitForFunction(n => document.querySelectorAll("#alerts tr[data-alert]").length === n, filters.all.length);
  result.filters = filters;

  const ack = Number(process.env.ACK_ALERT), sil = Number(process.env.SILENCE_ALERT), unsil = Number(process.env.UNSILENCE_ALERT);
  await page.click(`#alerts tr[data-alert="${ack}"] button.ack`);
  await page.waitForFunction(id => document.querySelector(`#alerts tr[data-alert="${id}"]`)?.textContent.includes("ops,"), ack);
  await page.click(`#alerts tr[data-alert="${sil}"] button.silence`);
  await page.waitForSelector("#silence-reason", T);
  await page.selectOption("#silence-minutes", "1440");
  await page.fill("#silence-reason", "browser test: noisy fan");
  await audit(page, "alerts-silence-form");
  await page.click(".silence-form button[type=submit]");
  await page.waitForFunction(id => document.querySelector(`#alerts tr[data-alert="${id}"] .badge.silenced`)
    ?.textContent.includes("browser test: noisy fan"), sil, T);
  result.silencedBadge = await page.textContent(`#alerts tr[data-alert="${sil}"] .badge.silenced`);
  await page.click(`#alerts tr[data-alert="${unsil}"] button.unsilence`);
  await page.waitForSelector(`#alerts tr[data-alert="${unsil}"] button.silence`, T);
  await page.selectOption("#f-status", "silenced");
  await everyRow(page, { selector: ".badge.silenced" });
  result.silencedFilter = await ids("#alerts tr[data-alert]");
  await page.selectOption("#f-status", "active");
  await page.check("input[name=group][value=host]");
  await page.waitForSelector("#alerts tr.group", T);
  result.groupsByHost = await page.$$eval("#alerts tr.group", rows => rows.map(r => r.textContent));
  await audit(page, "alerts-grouped");
  await page.screenshot({ path: shots + "/alerts.png" });
  await page.check("input[name=group][value=none]");

  // ---- alert rules: the preview count, create, edit
  await page.click("a[data-nav=admin]");
  await page.waitForSelector("#rules tbody tr", T);
  await page.selectOption("#rule-metric", "ram_percent");
  await page.fill("#rule-type", "ram_it");
  await page.fill("#rule-fire", "90");
  await page.fill("#rule-clear", "80");
  await page.selectOption("#rule-severity", "critical");
  await page.waitForFunction(() => document.querySelector("#rule-preview")?.textContent.includes("ram_percent ≥ 90"), null, T);
  result.preview = { count: Number(await page.getAttribute("#rule-preview", "data-count")),
    text: (await page.textContent("#rule-preview")).replace(/\s+/g, " ").trim() };
  await audit(page, "admin-rules");
  await page.screenshot({ path: shots + "/admin-rules.png" });
  await page.click("#rule-form button[type=submit]");
  await page.waitForFunction(() => [...document.querySelectorAll("#rules tbody tr")].some(r => r.textContent.includes("ram_it")), null, T);
  const ruleId = await page.$eval("#rules tbody tr:has-text('ram_it')", r => r.dataset.rule);
  await page.click(`#rules tr[data-rule="${ruleId}"] button.edit`);
  await page.waitForSelector("#rule-form h2:has-text('Edit rule')", T);
  await page.fill("#rule-fire", "95");
  await page.click("#rule-form button[type=submit]");
  await page.waitForFunction(id => document.querySelector(`#rules tr[data-rule="${id}"]`)?.textContent.includes("95"), ruleId, T);
  result.ruleId = Number(ruleId);

  // ---- maintenance windows: create, then delete
  await open(page, "#/admin/windows", "#window-form");
  await page.selectOption("#window-dept", { label: "physics" });
  await page.fill("#window-reason", "browser window");
  await page.click("#window-form button[type=submit]");
  await page.waitForSelector("#windows tbody tr:has-text('browser window')", T);
  await audit(page, "admin-windows");
  await page.screenshot({ path: shots + "/admin-windows.png" });
  await page.click("#windows tbody tr:has-text('browser window') button.delete");
  await page.waitForFunction(() => ![...document.querySelectorAll("#windows tbody tr")].some(r => r.textContent.includes("browser window")), null, T);

  // ---- departments
  await open(page, "#/admin/departments", "#departments tbody tr");
  result.departments = await page.$$eval("#departments tbody tr", rows => rows.map(r => r.textContent));
  await audit(page, "admin-departments");
  await page.screenshot({ path: shots + "/admin-departments.png" });

  // ---- scans: start one on loopback, follow it until the service has swept it
  await open(page, "#/admin/scans", "#scan-form");
  await page.fill("#scan-targets", "127.0.0.1/32");
  await page.click("#scan-form button[type=submit]");
  await page.waitForSelector("#scan-detail", T);
  const seen = [await page.getAttribute("#scan-detail", "data-status")];
  await page.waitForFunction(() => {
    const s = document.querySelector("#scan-detail")?.dataset.status;
    return s === "succeeded" || s === "failed";
  }, null, { timeout: 60000 });
  seen.push(await page.getAttribute("#scan-detail", "data-status"));
  result.scan = { statuses: seen, hostsFound: (await page.textContent("#scan-detail dd[data-fact='Hosts found']")).trim(),
    logLines: await page.$$eval("#scan-log li", l => l.length) };
  await audit(page, "admin-scans");
  await page.screenshot({ path: shots + "/admin-scans.png" });

  // ---- tokens: made (the secret shown once), works, revoked
  await open(page, "#/admin/tokens", "#token-form");
  await page.fill("#token-name", "grafana-ui");
  await page.click("#token-form button[type=submit]");
  await page.waitForSelector("#token-secret", T);
  const secret = (await page.textContent("#token-value")).trim();
  await audit(page, "admin-tokens");
  const works = await page.evaluate(async t => (await fetch("/api/whoami", { headers: { Authorization: "Bearer " + t } })).json(), secret);
  await page.screenshot({ path: shots + "/admin-tokens.png" });
  await page.click("#tokens tr[data-token='grafana-ui'] button.revoke");
  await page.waitForFunction(() => !document.querySelector("#tokens tr[data-token='grafana-ui'] button.revoke")
    && !document.querySelector("#token-secret"), null, T);
  const after = await page.evaluate(async t => (await fetch("/api/whoami", { headers: { Authorization: "Bearer " + t } })).status, secret);
  result.token = { prefix: secret.slice(0, 4), worked: works.name, afterRevoke: after };
  errors.splice(0, errors.length, ...errors.filter(e => !e.startsWith("401 ")));   // the revoked token's check above

  // ---- a viewer: lists, no admin controls
  const viewer = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  watch(viewer, "viewer");
  await viewer.goto(base + "/#token=" + viewerToken);
  await viewer.waitForSelector("#fleet tbody tr", T);
  await open(viewer, "#/alerts", "#alerts tr[data-alert]");
  const alertButtons = await viewer.$$eval("#alerts button.ack, #alerts button.silence, #alerts button.unsilence", b => b.length);
  await open(viewer, "#/admin/rules", "#rules tbody tr");
  const ruleControls = await viewer.$$eval("#rule-form, #rules button", b => b.length);
  await audit(viewer, "viewer-rules");
  await open(viewer, "#/admin/tokens", "#who");
  const tokenControls = await viewer.$$eval("#token-form, #tokens", b => b.length);
  const forbidden = await viewer.evaluate(async t => (await fetch("/api/alerts/1/acknowledge", { method: "POST",
    headers: { Authorization: "Bearer " + t } })).status, viewerToken);
  result.viewer = { alertButtons, ruleControls, tokenControls, forbidden, who: await viewer.textContent("#who") };

  console.log(JSON.stringify(result));
  const clean = Object.values(axe).every(v => v.length === 0);
  const ok = clean && errors.length === 0 && result.preview.count >= 0 && result.scan.statuses.at(-1) === "succeeded";
  process.exitCode = ok ? 0 : 1;
} finally {
  await browser.close();
}
