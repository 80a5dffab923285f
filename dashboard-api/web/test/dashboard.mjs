// Browser test of the web dashboard, driven by DashboardBrowserIT: Debian's Chromium, headless, through playwright-core.
// Signs in with a token, checks the fleet table, opens a host page and checks that its CPU chart has drawn its points
// and its inventory section shows, acknowledges an alert, and looks at the page on a phone-sized screen. Screenshots
// go to $SHOTS. Prints one JSON line.
import { launch } from "./browser.mjs";

const { BASE_URL: base, TOKEN: token, SHOTS: shots, HOSTS: hosts, HOST_ID: hostId } = process.env;
const errors = [];
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", e => errors.push("pageerror: " + e.message));
  let signedIn = false; // before that, the wrong token's 401 is expected
  page.on("console", m => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push("console: " + m.text());
  });
  page.on("response", r => { if (r.status() >= 400 && signedIn) errors.push(r.status() + " " + r.url()); });
  page.on("request", r => { if (!r.url().startsWith(base)) errors.push("left localhost: " + r.url()); });

  await page.goto(base + "/");
  await page.fill("#token", "not-a-token-0000000000000000");
  await page.click("button[type=submit]");
  await page.waitForFunction(() => document.getElementById("login-error")?.textContent.includes("not accepted"));
  await page.fill("#token", token);
  await page.click("button[type=submit]");
  await page.waitForSelector("#fleet tbody tr[data-id]");
  signedIn = true;
  const rows = await page.locator("#fleet tbody tr[data-id]").count();
  await page.screenshot({ path: shots + "/overview.png", fullPage: true });

  await page.click(`#fleet a[href="#/host/${hostId}"]`);
  await page.waitForSelector("canvas[data-metric=cpu_percent]");
  await page.waitForFunction(() => window.Chart && Chart.getChart(document.querySelector("canvas[data-metric=cpu_percent]")));
  const chart = await page.evaluate(() => {
    const canvas = document.querySelector("canvas[data-metric=cpu_percent]");
    const c = Chart.getChart(canvas);
    const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) painted++;
    const meta = c.getDatasetMeta(0);
    return { points: c.data.datasets[0].data.length, drawn: meta.data.filter(p => !p.skip).length, painted,
      charts: document.querySelectorAll(".chart canvas").length };
  });
  // the host's inventory section (inventory.js): facts, the disk table and the change history
  await page.waitForSelector("#inventory .inventory-disks");
  const inventory = await page.evaluate(() => ({
    memory: [...document.querySelectorAll("#inventory .inventory-facts dt")].find(d => d.textContent === "Memory")
      ?.nextElementSibling.textContent,
    disks: document.querySelectorAll("#inventory .inventory-disks tbody tr").length,
    changes: document.querySelectorAll("#inventory .inventory-changes li").length,
    changeText: document.querySelector("#inventory .inventory-changes li")?.textContent }));
  await page.screenshot({ path: shots + "/host.png", fullPage: true });

  await page.click("a[data-nav=alerts]");
  await page.waitForSelector("#alerts button");
  const alertId = await page.locator("#alerts tbody tr").first().getAttribute("data-alert");
  await page.click(`#alerts tr[data-alert="${alertId}"] button`);
  await page.waitForFunction(id => document.querySelector(`#alerts tr[data-alert="${id}"]`)?.textContent.includes("ops"), alertId);
  await page.screenshot({ path: shots + "/alerts.png", fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.click("a[data-nav=fleet]");
  await page.waitForSelector("#fleet tbody tr[data-id]");
  const phone = await page.evaluate(() => ({ bodyWidth: document.body.scrollWidth, viewport: window.innerWidth }));
  await page.screenshot({ path: shots + "/phone.png", fullPage: true });

  // maintenance mode (as `fleetwatch maintenance on` would set it): a banner on the next view, gone when it is off
  const setMode = body => page.evaluate(async ([b, t]) => (await fetch("/api/maintenance-mode", { method: "PUT",
    headers: { Authorization: "Bearer " + t, "Content-Type": "application/json" }, body: JSON.stringify(b) })).status,
    [body, token]);
  const onStatus = await setMode({ enabled: true, reason: "database upgrade" });
  await page.click("a[data-nav=queues]");
  await page.waitForSelector("#maintenance:not([hidden])");
  const bannerText = await page.locator("#maintenance").textContent();
  await page.screenshot({ path: shots + "/maintenance.png", fullPage: true });
  const offStatus = await setMode({ enabled: false });
  await page.click("a[data-nav=fleet]");
  await page.waitForSelector("#maintenance[hidden]", { state: "attached" });
  const banner = { onStatus, offStatus, shown: bannerText.includes("database upgrade") };

  const result = { rows, expectedRows: Number(hosts), chart, inventory, alertId: Number(alertId), phone, banner, errors };
  console.log(JSON.stringify(result));
  // charts: the catalog's chart groups host 1 has data for (CPU, memory, disk, network, uptime, users, load)
  const ok = rows === Number(hosts) && chart.points > 0 && chart.drawn === chart.points && chart.painted > 500
    && chart.charts === 7 && inventory.disks === 1 && inventory.changes === 1 && phone.bodyWidth <= phone.viewport + 1 && banner.onStatus === 200
    && banner.offStatus === 200 && banner.shown && errors.length === 0;
  process.exitCode = ok ? 0 : 1;
} finally {
  await browser.close();
}
