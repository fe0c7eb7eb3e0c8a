// mpgen serve: live reload and the error overlay. Served by `mpgen serve` only; never
// part of a built site.
(() => {
  const me = window.__mpgen || { path: "", missing: true };
  const key = "mpgen-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    restore();
    window.addEventListener("load", restore);
  }
  const reload = () => {
    sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  };
  const overlay = (text) => {
    let box = document.getElementById("mpgen-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "mpgen-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);" +
        "color:#f4f4f4;padding:2rem;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace";
      const title = document.createElement("p");
      title.style.cssText = "margin:0 0 1rem;font-weight:bold;color:#ff8080";
      title.textContent = "mpgen: the site has errors; the last good version is shown behind this.";
      const pre = document.createElement("pre");
      pre.style.cssText = "margin:0;white-space:pre-wrap";
      box.append(title, pre);
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = text;
  };
  // The page names itself, so a rebuild renders and announces it first.
  const events = new EventSource("/__mpgen/events?page=" + encodeURIComponent(me.path));
  // A page left for another keeps no connection open: browsers allow six per host, and
  // pages kept for the back button would use them all up. Back on it, it reloads, as
  // the site may have changed meanwhile.
  window.addEventListener("pagehide", () => events.close());
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) location.reload();
  });
  events.addEventListener("errors", (e) => overlay(JSON.parse(e.data).text));
  events.addEventListener("ok", () => {
    const box = document.getElementById("mpgen-overlay");
    if (box) box.remove();
  });
  events.addEventListener("reload", (e) => {
    const paths = JSON.parse(e.data).paths;
    if (me.missing || paths.includes(me.path) || paths.some((p) => p.endsWith(".css"))) {
      reload();
    }
  });
})();
