//! `allot serve`: the inventory health dashboard and `/metrics`, read-only, over HTTP.
//!
//! The page (src/web/, compiled into the binary: no build step) is drawn by the browser from
//! the JSON under `/api/`; every number on it comes from a viewer client of the engine, so the
//! page can never change anything. `/metrics` is the core's metrics: OpenMetrics text to a
//! scraper that asks for it (`Accept: application/openmetrics-text`), else the same figures in
//! Prometheus' classic text format 0.0.4, which a browser also shows as text. A follower thread
//! reads the log's events (from the oldest still in the log, then each new one) and keeps a day
//! of per-second counts of reservations and arriving orders for the rate chart, the raised
//! low-stock alerts and the channels orders came from.
//!
//! The HTTP side is small, over `std::net` (httparse parses requests, form_urlencoded their
//! queries): one thread per connection (at most `CONNECTIONS_MAX`), one GET per connection,
//! `Connection: close`. A browser opens six
//! connections at once and keeps them alive; a pooled server that parks a thread on each idle
//! keep-alive connection can leave a request queued behind them for as long as the browser
//! keeps them open (tiny_http 0.12 did exactly that: the page hung at "connecting…" now and
//! then, which the browser test in tests/dashboard caught).
//!
//! **Invariant:** the page's "now" is the time of the newest event in the log (a reservation, a
//! settlement, any change in the order pipeline), not the wall clock. The time windows of the
//! chart and of the raised alerts end there, and the ages of open to-dos are measured to it. On
//! a live engine the two are the same second; a directory written by `allot simulate` (which
//! runs on a clock of its own, a year away from the wall clock) still shows its last hour and
//! to-dos hours old, not a year. Only an empty log falls back to the engine's clock.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use allot_core::log::{Record, StockStep};
use allot_core::order::{OrderState, PipelineChange};
use allot_core::{Client, Engine, Role};
use anyhow::{Context, Result};
use serde_json::{Value, json};

const INDEX_HTML: &str = include_str!("web/index.html");
const APP_JS: &str = include_str!("web/app.js");
const CHART_JS: &str = include_str!("web/chart.js");
const STYLE_CSS: &str = include_str!("web/style.css");

/// Seconds of rate history kept (a day: the widest window the page offers).
const HISTORY_SECONDS: u64 = 24 * 3600;
/// Points the rate chart gets at most, whatever the window (a day of seconds would be 86,400).
const RATE_POINTS_MAX: u64 = 150;
/// Rows the stock table returns at most per request.
const STOCK_ROWS_MAX: usize = 1000;
/// Connections served at once; more are answered 503 at once (a browser opens six).
const CONNECTIONS_MAX: usize = 64;
/// The request line and headers, at most (the page's requests are a few hundred bytes).
const REQUEST_HEAD_BYTES_MAX: usize = 16 * 1024;
/// A request body read and thrown away before refusing it, at most (the dashboard takes none).
const REQUEST_BODY_BYTES_MAX: u64 = 64 * 1024;
/// Most headers read from one request (a browser sends about fifteen).
const REQUEST_HEADERS_MAX: usize = 64;
/// How long a connection may take to send its request or read the answer.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the follower reads the log's new events (the page refreshes every two seconds).
const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// The low-stock level when the rules file sets none.
const LOW_STOCK_DEFAULT: u64 = 20;
/// Raised low-stock alerts kept for the alert list.
const RAISED_ALERTS_MAX: usize = 1000;
/// Events the follower reads per pass at most, so a huge backlog cannot hold the tail's lock
/// for long (the next pass, a second later, goes on where this one stopped).
const TAIL_EVENTS_PER_SAMPLE: usize = 200_000;

/// A running dashboard; dropping it stops the server and its follower, closes the open
/// connections and waits for every thread, so the engine is released when the drop returns.
pub struct Dashboard {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
    pub addr: String,
}

