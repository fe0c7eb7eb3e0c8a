// A chart's PNG, made in the reader's browser where the site has no PNG files (they
// would double its files and weight). The chart's own SVG file is drawn at twice its
// size with the site's font put inside it, so the picture is the one the page shows:
// the same drawing, the same glyphs. Nothing is fetched from anywhere but the site.
"use strict";
(() => {
  // Browsers do not let a page read files next to it from file://; there the SVG,
  // CSV and JSON links are what a reader can take.
  if (location.protocol === "file:") return;
  const SCALE = 2;
  const fonts = new Map();

  const asDataUrl = (blob) =>
    new Promise((ok, fail) => {
      const r = new FileReader();
      r.onload = () => ok(r.result);
      r.onerror = () => fail(r.error);
      r.readAsDataURL(blob);
    });

  async function fetched(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r;
  }

  // The font at `url` as a data: URL, fetched once a page.
  function font(url) {
    if (!fonts.has(url)) fonts.set(url, fetched(url).then((r) => r.blob()).then(asDataUrl));
    return fonts.get(url);
  }

  // The chart's SVG with its fonts inside it and the wide drawing at `SCALE` times its
  // size (an image may load nothing else, and its width picks the wide drawing).
  async function standalone(svgUrl) {
    let text = await (await fetched(svgUrl)).text();
    const urls = new Set([...text.matchAll(/url\("([^"]+)"\)/g)].map((m) => m[1]));
    for (const u of urls) {
      const data = await font(new URL(u, svgUrl).href);
      text = text.split(`url("${u}")`).join(`url("${data}")`);
    }
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const root = doc.documentElement;
    const width = Number(root.getAttribute("width")) * SCALE;
    const height = Number(root.getAttribute("height")) * SCALE;
    root.setAttribute("width", width);
    root.setAttribute("height", height);
    return { svg: new XMLSerializer().serializeToString(doc), width, height };
  }

  async function png(svgUrl) {
    const { svg, width, height } = await standalone(svgUrl);
    const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    try {
      const img = new Image(width, height);
      img.src = url;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").drawImage(img, 0, 0, width, height);
      return await new Promise((ok, fail) =>
        canvas.toBlob((b) => (b ? ok(b) : fail(new Error("no PNG"))), "image/png"),
      );
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  // The SVG file of the chart a button is beside: its `data-svg`, or the chart in
  // its figure. `fr/charts/mex/migrant_stock.svg` is saved as `fr-mex-migrant_stock.png`.
  function source(button) {
    const shown = button.closest("figure")?.querySelector("object.chart-object");
    const svg = new URL(button.dataset.svg ?? shown?.getAttribute("data") ?? "", location.href);
    const root = new URL(document.querySelector("script[src$='chart-png.js']").src, location.href);
    const rel = svg.pathname.slice(new URL(".", root).pathname.length).replace(/\.svg$/, "");
    const file = button.dataset.file ?? rel.split("/").filter((s) => s !== "charts").join("-") + ".png";
    return { svg: svg.href, file };
  }

  async function save(button) {
    button.disabled = true;
    try {
      const { svg, file } = source(button);
      const blob = await png(svg);
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = file;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    } catch (e) {
      button.title = String(e);
      button.setAttribute("aria-invalid", "true");
    } finally {
      button.disabled = false;
    }
  }

  for (const wrap of document.querySelectorAll(".chart-png")) {
    const button = wrap.querySelector("button");
    if (!button) continue;
    button.addEventListener("click", () => save(button));
    wrap.hidden = false;
  }
  // For tests and tools: the PNG of a chart's SVG file, as a Blob, and what a button
  // makes it from.
  window.mpgenChartPng = png;
  window.mpgenChartPngSource = source;
})();
