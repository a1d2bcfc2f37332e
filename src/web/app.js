// The dashboard: every two seconds it reads the JSON under /api/ and redraws. Every element is
// built with textContent, never from HTML strings, so a SKU code can never become markup.
"use strict";

const REFRESH_MS = 2000;
const AGE_BUCKETS_S = [30 * 60, 2 * 3600, 12 * 3600];
const SEVERITIES = ["critical", "high", "medium", "low"];
const ALERT_TEXT = { out: "out of stock", oversell_risk: "oversell risk", low: "low", ok: "ok" };

const $ = (id) => document.getElementById(id);
const numberFormat = new Intl.NumberFormat("en-US");
const fmt = (n) => (n === null || n === undefined ? "–" : numberFormat.format(n));
const count = (n, noun) => `${fmt(n)} ${noun}${n === 1 ? "" : "s"}`;

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

// A coloured label: `group` is "alert" (a SKU's stock state) or "severity" (a to-do's), so a
// low-stock alert and a low-severity to-do never share a colour.
function badge(group, kind, text) {
  return element("span", text, `badge ${group}-${kind}`);
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `${path}: HTTP ${response.status}`);
  return body;
}

function filters() {
  return {
    region: $("filter-region").value,
    channel: $("filter-channel").value,
    window: $("filter-window").value,
    q: $("filter-sku").value.trim(),
  };
}

function fillSelect(select, options) {
  const keep = select.value;
  const first = select.options[0];
  const wanted = [first.value, ...options.map((o) => o.value)].join("\n");
  const current = Array.from(select.options, (o) => o.value).join("\n");
  if (wanted === current) return;
  select.replaceChildren(first, ...options.map((o) => {
    const option = element("option", o.label);
    option.value = o.value;
    return option;
  }));
  select.value = options.some((o) => o.value === keep) ? keep : "";
}

function showSummary(summary) {
  $("sum-skus").textContent = fmt(summary.skus);
  $("sum-warehouses").textContent = fmt(summary.warehouses);
  $("sum-held").textContent = fmt(summary.reservations_held);
  $("sum-orders").textContent = fmt(summary.orders_total);
  $("sum-zero-touch").textContent =
    summary.zero_touch_share === null ? "–" : `${(100 * summary.zero_touch_share).toFixed(1)}%`;
  $("sum-tasks").textContent = fmt(summary.open_tasks);
}

function showFilters(data) {
  fillSelect($("filter-region"), data.regions.map((r) => ({ value: r.region, label: `${r.region} (${r.warehouse})` })));
  fillSelect($("filter-channel"), data.channels.map((c) => ({ value: c, label: c })));
}

function showStock(stock, chosen) {
  const table = $("stock");
  table.classList.toggle("with-channel", chosen.channel !== "");
  const rows = stock.rows.map((row) => {
    const tr = element("tr");
    tr.dataset.sku = row.sku;
    tr.append(element("td", row.sku), element("td", row.category));
    for (const key of ["available", "reserved", "in_transit", "on_hand", "buffer"]) {
      const td = element("td", fmt(row[key]), "num");
      td.dataset.field = key;
      tr.append(td);
    }
    const held = element("td", fmt(row.channel_reserved), "num channel-col");
    held.dataset.field = "channel_reserved";
    const state = element("td");
    state.dataset.field = "alert";
    state.append(badge("alert", row.alert, ALERT_TEXT[row.alert] || row.alert));
    tr.append(held, state);
    return tr;
  });
  if (rows.length === 0) {
    const tr = element("tr");
    const td = element("td", "no SKU matches the filters", "empty");
    td.colSpan = 9;
    tr.append(td);
    rows.push(tr);
  }
  table.tBodies[0].replaceChildren(...rows);
  const scope = [chosen.region && `region ${chosen.region}`, chosen.channel && `held by ${chosen.channel} orders`]
    .filter(Boolean).join(", ");
  $("stock-caption").textContent =
    `${fmt(stock.rows.length)} of ${fmt(stock.total)} SKUs${scope ? ` · ${scope}` : ""} · riskiest first · low below ${fmt(stock.low_stock_level)} units`;
}