/// What the dashboard's threads share besides the state they serve.
struct Shared {
    /// True once the dashboard is dropped; `wake` tells the follower.
    stopping: Mutex<bool>,
    wake: Condvar,
    /// The open connections by number, to close them on drop.
    connections: Mutex<HashMap<u64, TcpStream>>,
    /// Connection threads, to wait for them on drop.
    handlers: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn stopping(&self) -> bool {
        *lock(&self.stopping)
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        *lock(&self.shared.stopping) = true;
        self.shared.wake.notify_all();
        // Wake the accept loop with a connection of our own; it sees `stopping` and ends.
        if let Ok(addr) = self.addr.parse::<SocketAddr>() {
            let _ = TcpStream::connect_timeout(&addr, CONNECTION_TIMEOUT);
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        for stream in lock(&self.shared.connections).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let handlers = std::mem::take(&mut *lock(&self.shared.handlers));
        for handler in handlers {
            let _ = handler.join();
        }
    }
}

/// What happened in one second of the log, for the rate chart.
#[derive(Clone, Copy, Default)]
struct Second {
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

/// What the follower learned from the log's events.
#[derive(Default)]
struct Tail {
    cursor: u64,
    /// Newest last, at most `RAISED_ALERTS_MAX`.
    alerts: VecDeque<RaisedAlert>,
    channels: BTreeSet<String>,
    /// Reservations and arriving orders by second of the engine's clock, the newest
    /// `HISTORY_SECONDS` before `newest_ms` only.
    seconds: BTreeMap<u64, Second>,
    /// The time of the newest event read that carries one; 0: none yet.
    newest_ms: u64,
}

impl Tail {
    /// The page's now: the newest event's time, or the engine's clock if there was none.
    fn as_of_ms(&self, engine: &Engine) -> Result<u64> {
        Ok(if self.newest_ms == 0 { engine.now_ms()? } else { self.newest_ms })
    }

    fn count(&mut self, at_ms: u64, reservations: u64, orders: u64) {
        self.saw(at_ms);
        if at_ms / 1000 + HISTORY_SECONDS <= self.newest_ms / 1000 {
            return; // Older than any window (a clock set back).
        }
        let second = self.seconds.entry(at_ms / 1000).or_default();
        second.reservations += reservations;
        second.orders += orders;
    }

    fn saw(&mut self, at_ms: u64) {
        if at_ms <= self.newest_ms {
            return;
        }
        self.newest_ms = at_ms;
        let oldest_kept_s = (at_ms / 1000).saturating_sub(HISTORY_SECONDS - 1);
        if self.seconds.first_key_value().is_some_and(|(&s, _)| s < oldest_kept_s) {
            self.seconds = self.seconds.split_off(&oldest_kept_s);
        }
    }
}

struct State {
    engine: Engine,
    tail: Mutex<Tail>,
}

/// Starts serving `engine` on `addr` (loopback unless the caller says otherwise; port 0: one
/// the system picks, see `Dashboard::addr`).
pub fn start(engine: Engine, addr: &str) -> Result<Dashboard> {
    let listener = TcpListener::bind(addr).with_context(|| format!("listening on {addr}"))?;
    let bound = listener.local_addr().with_context(|| format!("listening on {addr}"))?.to_string();
    let state = Arc::new(State { engine, tail: Mutex::new(Tail::default()) });
    let shared = Arc::new(Shared {
        stopping: Mutex::new(false),
        wake: Condvar::new(),
        connections: Mutex::new(HashMap::new()),
        handlers: Mutex::new(Vec::new()),
    });
    let follower = {
        let (state, shared) = (state.clone(), shared.clone());
        std::thread::spawn(move || follow(&state, &shared))
    };
    let acceptor = {
        let shared = shared.clone();
        std::thread::spawn(move || accept(&listener, &state, &shared))
    };
    Ok(Dashboard { shared, threads: vec![follower, acceptor], addr: bound })
}

/// Accepts connections until the dashboard stops, each on a thread of its own.
fn accept(listener: &TcpListener, state: &Arc<State>, shared: &Arc<Shared>) {
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(CONNECTION_TIMEOUT));
        let _ = stream.set_write_timeout(Some(CONNECTION_TIMEOUT));
        let mut handlers = lock(&shared.handlers);
        handlers.retain(|handler| !handler.is_finished());
        if handlers.len() >= CONNECTIONS_MAX {
            drop(handlers);
            let _ = respond(&mut stream, 503, TEXT, "too many connections\n");
            continue;
        }
        let Ok(registered) = stream.try_clone() else { continue };
        next_id += 1;
        let id = next_id;
        lock(&shared.connections).insert(id, registered);
        let (state, shared_for_handler) = (state.clone(), shared.clone());
        handlers.push(std::thread::spawn(move || {
            serve_connection(&state, stream);
            lock(&shared_for_handler.connections).remove(&id);
        }));
    }
}

