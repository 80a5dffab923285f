// Browser check of `fleetwatch demo`, driven by reliability's DemoIT: opens the link the demo prints (token in the
// #fragment), waits until the fleet table lists this host, and takes a screenshot ($SHOTS/demo.png). One JSON line.
import { launch } from "./browser.mjs";

const { DEMO_URL: link, HOSTNAME_EXPECTED: hostname, SHOTS: shots } = process.env;
const base = new URL(link).origin;
const errors = [];
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("pageerror", e => errors.push("pageerror: " + e.message));
  page.on("request", r => { if (!r.url().startsWith(base)) errors.push("left localhost: " + r.url()); });
  await page.goto(link);
  await page.waitForFunction(h => [...document.querySelectorAll("#fleet tbody tr")].some(r => r.textContent.includes(h)),
    hostname, { timeout: 60000 });
  const row = await page.evaluate(h => [...document.querySelectorAll("#fleet tbody tr")]
    .find(r => r.textContent.includes(h)).textContent.replace(/\s+/g, " ").trim(), hostname);
  const tokenInAddressBar = page.url().includes("token=");
  await page.screenshot({ path: shots + "/demo.png", fullPage: true });
  console.log(JSON.stringify({ row, tokenInAddressBar, errors }));
} finally {
  await browser.close();
}
