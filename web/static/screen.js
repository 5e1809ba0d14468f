// The wall's screen mode (docs/architecture.md §9): rotate the pages of the data the server rendered,
// poll the screen API for new data, and when the server is unreachable keep showing the last data and
// retry with a growing delay, never an error page. Without this script the page refreshes itself.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) return;
  var api = root.getAttribute("data-api");
  var pollMs = (parseInt(root.getAttribute("data-poll"), 10) || 30) * 1000;
  var lang = root.getAttribute("data-lang");
  var i18n = document.getElementById("screen-i18n");
  var grid = document.getElementById("screen-grid");
  var status = document.getElementById("screen-status");
  var data = null;
  var page = Math.max(0, parseInt(root.getAttribute("data-page"), 10) - 1 || 0);
  var retry = 2000;
  var pollTimer = null;

  function fmt(tpl, a, b) {
    // Replace the sample numbers of a catalogue message (rendered with 1 and 2, or 0), in order.
    var args = [a, b], n = 0;
    return tpl.replace(/\d+/g, function () { return String(args[n++]); });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function render() {
    if (!data) return;
    var per = data.wall.per_page || 12;
    var pages = Math.max(1, Math.ceil(data.items.length / per));
    if (page >= pages) page = 0;
    var items = data.items.slice(page * per, page * per + per);
    var frag = document.createDocumentFragment();
    items.forEach(function (it) {
      var li = el("li", "screen-card" + (it.pinned ? " pinned" : ""));
      var text = el("div", "screen-card-text");
      text.appendChild(el("p", "screen-fee fee-" + it.fee_model, it.fee_text));
      text.appendChild(el("h2", "", it.title));
      var meta = el("p", "screen-meta", it.type + " · ");
      meta.appendChild(el("span", "mono", it.application_no));
      text.appendChild(meta);
      text.appendChild(el("p", "screen-holder", it.patentee));
      li.appendChild(text);
      var a = el("a", "screen-card-qr");
      a.href = it.url;
      var img = el("img");
      img.src = it.qr_url;
      img.width = 96;
      img.height = 96;
      img.alt = i18n.getAttribute("data-scan") + "：" + it.application_no;
      a.appendChild(img);
      li.appendChild(a);
      frag.appendChild(li);
    });
    grid.replaceChildren(frag);
    document.getElementById("screen-empty").hidden = items.length > 0;
    document.getElementById("screen-name").textContent = data.wall.name;
    document.getElementById("screen-total").textContent = fmt(i18n.getAttribute("data-count"), data.total);
    document.getElementById("screen-page").textContent = fmt(i18n.getAttribute("data-page"), page + 1, pages);
    var upd = document.getElementById("screen-updated");
    upd.setAttribute("datetime", data.updated_at);
    upd.textContent = new Date(data.updated_at).toLocaleString(lang === "en" ? "en-GB" : "zh-CN", { timeZone: "Asia/Shanghai" });
  }

  // Preload the QR codes so a page shown while the server is away still has them.
  function preload() {
    data.items.forEach(function (it) { var i = new Image(); i.src = it.qr_url; });
  }

  function setState(ok) {
    root.setAttribute("data-state", ok ? "ok" : "retrying");
    status.hidden = ok;
  }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", api + (api.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang));
    xhr.timeout = 10000;
    xhr.onload = function () {
      if (xhr.status === 200) {
        try {
          data = JSON.parse(xhr.responseText);
        } catch (e) {
          return fail();
        }
        setState(true);
        retry = 2000;
        preload();
        render();
        schedule(pollMs);
      } else {
        fail();
      }
    };
    xhr.onerror = fail;
    xhr.ontimeout = fail;
    xhr.send();
  }

  function fail() {
    setState(false);
    schedule(retry);
    retry = Math.min(retry * 2, 30000);
  }

  function schedule(ms) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, ms);
  }

  function rotate() {
    page++;
    render();
    setTimeout(rotate, ((data && data.wall.seconds) || 30) * 1000);
  }

  poll();
  setTimeout(rotate, 30000);
})();