/// Answers the one request of a connection and closes it.
fn serve_connection(state: &State, mut stream: TcpStream) {
    let (status, content_type, body) = match read_request(&mut stream) {
        Ok(Some(request)) => route(state, &request),
        Ok(None) => return, // Closed before sending a request (a browser's spare connection).
        Err(status) => (status, TEXT, "malformed request\n".to_string()),
    };
    // A client that went away is no concern of the dashboard's.
    let _ = respond(&mut stream, status, content_type, &body);
    let _ = stream.shutdown(Shutdown::Write);
    // Read what the client still sends until it closes, so closing does not reset the
    // connection under an answer it has not read yet.
    let _ = std::io::copy(&mut (&mut stream).take(REQUEST_BODY_BYTES_MAX), &mut std::io::sink());
}

/// What the dashboard reads of a request.
struct Request {
    method: String,
    target: String,
    /// The `Accept` header, "" if none.
    accept: String,
}

/// Reads the request line and headers (and a body, if any, bounded); returns the request, None
/// if the client closed without one, or the status to refuse it with. httparse parses.
fn read_request(stream: &mut TcpStream) -> std::result::Result<Option<Request>, u16> {
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 2048];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) if head.is_empty() => return Ok(None),
            Ok(0) => return Err(400),
            Ok(n) => head.extend_from_slice(&buffer[..n]),
            Err(_) if head.is_empty() => return Ok(None),
            Err(_) => return Err(408),
        }
        let mut headers = [httparse::EMPTY_HEADER; REQUEST_HEADERS_MAX];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(&head) {
            Ok(httparse::Status::Complete(end)) => {
                let (Some(method), Some(target)) = (parsed.method, parsed.path) else { return Err(400) };
                if !target.starts_with('/') {
                    return Err(400);
                }
                let header = |wanted: &str| {
                    parsed
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(wanted))
                        .and_then(|h| std::str::from_utf8(h.value).ok())
                };
                // Drain a body (the dashboard refuses every method that sends one), bounded.
                let body_bytes = header("content-length").and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0);
                let already = (head.len() - end) as u64;
                let rest = body_bytes.saturating_sub(already).min(REQUEST_BODY_BYTES_MAX);
                let request = Request {
                    method: method.to_string(),
                    target: target.to_string(),
                    accept: header("accept").unwrap_or_default().to_string(),
                };
                let _ = std::io::copy(&mut stream.take(rest), &mut std::io::sink());
                return Ok(Some(request));
            }
            Ok(httparse::Status::Partial) if head.len() <= REQUEST_HEAD_BYTES_MAX => {}
            Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => return Err(431),
            Err(_) => return Err(400),
        }
    }
}

fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    };
    let allow = if status == 405 { "Allow: GET\r\n" } else { "" };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n{allow}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

/// `allot serve --dir DIR --addr ADDR`: opens the directory without housekeeping (nothing but
/// recovery writes) and serves until interrupted.
pub fn run(dir: &std::path::Path, addr: &str) -> Result<()> {
    anyhow::ensure!(dir.is_dir(), "{} is not a directory", dir.display());
    let options = allot_core::EngineOptions::default().housekeeping(false).checkpoint_every_bytes(0);
    let engine = Engine::open(dir, options).with_context(|| format!("opening {}", dir.display()))?;
    let dashboard = start(engine, addr)?;
    say!("allot serve: dashboard of {} at http://{}/ (metrics at /metrics)", dir.display(), dashboard.addr)?;
    loop {
        std::thread::park();
    }
}

