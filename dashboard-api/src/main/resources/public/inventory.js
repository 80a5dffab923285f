"use strict";
// The host page's inventory section: window.fwRenderInventory(container, systemId, api) fills `container` with the
// system's hardware and OS (GET /api/systems/{id}/inventory) and its recent changes (…/inventory/changes). `api` is
// the page's authenticated fetch: a path in, the parsed JSON out, an Error with the problem's detail on failure.
// Self-contained (own element helper), so it works with whichever page script loads it.
(function () {
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children.flat(Infinity)) e.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
    return e;
  }

  function bytes(n) {
    if (n === null || n === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let v = n, i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0)) + " " + units[i];
  }

  function text(v) { return v === null || v === undefined || v === "" ? "–" : String(v); }

  function table(cls, headers, rows) {
    if (!rows.length) return el("p", { class: "muted " + cls }, "none reported");
    return el("table", { class: cls },
      el("thead", {}, el("tr", {}, headers.map(h => el("th", {}, h)))),
      el("tbody", {}, rows.map(r => el("tr", {}, r.map(c => el("td", {}, c))))));
  }

  function facts(inv) {
    const cpu = inv.cpu || {}, os = inv.os || {}, hw = inv.hardware || {}, bios = inv.bios || {};
    const cores = [cpu.physical_cores && cpu.physical_cores + " cores", cpu.logical_cores && cpu.logical_cores + " threads"]
      .filter(Boolean).join(", ");
    const pairs = [
      ["CPU", text(cpu.model) + (cores ? " (" + cores + ")" : "")],
      ["Memory", bytes(inv.memory_bytes)],
      ["OS", [os.name, os.version].filter(Boolean).join(" ") || "–"],
      ["Kernel", text(os.kernel)],
      ["System", [hw.manufacturer, hw.model].filter(Boolean).join(" ") || "–"],
      // serials and the UUID are readable by root only: an agent without root reports them absent
      ["Serial", text(hw.serial)],
      ["UUID", text(hw.uuid)],
      ["Board", [hw.board_vendor, hw.board_model, hw.board_serial && "serial " + hw.board_serial].filter(Boolean).join(" ") || "–"],
      ["BIOS", [bios.vendor, bios.version, bios.release_date && "(" + bios.release_date + ")"].filter(Boolean).join(" ") || "–"],
    ];
    return el("dl", { class: "inventory-facts" }, pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  }

  function change(c) {
    const what = c.item ? c.part + " " + c.item : c.part;
    return c.kind === "changed" ? what + ": " + c.before + " → " + c.after : what + " " + c.kind;
  }

  window.fwRenderInventory = async function (container, systemId, api) {
    container.replaceChildren(el("p", { class: "muted" }, "Loading inventory…"));
    let page, changes;
    try {
      [page, changes] = await Promise.all([api("/api/systems/" + systemId + "/inventory"),
        api("/api/systems/" + systemId + "/inventory/changes?limit=20")]);
    } catch (e) {
      container.replaceChildren(el("p", { class: "muted inventory-none" }, "No inventory: " + (e && e.message)));
      return;
    }
    if (!page) { // 204: nothing reported yet
      container.replaceChildren(el("p", { class: "muted inventory-none" }, "No inventory reported yet (no agent on this host,"
        + " or the collector has not reached it)."));
      return;
    }
    const inv = page.inventory;
    container.replaceChildren(
      el("p", { class: "muted" }, "Collected " + page.collected_at + ", unchanged since " + page.changed_at),
      facts(inv),
      el("h3", {}, "Disks"),
      table("inventory-disks", ["Name", "Model", "Serial", "Size"],
        inv.disks.map(d => [d.name, text(d.model), text(d.serial), bytes(d.size_bytes)])),
      el("h3", {}, "File systems"),
      table("inventory-filesystems", ["Mount", "Type", "Size"],
        inv.filesystems.map(f => [f.mount, text(f.type), bytes(f.size_bytes)])),
      el("h3", {}, "Network interfaces"),
      table("inventory-nics", ["Name", "MAC"], inv.network_interfaces.map(n => [n.name, text(n.mac_address)])),
      el("h3", {}, "GPUs"),
      table("inventory-gpus", ["Name", "Vendor", "Memory"], inv.gpus.map(g => [g.name, text(g.vendor), bytes(g.vram_bytes)])),
      el("h3", {}, "Changes"),
      changes.length ? el("ul", { class: "inventory-changes" }, changes.map(r =>
        el("li", {}, el("time", {}, r.changed_at), " ", r.changes.map(change).join("; "))))
        : el("p", { class: "muted inventory-changes" }, "no change since the first report"));
  };
})();
