//! `allot serve`: the inventory health dashboard and `/metrics`, read-only, over HTTP.
//!
//! The page (src/web/, compiled into the binary: no build step) is drawn by the browser from
//! the JSON under `/api/`; every number on it comes from a viewer client of the engine, so the
//! page can never change anything. `/metrics` is the core's Prometheus text. A sampler thread
//! keeps a day of per-second counts for the rate charts.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use allot_core::log::Record;
use allot_core::order::{OrderState, PipelineChange};
use allot_core::{Client, Engine, Role};
use anyhow::{Context, Result, anyhow};
use serde_json::{Value, json};

const INDEX_HTML: &str = include_str!("web/index.html");
const APP_JS: &str = include_str!("web/app.js");
const CHART_JS: &str = include_str!("web/chart.js");
const STYLE_CSS: &str = include_str!("web/style.css");

/// Seconds of rate history kept (a day).
const HISTORY_SECONDS: usize = 24 * 3600;
/// Rows the stock table returns at most per request.
const STOCK_ROWS_MAX: usize = 1000;
/// Threads answering requests.
const HTTP_THREADS: usize = 4;
/// The low-stock level when the rules file sets none.
const LOW_STOCK_DEFAULT: u64 = 20;
/// Raised low-stock alerts kept for the alert list.
const RAISED_ALERTS_MAX: usize = 1000;
/// Events the sampler reads per second at most, so a huge backlog cannot stall the charts.
const TAIL_EVENTS_PER_SAMPLE: usize = 200_000;

/// A running dashboard; dropping it stops the server and its sampler.
pub struct Dashboard {
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    pub addr: String,
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        self.server.unblock();
        for _ in 1..HTTP_THREADS {
            self.server.unblock();
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// One second of counters, for the charts.
#[derive(Clone, Copy)]
struct Sample {
    at_ms: u64,
    reservations: u64,
    orders: u64,
}

/// A low-stock alert the pipeline raised.
#[derive(Clone)]
struct RaisedAlert {
    at_ms: u64,
    sku: String,
    available: u64,
    threshold: u64,
}

/// What the sampler learned from the log's tail since the dashboard started.
#[derive(Default)]
struct Tail {
    cursor: u64,
    /// Newest last, at most `RAISED_ALERTS_MAX`.
    alerts: VecDeque<RaisedAlert>,
    channels: BTreeSet<String>,
}

struct State {
    engine: Engine,
    history: Mutex<VecDeque<Sample>>,
    tail: Mutex<Tail>,
}

/// Starts serving `engine` on `addr` (loopback unless the caller says otherwise).
pub fn start(engine: Engine, addr: &str) -> Result<Dashboard> {
    let server = Arc::new(tiny_http::Server::http(addr).map_err(|e| anyhow!("listening on {addr}: {e}"))?);
    let bound = server.server_addr().to_ip().map_or_else(|| addr.to_string(), |a| a.to_string());
    let state = Arc::new(State { engine, history: Mutex::new(VecDeque::new()), tail: Mutex::new(Tail::default()) });
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    {
        let (state, stop) = (state.clone(), stop.clone());
        threads.push(std::thread::spawn(move || sample(&state, &stop)));
    }
    for _ in 0..HTTP_THREADS {
        let (server, state, stop) = (server.clone(), state.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Acquire) {
                match server.recv() {
                    Ok(request) => answer(&state, request),
                    Err(_) => break,
                }
            }
        }));
    }
    Ok(Dashboard { server, stop, threads, addr: bound })
}