/// Reads the log's new events every `FOLLOW_EVERY` until the dashboard stops (polling: the
/// log has no wake-up for readers; the wait ends at once when the dashboard stops).
fn follow(state: &State, shared: &Shared) {
    let viewer = state.engine.client(Role::Viewer);
    let mut stopping = lock(&shared.stopping);
    while !*stopping {
        drop(stopping);
        follow_log(state, &viewer);
        stopping = lock(&shared.stopping);
        if !*stopping {
            stopping = shared.wake.wait_timeout(stopping, FOLLOW_EVERY).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads the events appended since the last pass: reservations and arriving orders by second,
/// the channels orders came from and the low-stock alerts the pipeline raised. (A checkpoint may
/// remove events not yet read: then the tail starts again at the newest.)
fn follow_log(state: &State, viewer: &Client) {
    let mut tail = lock(&state.tail);
    let mut read = 0;
    let mut subscription = viewer.subscribe(tail.cursor);
    while read < TAIL_EVENTS_PER_SAMPLE {
        let event = match subscription.next() {
            Some(Ok(event)) => event,
            Some(Err(allot_core::Error::CursorExpired { .. })) => {
                if let Ok(last_lsn) = state.engine.last_lsn() {
                    tail.cursor = last_lsn;
                }
                break;
            }
            Some(Err(_)) | None => break,
        };
        read += 1;
        tail.cursor = event.lsn;
        match &event.record {
            Record::Reserve { at_ms, .. } | Record::PipelineStock { at_ms, stock: StockStep::Reserve { .. }, .. } => {
                tail.count(*at_ms, 1, 0);
            }
            Record::Settle { at_ms, .. } => tail.saw(*at_ms),
            _ => {}
        }
        let Some((at_ms, change)) = event.record.into_pipeline() else { continue };
        tail.saw(at_ms);
        match change {
            PipelineChange::Received { form, .. } => {
                tail.count(at_ms, 0, 1);
                if !tail.channels.contains(&form.channel) {
                    tail.channels.insert(form.channel.clone());
                }
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

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

/// The status, content type and body for a request.
fn route(state: &State, request: &Request) -> (u16, &'static str, String) {
    if request.method != "GET" {
        return (405, TEXT, "the dashboard is read-only\n".into());
    }
    let target = request.target.as_str();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params: HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let viewer = state.engine.client(Role::Viewer);
    let api = |value: Result<Value>| match value {
        Ok(value) => (200, JSON, value.to_string()),
        Err(error) => (500, JSON, json!({ "error": format!("{error:#}") }).to_string()),
    };
    match path {
        "/" | "/index.html" => (200, "text/html; charset=utf-8", INDEX_HTML.into()),
        "/app.js" => (200, "text/javascript; charset=utf-8", APP_JS.into()),
        "/chart.js" => (200, "text/javascript; charset=utf-8", CHART_JS.into()),
        "/style.css" => (200, "text/css; charset=utf-8", STYLE_CSS.into()),
        "/favicon.ico" => (204, "image/x-icon", String::new()),
        "/metrics" => {
            let text = match state.engine.metrics() {
                Ok(metrics) => metrics.prometheus_text(),
                Err(error) => return (500, TEXT, format!("{error}\n")),
            };
            if request.accept.contains("application/openmetrics-text") {
                (200, "application/openmetrics-text; version=1.0.0; charset=utf-8", text)
            } else {
                (200, "text/plain; version=0.0.4; charset=utf-8", classic_text(&text))
            }
        }
        "/api/summary" => api(summary(state, &viewer)),
        "/api/filters" => api(filters(state, &viewer)),
        "/api/stock" => api(stock(&viewer, &params)),
        "/api/alerts" => api(alerts(state, &viewer, &params)),
        "/api/tasks" => api(tasks(state, &viewer)),
        "/api/rates" => api(rates(state, &params)),
        _ => (404, TEXT, "not found\n".into()),
    }
}

/// OpenMetrics text (what the core writes) in Prometheus' classic format 0.0.4: a counter's
/// family is named with its `_total` suffix there, as its samples are, and there is no `# EOF`.
fn classic_text(open_metrics: &str) -> String {
    let counters: BTreeSet<&str> =
        open_metrics.lines().filter_map(|line| line.strip_prefix("# TYPE ")?.strip_suffix(" counter")).collect();
    let mut text = String::with_capacity(open_metrics.len() + 16 * counters.len());
    for line in open_metrics.lines() {
        let comment = line.strip_prefix("# HELP ").map(|rest| ("HELP", rest));
        let comment = comment.or_else(|| line.strip_prefix("# TYPE ").map(|rest| ("TYPE", rest)));
        match comment {
            Some((kind, rest)) => {
                let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let suffix = if counters.contains(name) { "_total" } else { "" };
                text.push_str(&format!("# {kind} {name}{suffix} {tail}\n"));
            }
            // `# EOF`, `# UNIT`: OpenMetrics only.
            None if line.starts_with('#') => {}
            None => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    text
}

fn summary(state: &State, viewer: &Client) -> Result<Value> {
    let metrics = state.engine.metrics()?;
    let orders: BTreeMap<&str, u64> = metrics.orders_by_state.iter().map(|(s, n)| (s.name(), *n)).collect();
    let total: u64 = orders.values().sum();
    Ok(json!({
        "now_ms": state.engine.now_ms()?,
        "as_of_ms": lock(&state.tail).as_of_ms(&state.engine)?,
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
    let search = params.get("q").map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
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

/// The `window` parameter in seconds: 10 s to a day, an hour if absent or malformed.
fn window_s(params: &HashMap<String, String>) -> u64 {
    params.get("window").and_then(|w| w.parse().ok()).unwrap_or(3600).clamp(10, HISTORY_SECONDS)
}

fn alerts(state: &State, viewer: &Client, params: &HashMap<String, String>) -> Result<Value> {
    let window_s = window_s(params);
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
    let tail = lock(&state.tail);
    let end_ms = tail.as_of_ms(&state.engine)?;
    let since_ms = end_ms.saturating_sub(window_s * 1000);
    let raised: Vec<Value> = tail
        .alerts
        .iter()
        .rev()
        .filter(|alert| alert.at_ms > since_ms && alert.at_ms <= end_ms)
        .map(|a| json!({ "at_ms": a.at_ms, "sku": a.sku, "available": a.available, "threshold": a.threshold }))
        .collect();
    Ok(json!({ "window_s": window_s, "end_ms": end_ms, "current": current, "raised": raised }))
}

fn tasks(state: &State, viewer: &Client) -> Result<Value> {
    let now = lock(&state.tail).as_of_ms(&state.engine)?;
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

/// Reservations and arriving orders per second over the window, in at most `RATE_POINTS_MAX`
/// buckets of whole seconds ending at the newest event's second. A point counts the
/// seconds `(at_s - bucket_s, at_s]` of the engine's clock.
fn rates(state: &State, params: &HashMap<String, String>) -> Result<Value> {
    let tail = lock(&state.tail);
    let end_ms = tail.as_of_ms(&state.engine)?;
    let end_s = end_ms / 1000;
    let bucket_s = window_s(params).div_ceil(RATE_POINTS_MAX);
    let buckets = window_s(params).div_ceil(bucket_s);
    let mut points = Vec::with_capacity(buckets as usize);
    let (mut reservations_total, mut orders_total) = (0, 0);
    for i in (0..buckets).rev() {
        let last_s = end_s.saturating_sub(i * bucket_s);
        let first_s = (last_s + 1).saturating_sub(bucket_s);
        let mut sum = Second::default();
        for (_, second) in tail.seconds.range(first_s..=last_s) {
            sum.reservations += second.reservations;
            sum.orders += second.orders;
        }
        reservations_total += sum.reservations;
        orders_total += sum.orders;
        points.push(json!({
            "at_ms": last_s * 1000,
            "reservations": sum.reservations,
            "orders": sum.orders,
            "reservations_per_s": sum.reservations as f64 / bucket_s as f64,
            "orders_per_s": sum.orders as f64 / bucket_s as f64,
        }));
    }
    Ok(json!({
        "window_s": buckets * bucket_s,
        "bucket_s": bucket_s,
        "end_ms": end_ms,
        "reservations": reservations_total,
        "orders": orders_total,
        "points": points,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_text_names_counters_with_total_and_drops_eof() {
        let open = "# HELP allot_made Made.\n# TYPE allot_made counter\nallot_made_total 3\n\
                    # HELP allot_held Held.\n# TYPE allot_held gauge\nallot_held{state=\"x\"} 1\n# EOF\n";
        assert_eq!(
            classic_text(open),
            "# HELP allot_made_total Made.\n# TYPE allot_made_total counter\nallot_made_total 3\n\
             # HELP allot_held Held.\n# TYPE allot_held gauge\nallot_held{state=\"x\"} 1\n"
        );
    }
}
