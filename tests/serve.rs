//! Proves `allot serve` over real HTTP: `/metrics` is Prometheus text with the engine's counters,
//! `/api/stock` agrees with the engine reopened after serve stops, anything but GET is refused
//! with 405 and unknown paths with 404, and without `--addr` it listens on loopback only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use allot_core::{Engine, EngineOptions, Role};

/// `allot serve` as a child process, killed when dropped.
struct Serve {
    child: Child,
    addr: String,
}

impl Serve {
    /// Starts serve and reads the line it prints once it listens (the synchronisation).
    fn start(dir: &Path, addr: Option<&str>) -> Result<Serve, String> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_allot"));
        command.args(["serve", "--dir", dir.to_str().unwrap()]);
        if let Some(addr) = addr {
            command.args(["--addr", addr]);
        }
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let Some(addr) = line.split("at http://").nth(1).and_then(|rest| rest.split('/').next()) else {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            return Err(format!("{line}{}", String::from_utf8_lossy(&output.stderr)));
        };
        Ok(Serve { addr: addr.to_string(), child })
    }

    /// One request; the status, the headers (lower-case names) and the body.
    fn request(&self, method: &str, path: &str, body: &str) -> (u16, Vec<(String, String)>, String) {
        self.request_with(method, path, "", body)
    }

    /// `request` with more header lines (each ending in CRLF).
    fn request_with(
        &self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> (u16, Vec<(String, String)>, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no head: {response:?}"));
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
            .collect::<Vec<_>>();
        let length: usize = headers.iter().find(|(k, _)| k == "content-length").unwrap().1.parse().unwrap();
        assert_eq!(length, body.len(), "Content-Length is the body's");
        (status, headers, body.to_string())
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        let (status, headers, body) = self.request("GET", path, "");
        let content_type = headers.into_iter().find(|(k, _)| k == "content-type").map(|(_, v)| v).unwrap_or_default();
        (status, content_type, body)
    }

    /// Stops serve and waits for it, so the directory's lock is free.
    fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn simulated_day(orders: &str) -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("day");
    let output = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(["simulate", "--orders", orders, "--seed", "3", "--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    scratch
}

/// Every sample of a metric without labels, by name, after checking each line of Prometheus'
/// text format 0.0.4: comments are HELP or TYPE, every sample's family was typed before it,
/// counters are named with `_total`.
fn prometheus(text: &str) -> Vec<(String, f64)> {
    let mut types: Vec<(String, String)> = Vec::new();
    let mut samples = Vec::new();
    assert!(text.ends_with('\n'));
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut parts = comment.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("TYPE"), Some(name), Some(kind)) => {
                    assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "{line}");
                    assert!(!types.iter().any(|(n, _)| n == name), "two TYPE lines for {name}");
                    assert!(kind != "counter" || name.ends_with("_total"), "{line}");
                    types.push((name.to_string(), kind.to_string()));
                }
                (Some("HELP"), Some(_), _) => {}
                _ => panic!("not a HELP or TYPE line: {line}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') && !name.is_empty(),
            "bad name: {line}"
        );
        if let Some(labels) = series.strip_prefix(name).filter(|l| !l.is_empty()) {
            assert!(labels.starts_with('{') && labels.ends_with('}') && labels.contains("=\""), "bad labels: {line}");
        }
        assert!(types.iter().any(|(n, _)| n == name), "{name} has no TYPE line before it");
        if series == name {
            samples.push((name.to_string(), value));
        }
    }
    samples
}