/// `allot serve --dir DIR --addr ADDR`: opens the directory without housekeeping (nothing but
/// recovery writes) and serves until interrupted.
pub fn run(dir: &std::path::Path, addr: &str) -> Result<()> {
    anyhow::ensure!(dir.is_dir(), "{} is not a directory", dir.display());
    let options = allot_core::EngineOptions::default().housekeeping(false).checkpoint_every_bytes(0);
    let engine = Engine::open(dir, options).with_context(|| format!("opening {}", dir.display()))?;
    let dashboard = start(engine, addr)?;
    println!("allot serve: dashboard of {} at http://{}/ (metrics at /metrics)", dir.display(), dashboard.addr);
    loop {
        std::thread::park();
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn sample(state: &State, stop: &AtomicBool) {
    let viewer = state.engine.client(Role::Viewer);
    while !stop.load(Ordering::Acquire) {
        let metrics = state.engine.metrics();
        let orders = metrics.orders_by_state.iter().map(|(_, n)| n).sum();
        let mut history = lock(&state.history);
        history.push_back(Sample { at_ms: now_ms(), reservations: metrics.reservations_made, orders });
        if history.len() > HISTORY_SECONDS {
            history.pop_front();
        }
        drop(history);
        follow_log(state, &viewer);
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads the events appended since the last sample: the channels orders came from and the
/// low-stock alerts the pipeline raised. (A checkpoint may remove events not yet read: then
/// the tail starts again at the newest.)
fn follow_log(state: &State, viewer: &Client) {
    let mut tail = lock(&state.tail);
    let mut read = 0;
    let mut subscription = viewer.subscribe(tail.cursor);
    while read < TAIL_EVENTS_PER_SAMPLE {
        let event = match subscription.next() {
            Some(Ok(event)) => event,
            Some(Err(allot_core::Error::CursorExpired { .. })) => {
                tail.cursor = state.engine.last_lsn();
                break;
            }
            Some(Err(_)) | None => break,
        };
        read += 1;
        tail.cursor = event.lsn;
        let Record::Pipeline { at_ms, change } = event.record else { continue };
        match change {
            PipelineChange::Received { form, .. } if !tail.channels.contains(&form.channel) => {
                tail.channels.insert(form.channel.clone());
            }
            PipelineChange::StockAlert { sku, available, threshold } => {
                let sku = viewer.sku(sku).map(|s| s.code.to_string()).unwrap_or_default();
                tail.alerts.push_back(RaisedAlert { at_ms, sku, available, threshold });
                if tail.alerts.len() > RAISED_ALERTS_MAX {
                    tail.alerts.pop_front();
                }
            }
            _ => {}
        }
    }
}

fn answer(state: &State, request: tiny_http::Request) {
    let (body, content_type, status) = route(state, &request);
    let header = |name: &str, value: &str| tiny_http::Header::from_bytes(name, value).expect("a valid header");
    let response = tiny_http::Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"));
    // A client that went away is no concern of the dashboard's.
    let _ = request.respond(response);
}

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

/// The body, content type and status for a request.
fn route(state: &State, request: &tiny_http::Request) -> (String, &'static str, u16) {
    if request.method() != &tiny_http::Method::Get {
        return ("the dashboard is read-only\n".into(), TEXT, 405);
    }
    let url = request.url();
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let params: HashMap<String, String> =
        query.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect();
    let viewer = state.engine.client(Role::Viewer);
    let api = |value: Result<Value>| match value {
        Ok(value) => (value.to_string(), JSON, 200),
        Err(error) => (json!({ "error": format!("{error:#}") }).to_string(), JSON, 500),
    };
    match path {
        "/" | "/index.html" => (INDEX_HTML.into(), "text/html; charset=utf-8", 200),
        "/app.js" => (APP_JS.into(), "text/javascript; charset=utf-8", 200),
        "/chart.js" => (CHART_JS.into(), "text/javascript; charset=utf-8", 200),
        "/style.css" => (STYLE_CSS.into(), "text/css; charset=utf-8", 200),
        "/favicon.ico" => (String::new(), "image/x-icon", 204),
        "/metrics" => (state.engine.metrics().prometheus_text(), "text/plain; version=0.0.4; charset=utf-8", 200),
        "/api/summary" => api(summary(state, &viewer)),
        "/api/filters" => api(filters(state, &viewer)),
        "/api/stock" => api(stock(&viewer, &params)),
        "/api/alerts" => api(alerts(state, &viewer, &params)),
        "/api/tasks" => api(tasks(state, &viewer)),
        "/api/rates" => api(Ok(rates(state, &params))),
        _ => ("not found\n".into(), TEXT, 404),
    }
}

/// Percent-decoding of a query parameter (`+` is a space; a malformed escape stays as is).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (byte, None) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn summary(state: &State, viewer: &Client) -> Result<Value> {
    let metrics = state.engine.metrics();
    let orders: BTreeMap<&str, u64> = metrics.orders_by_state.iter().map(|(s, n)| (s.name(), *n)).collect();
    let total: u64 = orders.values().sum();
    Ok(json!({
        "now_ms": state.engine.now_ms(),
        "skus": metrics.skus,
        "warehouses": metrics.warehouses,
        "reservations_held": metrics.reservations_held,
        "reservations_made": metrics.reservations_made,
        "orders": orders,
        "orders_total": total,
        "zero_touch_share": if total == 0 { Value::Null } else { json!(metrics.orders_zero_touch as f64 / total as f64) },
        "open_tasks": viewer.tasks()?.len(),
        "last_lsn": metrics.log_last_lsn,
        "durable_lsn": metrics.log_durable_lsn,
    }))
}

fn filters(state: &State, viewer: &Client) -> Result<Value> {
    let mut regions: Vec<Value> = viewer
        .warehouses()?
        .iter()
        .map(|w| json!({ "region": w.region.as_ref(), "warehouse": w.code.as_ref() }))
        .collect();
    regions.sort_by_key(|r| r["region"].to_string());
    let channels: Vec<String> = lock(&state.tail).channels.iter().cloned().collect();
    Ok(json!({ "regions": regions, "channels": channels }))
}

fn low_stock_level(viewer: &Client) -> u64 {
    viewer.rules().ok().and_then(|rules| rules.limits().low_stock_units).unwrap_or(LOW_STOCK_DEFAULT)
}

/// The alert state of a SKU's stock: out, low, oversell risk (nearly all that is sellable is
/// held by open orders), or fine.
fn alert_state(available: u64, reserved: u64, on_hand: u64, buffer: u64, low: u64) -> &'static str {
    let sellable = on_hand.saturating_sub(buffer);
    if available == 0 {
        "out"
    } else if sellable > 0 && reserved * 10 >= sellable * 9 {
        "oversell_risk"
    } else if available <= low {
        "low"
    } else {
        "ok"
    }
}

/// Units held by open orders of one channel, per SKU.
fn reserved_by_channel(viewer: &Client, channel: &str) -> Result<HashMap<String, u64>> {
    let mut held = HashMap::new();
    for state in [OrderState::Reserved, OrderState::ReleasedToWarehouse] {
        for order in viewer.orders_in(state)?.into_iter().filter(|o| o.form.channel == channel) {
            for line in &order.form.lines {
                *held.entry(line.sku.clone()).or_insert(0) += u64::from(line.qty);
            }
        }
    }
    Ok(held)
}

fn stock(viewer: &Client, params: &HashMap<String, String>) -> Result<Value> {
    let region = params.get("region").filter(|r| !r.is_empty());
    let channel = params.get("channel").filter(|c| !c.is_empty());
    let search = params.get("q").map(|q| q.to_lowercase()).filter(|q| !q.is_empty());
    let limit = params.get("limit").and_then(|l| l.parse().ok()).unwrap_or(200).min(STOCK_ROWS_MAX);
    let low = low_stock_level(viewer);
    let by_channel = channel.map(|c| reserved_by_channel(viewer, c)).transpose()?;
    let mut rows = Vec::new();
    for sku in viewer.skus()? {
        if search.as_ref().is_some_and(|q| !sku.code.to_lowercase().contains(q)) {
            continue;
        }
        let levels = match region {
            Some(region) => viewer.stock_in_region(&sku.code, region)?,
            None => viewer.stock(&sku.code)?,
        };
        let channel_reserved = by_channel.as_ref().map(|held| held.get(sku.code.as_ref()).copied().unwrap_or(0));
        if by_channel.is_some() && channel_reserved == Some(0) {
            continue;
        }
        rows.push(json!({
            "sku": sku.code.as_ref(),
            "category": sku.category.as_ref(),
            "on_hand": levels.on_hand,
            "reserved": levels.reserved,
            "available": levels.available,
            "in_transit": levels.in_transit,
            "buffer": levels.buffer,
            "channel_reserved": channel_reserved,
            "alert": alert_state(levels.available, levels.reserved, levels.on_hand, levels.buffer, low),
        }));
    }
    let total = rows.len();
    // The riskiest first: out, oversell risk, low, then by what is left.
    let rank = |alert: &str| match alert {
        "out" => 0,
        "oversell_risk" => 1,
        "low" => 2,
        _ => 3,
    };
    rows.sort_by(|a, b| {
        let key = |row: &Value| {
            (rank(row["alert"].as_str().unwrap_or("ok")), row["available"].as_u64(), row["sku"].to_string())
        };
        key(a).cmp(&key(b))
    });
    rows.truncate(limit);
    Ok(json!({ "low_stock_level": low, "total": total, "rows": rows }))
}

fn alerts(state: &State, viewer: &Client, params: &HashMap<String, String>) -> Result<Value> {
    let window_s: u64 = params.get("window").and_then(|w| w.parse().ok()).unwrap_or(3600);
    let since = state.engine.now_ms().saturating_sub(window_s * 1000);
    let low = low_stock_level(viewer);
    let mut current = Vec::new();
    for sku in viewer.skus()? {
        let levels = viewer.stock(&sku.code)?;
        let alert = alert_state(levels.available, levels.reserved, levels.on_hand, levels.buffer, low);
        if alert != "ok" {
            current.push(json!({ "sku": sku.code.as_ref(), "alert": alert, "available": levels.available, "reserved": levels.reserved }));
        }
    }
    // Low-stock alerts the pipeline raised within the window, newest first.
    let raised: Vec<Value> = lock(&state.tail)
        .alerts
        .iter()
        .rev()
        .filter(|alert| alert.at_ms >= since)
        .map(|a| json!({ "at_ms": a.at_ms, "sku": a.sku, "available": a.available, "threshold": a.threshold }))
        .collect();
    Ok(json!({ "window_s": window_s, "current": current, "raised": raised }))
}

fn tasks(state: &State, viewer: &Client) -> Result<Value> {
    let now = state.engine.now_ms();
    let tasks: Vec<Value> = viewer
        .tasks()?
        .iter()
        .map(|task| {
            json!({
                "id": task.id,
                "order": task.order,
                "kind": task.kind.name(),
                "severity": task.severity.name(),
                "assignee": task.assignee,
                "state": task.state.name(),
                "age_s": now.saturating_sub(task.opened_at_ms) / 1000,
            })
        })
        .collect();
    Ok(json!({ "tasks": tasks }))
}

fn rates(state: &State, params: &HashMap<String, String>) -> Value {
    let window_s: usize = params.get("window").and_then(|w| w.parse().ok()).unwrap_or(300).clamp(10, HISTORY_SECONDS);
    let history = lock(&state.history);
    let start = history.len().saturating_sub(window_s + 1);
    let samples: Vec<Sample> = history.iter().skip(start).copied().collect();
    let points: Vec<Value> = samples
        .windows(2)
        .map(|pair| {
            let seconds = (pair[1].at_ms.saturating_sub(pair[0].at_ms)).max(1) as f64 / 1000.0;
            json!({
                "at_ms": pair[1].at_ms,
                "reservations_per_s": (pair[1].reservations.saturating_sub(pair[0].reservations)) as f64 / seconds,
                "orders_per_s": (pair[1].orders.saturating_sub(pair[0].orders)) as f64 / seconds,
            })
        })
        .collect();
    json!({ "window_s": window_s, "points": points })
}