function showAlerts(alerts) {
  const current = alerts.current.map((a) => {
    const li = element("li");
    li.dataset.sku = a.sku;
    li.append(badge("alert", a.alert, ALERT_TEXT[a.alert] || a.alert), ` ${a.sku}: ${fmt(a.available)} available, ${fmt(a.reserved)} reserved`);
    return li;
  });
  $("alerts-current").replaceChildren(...(current.length ? current : [element("li", "no SKU is low or at risk", "empty")]));
  const raised = alerts.raised.slice(0, 100).map((a) =>
    element("li", `${new Date(a.at_ms).toLocaleString()} · ${a.sku} fell to ${fmt(a.available)} (level ${fmt(a.threshold)})`));
  $("alerts-raised").replaceChildren(...(raised.length ? raised : [element("li", "none in this window", "empty")]));
}

function ageLabel(seconds) {
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

function showTasks(data) {
  const open = data.tasks.filter((t) => t.state !== "closed");
  const rows = SEVERITIES.map((severity) => {
    const counts = [0, 0, 0, 0];
    for (const task of open.filter((t) => t.severity === severity)) {
      const bucket = AGE_BUCKETS_S.findIndex((limit) => task.age_s < limit);
      counts[bucket === -1 ? 3 : bucket] += 1;
    }
    const tr = element("tr");
    tr.dataset.severity = severity;
    const name = element("td");
    name.append(badge("severity", severity, severity));
    tr.append(name, ...counts.map((n) => element("td", fmt(n), "num")));
    const total = element("td", fmt(counts.reduce((a, b) => a + b, 0)), "num");
    total.dataset.field = "total";
    tr.append(total);
    return tr;
  });
  $("sla").tBodies[0].replaceChildren(...rows);
  const oldest = [...open].sort((a, b) => b.age_s - a.age_s).slice(0, 50).map((t) => {
    const li = element("li");
    li.append(badge("severity", t.severity, t.severity), ` ${t.kind} · ${t.order} · ${t.assignee} · ${t.state} · open ${ageLabel(t.age_s)}`);
    return li;
  });
  $("tasks").replaceChildren(...(oldest.length ? oldest : [element("li", "nothing waiting", "empty")]));
}

function showRates(rates) {
  const chart = $("rates-chart");
  chart.dataset.points = String(rates.points.length);
  chart.dataset.reservations = String(rates.reservations);
  chart.dataset.orders = String(rates.orders);
  const end = new Date(rates.end_ms).toLocaleString();
  $("rates-caption").textContent =
    `${count(rates.reservations, "reservation")}, ${count(rates.orders, "order")} in the window ending ${end} · ${fmt(rates.bucket_s)} s per point`;
  AllotChart.line(chart, [
    { name: "reservations/s", color: "#1f5fbf", points: rates.points.map((p) => [p.at_ms, p.reservations_per_s]) },
    { name: "orders/s", color: "#c4320a", points: rates.points.map((p) => [p.at_ms, p.orders_per_s]) },
  ], { empty: "collecting: one point per second" });
}

let refreshing = false;
let again = false;
let refreshes = 0;

async function refresh() {
  // A filter changed while a refresh was in flight: run once more when it lands.
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  const chosen = filters();
  const stockQuery = new URLSearchParams({ region: chosen.region, channel: chosen.channel, q: chosen.q });
  try {
    const [summary, filterData, stock, alerts, tasks, rates] = await Promise.all([
      getJson("/api/summary"),
      getJson("/api/filters"),
      getJson(`/api/stock?${stockQuery}`),
      getJson(`/api/alerts?window=${chosen.window}`),
      getJson("/api/tasks"),
      getJson(`/api/rates?window=${chosen.window}`),
    ]);
    showSummary(summary);
    showFilters(filterData);
    showStock(stock, chosen);
    showAlerts(alerts);
    showTasks(tasks);
    showRates(rates);
    refreshes += 1;
    document.body.dataset.refreshes = String(refreshes);
    document.body.dataset.filters = JSON.stringify(chosen);
    $("status").classList.remove("error");
    $("status").textContent =
      `updated ${new Date().toLocaleTimeString()} · data as of ${new Date(summary.as_of_ms).toLocaleString()} · log LSN ${fmt(summary.last_lsn)}`;
  } catch (error) {
    $("status").classList.add("error");
    $("status").textContent = `cannot reach the engine: ${error.message}`;
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

for (const id of ["filter-region", "filter-channel", "filter-window"]) $(id).addEventListener("change", refresh);
$("filter-sku").addEventListener("input", refresh);
$("filters").addEventListener("submit", (event) => event.preventDefault());
refresh();
setInterval(refresh, REFRESH_MS);
