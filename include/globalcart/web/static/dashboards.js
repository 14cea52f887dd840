// GlobalCart 360 dashboards: filters, panels, formatting and the publication watch.
// Each panel fetches one endpoint with the filters that apply to it. The status line
// polls api/dashboards/status (one small query); a newer publication refetches the
// panels that read it, without reloading the page.
"use strict";

const GC = (() => {
  const root = new URL("..", window.location.href);
  const api = (path, params) => {
    const url = new URL("api/dashboards/" + path, root);
    Object.entries(params || {}).forEach(([k, v]) => { if (v) url.searchParams.set(k, v); });
    return url;
  };
  const POLL_MS = 15000;
  const FILTERS = ["start", "end", "channel", "region", "category"];

  const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const days = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function format(value, unit) {
    if (value === null || value === undefined) return "–";
    switch (unit) {
      case "ratio": return percent.format(value);
      case "count": return number.format(value);
      case "days": return days.format(value) + " d";
      case "currency": return Math.abs(value) >= 10000 ? number.format(value) : money.format(value);
      default: return String(value);
    }
  }

  // A timestamp as people read it, in UTC like the alert emails.
  function when(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else if (v !== null && v !== undefined) node.setAttribute(k, v);
    });
    children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
    return node;
  }

  function table(columns, rows) {
    // columns: [[key, heading, unit]]
    return el("table", { class: "data" },
      el("thead", {}, el("tr", {}, columns.map(([, h, u]) => el("th", { class: u ? "num" : null, text: h })))),
      el("tbody", {}, rows.map((r) => el("tr", {}, columns.map(([k, , u]) =>
        el("td", { class: u ? "num" : null, "data-column": k, text: u ? format(r[k], u) : (r[k] ?? "–") }))))));
  }

  function empty(node, message) {
    node.replaceChildren(el("p", { class: "empty", text: message }));
  }

  const charts = new Map();
  function chart(node, option) {
    let instance = charts.get(node);
    if (!instance) {
      instance = echarts.init(node, null, { renderer: "canvas" });
      charts.set(node, instance);
      window.addEventListener("resize", () => instance.resize());
    }
    instance.setOption(option, true);
    return instance;
  }

  function currentFilters() {
    const form = document.querySelector("form.filters");
    const values = {};
    FILTERS.forEach((name) => { const field = form.elements[name]; if (field && field.value) values[name] = field.value; });
    return values;
  }

  async function fetchJson(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || `${response.status} ${response.statusText}`);
    return body;
  }

  function showStatus(state, message) {
    const status = document.getElementById("status");
    status.dataset.state = state;
    status.textContent = message;
  }

  async function start(panels) {
    const form = document.querySelector("form.filters");
    const query = new URLSearchParams(window.location.search);
    let seen = {};

    try {
      const filters = await fetchJson(api("filters"));
      if (filters.data) {
        const d = filters.data;
        [["channel", d.channels], ["region", d.regions], ["category", d.categories]].forEach(([name, values]) => {
          const select = form.elements[name];
          values.forEach((v) => select.append(el("option", { value: v, text: v })));
        });
        form.elements.start.min = form.elements.end.min = d.first_day;
        form.elements.start.max = form.elements.end.max = d.last_day;
      }
    } catch (error) {
      showStatus("error", "Could not read the published filter values: " + error.message);
    }
    FILTERS.forEach((name) => { if (query.get(name) && form.elements[name]) form.elements[name].value = query.get(name); });

    async function load(panel) {
      const node = document.getElementById(panel.id);
      const body = node.querySelector(".body");
      const params = {};
      const chosen = currentFilters();
      (panel.filters || []).forEach((name) => { if (chosen[name]) params[name] = chosen[name]; });
      node.dataset.loading = "true";
      try {
        const result = await fetchJson(api(panel.endpoint, params));
        const note = node.querySelector("p.note.as-of");
        if (note) note.textContent = result.as_of ? `as of ${result.as_of}` : "";
        if (result.state === "empty" || result.data === null) {
          empty(body, result.message);
        } else {
          panel.render(result.data, body, result);
          if (result.data.filters) {
            // The period the server settled on (defaults included), shown in the form.
            ["start", "end"].forEach((k) => { if (!form.elements[k].value) form.elements[k].placeholder = result.data.filters[k]; });
          }
        }
        node.dataset.publishedAt = result.published_at || "";
      } catch (error) {
        empty(body, "Could not load: " + error.message);
      } finally {
        node.dataset.loading = "false";
      }
    }

    const loadAll = (which) => Promise.all(panels.filter((p) => !which || which.includes(p.publication)).map(load));

    async function watch() {
      try {
        const status = await fetchJson(api("status"));
        const kpis = status.kpis;
        const analytics = status.analytics;
        const worst = [kpis, analytics].find((s) => s.state !== "fresh") || kpis;
        showStatus(worst.state, `${kpis.message} ${analytics.message}`);
        const changed = ["kpis", "analytics"].filter((p) => seen[p] !== undefined && seen[p] !== status[p].published_at);
        seen = { kpis: kpis.published_at, analytics: analytics.published_at };
        if (changed.length) await loadAll(changed);
        document.body.dataset.kpisPublishedAt = kpis.published_at || "";
      } catch (error) {
        showStatus("error", "Could not read the publication status: " + error.message);
      }
    }

    form.addEventListener("change", async () => {
      const chosen = currentFilters();
      const url = new URL(window.location.href);
      FILTERS.forEach((name) => { if (chosen[name]) url.searchParams.set(name, chosen[name]); else url.searchParams.delete(name); });
      window.history.replaceState(null, "", url);
      await loadAll();
      document.body.dataset.filtersApplied = JSON.stringify(chosen);
    });

    await watch();
    await loadAll();
    document.body.dataset.ready = "true";
    window.setInterval(watch, POLL_MS);
  }

  return { api, format, when, el, table, empty, chart, start };
})();