#[test]
fn metrics_and_stock_tell_what_the_engine_holds() {
    let scratch = simulated_day("400");
    let dir = scratch.path().join("day");
    let serve = Serve::start(&dir, Some("127.0.0.1:0")).unwrap();
    assert!(serve.addr.starts_with("127.0.0.1:"), "{}", serve.addr);

    let (status, content_type, metrics) = serve.get("/metrics");
    assert_eq!((status, content_type.as_str()), (200, "text/plain; version=0.0.4; charset=utf-8"));
    let metrics = prometheus(&metrics);
    let (status, headers, open_metrics) =
        serve.request_with("GET", "/metrics", "Accept: application/openmetrics-text; version=1.0.0\r\n", "");
    assert_eq!(status, 200);
    assert!(
        headers.contains(&("content-type".into(), "application/openmetrics-text; version=1.0.0; charset=utf-8".into()))
    );
    assert!(open_metrics.ends_with("\n# EOF\n"), "{open_metrics}");
    let (status, content_type, stock) = serve.get("/api/stock?limit=1000");
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    let stock: serde_json::Value = serde_json::from_str(&stock).unwrap();
    let (_, _, region) = serve.get("/api/stock?region=310100&limit=5&q=sku-000");
    let region: serde_json::Value = serde_json::from_str(&region).unwrap();
    // Query values are percent-decoded ("%2D" is "-"; "+" is a space, trimmed by the search).
    let (_, _, encoded) = serve.get("/api/stock?region=310100&limit=5&q=sku%2D000+");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&encoded).unwrap()["rows"], region["rows"]);
    let (status, content_type, page) = serve.get("/");
    assert_eq!((status, content_type.as_str()), (200, "text/html; charset=utf-8"));
    assert!(page.contains("<script src=\"/app.js\"></script>"));
    serve.stop();

    let engine = Engine::open(&dir, EngineOptions::default().housekeeping(false)).unwrap();
    let viewer = engine.client(Role::Viewer);
    let counters = engine.metrics().unwrap();
    let metric = |name: &str| metrics.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
    assert_eq!(metric("allot_skus"), Some(counters.skus as f64));
    assert_eq!(metric("allot_warehouses"), Some(counters.warehouses as f64));
    assert_eq!(metric("allot_reservations_made_total"), Some(counters.reservations_made as f64));
    assert_eq!(metric("allot_reservations_held"), Some(counters.reservations_held as f64));
    assert_eq!(metric("allot_log_last_lsn"), Some(counters.log_last_lsn as f64));

    let rows = stock["rows"].as_array().unwrap();
    assert_eq!(stock["total"].as_u64(), Some(counters.skus));
    assert_eq!(rows.len() as u64, counters.skus);
    let held: u64 = rows.iter().map(|r| r["reserved"].as_u64().unwrap()).sum();
    assert!(held > 0, "a day ends with orders under way");
    for row in rows {
        let levels = viewer.stock(row["sku"].as_str().unwrap()).unwrap();
        let shown = ["on_hand", "reserved", "available", "in_transit", "buffer"].map(|k| row[k].as_u64().unwrap());
        assert_eq!(
            shown,
            [levels.on_hand, levels.reserved, levels.available, levels.in_transit, levels.buffer],
            "{row}"
        );
    }
    // Riskiest first: every row out of stock comes before every row that is not.
    let out = rows.iter().take_while(|r| r["alert"] == "out").count();
    assert!(rows[out..].iter().all(|r| r["alert"] != "out" && r["available"] != 0));
    assert!(rows[..out].iter().all(|r| r["available"] == 0), "{}", rows[0]);
    // A region's stock is the engine's for that region; the search keeps matching codes only.
    let region_rows = region["rows"].as_array().unwrap();
    let matching = viewer.skus().unwrap().iter().filter(|s| s.code.to_lowercase().contains("sku-000")).count();
    assert!(matching > 5, "{matching}");
    assert_eq!(region["total"].as_u64(), Some(matching as u64));
    assert_eq!(region_rows.len(), 5);
    for row in region_rows {
        let code = row["sku"].as_str().unwrap();
        assert!(code.starts_with("SKU-000"), "{code}");
        assert_eq!(row["on_hand"].as_u64(), Some(viewer.stock_in_region(code, "310100").unwrap().on_hand));
    }
}

#[test]
fn the_dashboard_is_read_only_and_knows_its_paths() {
    let scratch = simulated_day("50");
    let serve = Serve::start(&scratch.path().join("day"), Some("127.0.0.1:0")).unwrap();
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let (status, headers, body) = serve.request(method, "/api/stock", "{\"sku\":\"SKU-0000\"}");
        assert_eq!(status, 405, "{method}: {body}");
        assert!(headers.contains(&("allow".into(), "GET".into())), "{headers:?}");
    }
    for path in ["/api/nothing", "/etc/passwd", "/api", "/metrics/x"] {
        assert_eq!(serve.get(path).0, 404, "{path}");
    }
    assert_eq!(serve.get("/favicon.ico").0, 204);
    // Still serving after all that.
    assert_eq!(serve.get("/api/summary").0, 200);
}

#[test]
fn serve_listens_on_loopback_unless_told_otherwise() {
    let scratch = simulated_day("20");
    let dir = scratch.path().join("day");
    match Serve::start(&dir, None) {
        Ok(serve) => {
            assert_eq!(serve.addr, "127.0.0.1:8080");
            assert_eq!(serve.get("/api/summary").0, 200);
        }
        // Something else has the port: the refusal still names the loopback address.
        Err(message) => assert!(message.contains("listening on 127.0.0.1:8080"), "{message}"),
    }
}
