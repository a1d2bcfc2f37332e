//! Proves that the engine under concurrent load behaves like a simple sequential model: over a
//! million operations from several threads (skewed SKUs, 1–5-line orders, reserves, repeats,
//! commits, releases, restocks, write-offs and a clock-driven expiry sweep), the log replayed in
//! LSN order through an independent model explains every answer any thread received, every
//! warehouse choice, every refusal (at a point inside the call's LSN window), never shows a
//! negative availability, and ends in exactly the engine's state.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use allot_core::log::{Movement, Record, Settlement, read_records};
use allot_core::{
    BufferRule, Engine, EngineOptions, Error, ManualClock, ReservationState, ReserveOptions, Role, SyncMode,
    WarehouseSpec,
};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Zipf};

const THREADS: usize = 4;
const OPS_PER_THREAD: usize = 260_000;
const SKUS: usize = 400;
const WAREHOUSES: [(&str, &str, u32, bool); 5] = [
    ("WH-SH", "310000", 1, true),
    ("WH-SU", "320500", 2, true),
    ("WH-BJ", "110000", 1, true),
    ("WH-GZ", "440100", 3, true),
    ("WH-OLD", "310000", 0, false),
];
const SHIP_TO: [Option<&str>; 5] = [Some("310104"), Some("320508"), Some("110105"), Some("440106"), None];

// ---------------------------------------------------------------------------------------------
// What the threads saw.

#[derive(Debug)]
enum Seen {
    Reserved {
        order: String,
        requested: Vec<(u32, u32)>,
        lines: Vec<(u32, u16, u32)>,
        lsn: u64,
        repeat: bool,
    },
    Refused {
        order: String,
        request: Request,
        sku: String,
        requested: u64,
        available: u64,
        window: (u64, u64),
    },
    Duplicate {
        order: String,
    },
    Settled {
        order: String,
        wanted: Settlement,
        state: ReservationState,
        changed: bool,
        lsn: u64,
    },
    Illegal {
        order: String,
        wanted: Settlement,
        from: &'static str,
        after: u64,
    },
    /// A restock or write-off (checked through the replay and the final state).
    Moved,
}

#[derive(Clone, Debug)]
struct Request {
    lines: Vec<(u32, u32)>,
    ship_to: Option<&'static str>,
    split: bool,
}

// ---------------------------------------------------------------------------------------------
// The sequential model: plain maps, no locks, no cleverness.

#[derive(Clone, Debug, Default, PartialEq)]
struct MCell {
    on_hand: u64,
    reserved: u64,
    in_transit: u64,
    buffer: Option<BufferRule>,
}

#[derive(Default)]
struct MSku {
    code: String,
    buffer: Option<BufferRule>,
    cells: BTreeMap<u16, MCell>,
}

#[derive(Debug, Clone)]
struct MOrder {
    lines: Vec<(u32, u16, u32)>,
    state: ReservationState,
    expires_at_ms: Option<u64>,
}

#[derive(Default)]
struct Model {
    warehouses: Vec<(String, String, u32, bool)>,
    skus: Vec<MSku>,
    orders: HashMap<String, MOrder>,
}

fn buffer_units(rule: Option<BufferRule>, on_hand: u64) -> u64 {
    match rule {
        None => 0,
        Some(BufferRule::Units(u)) => u.min(on_hand),
        Some(BufferRule::Percent(p)) => (on_hand * u64::from(p)).div_ceil(100),
    }
}

fn distance(a: &str, b: &str) -> u32 {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    (a.len().max(b.len()) - common) as u32
}

type Shortage = (u32, u64, u64, Option<u16>);
/// Most lines served, then rank, then warehouse: the order in which a refusal names a warehouse.
type CoverageKey = (std::cmp::Reverse<usize>, (u32, u32), u16);

impl Model {
    fn available(&self, sku: u32, wh: u16) -> u64 {
        let s = &self.skus[sku as usize];
        s.cells.get(&wh).map_or(0, |c| {
            c.on_hand.saturating_sub(c.reserved).saturating_sub(buffer_units(c.buffer.or(s.buffer), c.on_hand))
        })
    }

    fn rank(&self, wh: u16, ship_to: Option<&str>) -> (u32, u32) {
        let (_, region, priority, _) = &self.warehouses[wh as usize];
        (ship_to.map_or(0, |to| distance(to, region)), *priority)
    }

    fn active_cells(&self, sku: u32) -> Vec<u16> {
        self.skus[sku as usize].cells.keys().copied().filter(|w| self.warehouses[*w as usize].3).collect()
    }

    /// The placement policy, written independently of the engine's.
    fn place(&self, request: &Request) -> Result<Vec<(u32, u16, u32)>, Shortage> {
        let lines = &request.lines;
        let whole = (0..self.warehouses.len() as u16)
            .filter(|&w| self.warehouses[w as usize].3)
            .filter(|&w| {
                lines
                    .iter()
                    .all(|&(s, q)| self.skus[s as usize].cells.contains_key(&w) && self.available(s, w) >= u64::from(q))
            })
            .min_by_key(|&w| {
                let total: u64 = lines.iter().map(|&(s, _)| self.available(s, w)).sum();
                (self.rank(w, request.ship_to), std::cmp::Reverse(total), w)
            });
        if let Some(w) = whole {
            return Ok(lines.iter().map(|&(s, q)| (s, w, q)).collect());
        }
        if !request.split {
            for &(s, q) in lines {
                let best = self
                    .active_cells(s)
                    .into_iter()
                    .map(|w| (self.available(s, w), w))
                    .max_by_key(|&(a, w)| (a, std::cmp::Reverse(w)));
                let (available, wh) = best.map_or((0, None), |(a, w)| (a, Some(w)));
                if available < u64::from(q) {
                    return Err((s, u64::from(q), available, wh));
                }
            }
            let mut best: Option<(CoverageKey, Shortage)> = None;
            for w in (0..self.warehouses.len() as u16).filter(|&w| self.warehouses[w as usize].3) {
                let served = lines.iter().filter(|&&(s, q)| self.available(s, w) >= u64::from(q)).count();
                if let Some(&(s, q)) = lines.iter().find(|&&(s, q)| self.available(s, w) < u64::from(q)) {
                    let key = (std::cmp::Reverse(served), self.rank(w, request.ship_to), w);
                    if best.as_ref().is_none_or(|(k, _)| key < *k) {
                        best = Some((key, (s, u64::from(q), self.available(s, w), Some(w))));
                    }
                }
            }
            return Err(best.expect("some warehouse misses a line").1);
        }
        let mut placed = Vec::new();
        let mut used: Vec<u16> = Vec::new();
        for &(s, q) in lines {
            let q64 = u64::from(q);
            let mut candidates: Vec<((u32, u32), std::cmp::Reverse<u64>, u16)> = self
                .active_cells(s)
                .into_iter()
                .filter(|&w| self.available(s, w) > 0)
                .map(|w| (self.rank(w, request.ship_to), std::cmp::Reverse(self.available(s, w)), w))
                .collect();
            let total: u64 = candidates.iter().map(|c| c.1.0).sum();
            if total < q64 {
                return Err((s, q64, total, None));
            }
            if let Some(&(_, _, w)) =
                candidates.iter().filter(|c| c.1.0 >= q64).min_by_key(|c| (!used.contains(&c.2), c.0, c.1, c.2))
            {
                placed.push((s, w, q));
                if !used.contains(&w) {
                    used.push(w);
                }
                continue;
            }
            candidates.sort();
            let mut left = q64;
            for (_, std::cmp::Reverse(a), w) in candidates {
                let take = a.min(left);
                placed.push((s, w, take as u32));
                if !used.contains(&w) {
                    used.push(w);
                }
                left -= take;
                if left == 0 {
                    break;
                }
            }
        }
        Ok(placed)
    }

    fn apply(&mut self, lsn: u64, record: &Record<'_>) {
        match record {
            Record::AddWarehouse { code, region, priority, active, .. } => {
                self.warehouses.push((code.to_string(), region.to_string(), *priority, *active));
            }
            Record::UpdateWarehouse { id, priority, active } => {
                let w = &mut self.warehouses[id.0 as usize];
                (w.2, w.3) = (*priority, *active);
            }
            Record::AddSku { code, .. } => self.skus.push(MSku { code: code.to_string(), ..MSku::default() }),
            Record::SetBuffer { sku, warehouse, rule } => match warehouse {
                None => self.skus[sku.0 as usize].buffer = *rule,
                Some(w) => self.skus[sku.0 as usize].cells.entry(w.0).or_default().buffer = *rule,
            },
            Record::Move { sku, warehouse, movement } => {
                let cell = self.skus[sku.0 as usize].cells.entry(warehouse.0).or_default();
                match movement {
                    Movement::Set { on_hand } => cell.on_hand = *on_hand,
                    Movement::Receive { qty } => cell.on_hand += qty,
                    Movement::Adjust { delta, .. } => {
                        cell.on_hand = cell.on_hand.checked_add_signed(*delta).expect("no negative stock")
                    }
                    Movement::ExpectInbound { qty } => cell.in_transit += qty,
                    Movement::LandInbound { qty } => {
                        cell.in_transit -= qty;
                        cell.on_hand += qty;
                    }
                }
                assert!(cell.reserved <= cell.on_hand, "LSN {lsn}: a movement took on hand below reserved");
            }
            Record::Reserve { order, lines, expires_at_ms, .. } => {
                assert!(!self.orders.contains_key(order.as_ref()), "LSN {lsn}: order {order} reserved twice");
                for line in lines.iter() {
                    let available = self.available(line.sku.0, line.warehouse.0);
                    assert!(
                        u64::from(line.qty) <= available,
                        "LSN {lsn}: {order} takes {} of {available} available",
                        line.qty
                    );
                    let cell = self.skus[line.sku.0 as usize].cells.get_mut(&line.warehouse.0).unwrap();
                    cell.reserved += u64::from(line.qty);
                }
                let lines = lines.iter().map(|l| (l.sku.0, l.warehouse.0, l.qty)).collect();
                self.orders.insert(
                    order.to_string(),
                    MOrder { lines, state: ReservationState::Held, expires_at_ms: *expires_at_ms },
                );
            }
            Record::Settle { order, settlement, at_ms } => {
                let o = self
                    .orders
                    .get_mut(order.as_ref())
                    .unwrap_or_else(|| panic!("LSN {lsn}: settle of unknown {order}"));
                assert_eq!(o.state, ReservationState::Held, "LSN {lsn}: {order} settled twice");
                let overdue = o.expires_at_ms.is_some_and(|at| *at_ms >= at);
                assert_eq!(
                    overdue,
                    *settlement == Settlement::Expire,
                    "LSN {lsn}: {settlement:?} of {order} at {at_ms} vs expiry {:?}",
                    o.expires_at_ms
                );
                o.state = match settlement {
                    Settlement::Commit => ReservationState::Committed,
                    Settlement::Release => ReservationState::Released,
                    Settlement::Expire => ReservationState::Expired,
                };
                for &(s, w, q) in &o.lines.clone() {
                    let cell = self.skus[s as usize].cells.get_mut(&w).unwrap();
                    cell.reserved -= u64::from(q);
                    if *settlement == Settlement::Commit {
                        cell.on_hand -= u64::from(q);
                    }
                }
            }
            other => panic!("LSN {lsn}: the model does not know {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------

fn sku_code(i: u32) -> String {
    format!("SKU-{i:04}")
}

#[test]
fn a_million_concurrent_operations_match_the_sequential_model() {
    let seed: u64 = std::env::var("ALLOT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    println!("seed {seed} (rerun with ALLOT_SEED={seed})");
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_000_000);
    let options = EngineOptions::default()
        .sync(SyncMode::None)
        .clock(clock.clone())
        .segment_bytes(8 << 20)
        .checkpoint_every_bytes(0)
        .stripes(64);
    let engine = Engine::open(dir.path(), options.clone()).unwrap();
    let admin = engine.client(Role::Admin);
    let mut rng = SmallRng::seed_from_u64(seed);
    for (code, region, priority, active) in WAREHOUSES {
        admin.add_warehouse(code, WarehouseSpec { region, priority, active }).unwrap();
    }
    for i in 0..SKUS as u32 {
        let code = sku_code(i);
        admin.add_sku(&code, "stress").unwrap();
        for (w, _, _, _) in WAREHOUSES {
            if rng.random_bool(0.6) {
                admin.set_stock(&code, w, rng.random_range(0..40)).unwrap();
            }
        }
        match i % 7 {
            0 => admin.set_buffer(&code, None, Some(BufferRule::Percent(15))).unwrap(),
            1 => admin.set_buffer(&code, Some("WH-SH"), Some(BufferRule::Units(2))).unwrap(),
            _ => {}
        }
    }

    let done = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(THREADS + 1));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (engine, start) = (engine.clone(), start.clone());
            let seed = seed ^ (t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            thread::spawn(move || {
                start.wait();
                run_worker(&engine, t, seed)
            })
        })
        .collect();
    let expirer = {
        let (engine, clock, done, start) = (engine.clone(), clock.clone(), done.clone(), start.clone());
        thread::spawn(move || {
            start.wait();
            let mut sweeps = 0u64;
            while !done.load(Ordering::Acquire) {
                clock.advance_ms(3);
                engine.expire_due().unwrap();
                sweeps += 1;
                thread::yield_now();
            }
            sweeps
        })
    };
    let seen: Vec<Seen> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    done.store(true, Ordering::Release);
    let sweeps = expirer.join().unwrap();
    engine.check_invariants().unwrap();
    engine.close().unwrap();
    println!("{} operations and {sweeps} expiry sweeps", seen.len());
    assert!(seen.len() >= 1_000_000);

    // Replay the log through the model, checking every thread's answer against it.
    let mut by_lsn: HashMap<u64, Vec<&Seen>> = HashMap::new();
    let mut refusals: BTreeMap<u64, Vec<&Seen>> = BTreeMap::new();
    let mut illegal = Vec::new();
    let mut duplicates = Vec::new();
    for s in &seen {
        match s {
            Seen::Reserved { lsn, .. } | Seen::Settled { lsn, .. } => by_lsn.entry(*lsn).or_default().push(s),
            Seen::Refused { window, .. } => refusals.entry(window.0).or_default().push(s),
            Seen::Illegal { .. } => illegal.push(s),
            Seen::Duplicate { .. } => duplicates.push(s),
            Seen::Moved => {}
        }
    }
    let mut model = Model::default();
    let mut active_refusals: Vec<(&Seen, bool)> = Vec::new();
    let mut settle_lsn: HashMap<String, (Settlement, u64)> = HashMap::new();
    let mut explained = 0usize;
    check_refusals(&model, 0, &mut active_refusals, &mut refusals);
    let summary = read_records(dir.path(), |lsn, record| {
        if let Record::Reserve { order, lines, .. } = record {
            // The engine's warehouse choice must be the model's, from the state just before.
            let chosen: Vec<(u32, u16, u32)> = lines.iter().map(|l| (l.sku.0, l.warehouse.0, l.qty)).collect();
            let requested = normalized(&chosen.iter().map(|&(s, _, q)| (s, q)).collect::<Vec<_>>());
            let (ship_to, split) = request_of(order);
            let expected = model.place(&Request { lines: requested.clone(), ship_to, split });
            assert_eq!(Ok(chosen.clone()), expected, "LSN {lsn}: {order} placed unlike the model");
            for s in by_lsn.get(&lsn).into_iter().flatten() {
                // Repeats point at the first reservation's LSN; they are checked further down.
                let Seen::Reserved { order: o, requested: r, lines: l, repeat: false, .. } = s else { continue };
                assert_eq!((o.as_str(), r, l), (order.as_ref(), &requested, &chosen), "LSN {lsn}");
                explained += 1;
            }
        }
        if let Record::Settle { order, settlement, .. } = record {
            settle_lsn.insert(order.to_string(), (*settlement, lsn));
            for s in by_lsn.get(&lsn).into_iter().flatten() {
                let Seen::Settled { order: o, wanted, changed, state, .. } = s else { continue };
                // A release that finds its reservation overdue writes the expiry and says so.
                let expired_first =
                    !changed && *settlement == Settlement::Expire && *state == ReservationState::Expired;
                let applied = *changed && wanted == settlement;
                assert!(o == order.as_ref() && (applied || expired_first), "LSN {lsn}: {s:?} vs {record:?}");
                explained += 1;
            }
        }
        model.apply(lsn, record);
        check_refusals(&model, lsn, &mut active_refusals, &mut refusals);
    })
    .unwrap();
    assert!(summary.torn_tail.is_none());
    assert!(refusals.is_empty() && active_refusals.iter().all(|(_, ok)| *ok), "refusals left unexplained");

    // Answers that point at earlier records: repeats and no-op settlements.
    let first_lsn: HashMap<&str, u64> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Reserved { order, lsn, repeat: false, .. } => Some((order.as_str(), *lsn)),
            _ => None,
        })
        .collect();
    for s in &seen {
        match s {
            Seen::Reserved { order, lsn, repeat: true, .. } => {
                assert_eq!(first_lsn.get(order.as_str()), Some(lsn), "repeat of {order} is not the first reservation");
            }
            Seen::Settled { order, changed: false, state, lsn, .. } => {
                let (settlement, at) = settle_lsn[order];
                assert_eq!(*lsn, at, "{order}");
                let expected = match settlement {
                    Settlement::Commit => ReservationState::Committed,
                    Settlement::Release => ReservationState::Released,
                    Settlement::Expire => ReservationState::Expired,
                };
                assert_eq!(*state, expected, "{order}");
            }
            Seen::Illegal { order, wanted, from, after } => {
                let (settlement, at) = settle_lsn[order];
                assert!(at <= *after, "{order} was not yet settled when {wanted:?} was refused");
                let state = match settlement {
                    Settlement::Commit => "committed",
                    Settlement::Release => "released",
                    Settlement::Expire => "expired",
                };
                assert_eq!(*from, state, "{order}");
            }
            Seen::Duplicate { order } => assert!(model.orders.contains_key(order), "{order}"),
            _ => {}
        }
    }
    println!("{explained} answers matched log records one to one");

    // The model's final state is the engine's.
    let engine = Engine::open(dir.path(), options).unwrap();
    let viewer = engine.client(Role::Viewer);
    for (i, sku) in model.skus.iter().enumerate() {
        let cells = viewer.cells(&sku_code(i as u32)).unwrap();
        assert_eq!(cells.len(), sku.cells.len());
        for (warehouse, levels) in cells {
            let m = &sku.cells[&warehouse.id.0];
            assert_eq!((levels.on_hand, levels.reserved, levels.in_transit), (m.on_hand, m.reserved, m.in_transit));
            assert!(levels.reserved <= levels.on_hand);
        }
    }
    for (order, m) in &model.orders {
        let r = viewer.reservation(order).unwrap().unwrap();
        assert_eq!(r.state, m.state, "{order}");
        let lines: Vec<_> = r.lines.iter().map(|l| (l.sku.0, l.warehouse.0, l.qty)).collect();
        assert_eq!(lines, m.lines, "{order}");
    }
    engine.close().unwrap();
}

/// Moves refusals whose LSN window has opened into `active`, marks those the model explains at
/// this state, and fails on any whose window closed unexplained.
fn check_refusals<'s>(
    model: &Model,
    lsn: u64,
    active: &mut Vec<(&'s Seen, bool)>,
    refusals: &mut BTreeMap<u64, Vec<&'s Seen>>,
) {
    while let Some(entry) = refusals.first_entry() {
        if *entry.key() > lsn {
            break;
        }
        active.extend(entry.remove().into_iter().map(|s| (s, false)));
    }
    for (s, ok) in active.iter_mut() {
        let Seen::Refused { request, sku, requested, available, .. } = s else { unreachable!() };
        if !*ok && let Err((msku, mreq, mavail, _)) = model.place(request) {
            *ok = model.skus[msku as usize].code == *sku && mreq == *requested && mavail == *available;
        }
    }
    let mut failed = None;
    active.retain(|(s, ok)| {
        let Seen::Refused { window, order, .. } = s else { unreachable!() };
        if window.1 > lsn {
            return true;
        }
        if !ok {
            failed = Some(format!("refusal of {order} is not explained by any state in LSNs {window:?}"));
        }
        false
    });
    if let Some(failed) = failed {
        panic!("{failed}");
    }
}

/// Order ids end in `-<split 0|1>-<ship-to index>`, so the replay knows each request.
fn request_of(order: &str) -> (Option<&'static str>, bool) {
    let mut parts = order.rsplit('-');
    let ship: usize = parts.next().unwrap().parse().unwrap();
    let split = parts.next().unwrap() == "1";
    (SHIP_TO[ship], split)
}

fn run_worker(engine: &Engine, thread: usize, seed: u64) -> Vec<Seen> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let zipf = Zipf::new(SKUS as f64, 1.1).unwrap();
    let orders = engine.client(Role::Orders);
    let warehouse = engine.client(Role::Warehouse);
    let mut seen = Vec::with_capacity(OPS_PER_THREAD);
    let mut held: Vec<(String, Request)> = Vec::new();
    let mut made: Vec<(String, Request)> = Vec::new();
    for n in 0..OPS_PER_THREAD {
        let roll = rng.random_range(0..100);
        match roll {
            0..45 => {
                let line_count = rng.random_range(1..=5);
                let raw: Vec<(u32, u32)> =
                    (0..line_count).map(|_| (zipf.sample(&mut rng) as u32 - 1, rng.random_range(1..=3))).collect();
                let ship = rng.random_range(0..SHIP_TO.len());
                let request = Request { lines: normalized(&raw), ship_to: SHIP_TO[ship], split: rng.random_bool(0.3) };
                let order = format!("T{thread}-{n}-{}-{ship}", request.split as u8);
                let ttl = if rng.random_bool(0.5) { Some(rng.random_range(20..400)) } else { None };
                seen.push(reserve(engine, &orders, &order, &raw, &request, ttl));
                if matches!(seen.last(), Some(Seen::Reserved { .. })) {
                    held.push((order.clone(), request.clone()));
                    made.push((order, request));
                }
            }
            45..80 if !held.is_empty() => {
                let (order, _) = held.swap_remove(rng.random_range(0..held.len()));
                let wanted = if roll < 65 { Settlement::Commit } else { Settlement::Release };
                let result = if wanted == Settlement::Commit { orders.commit(&order) } else { orders.release(&order) };
                let after = engine.last_lsn().unwrap();
                seen.push(match result {
                    Ok(s) => Seen::Settled { order, wanted, state: s.state, changed: s.changed, lsn: s.lsn },
                    Err(Error::IllegalTransition { from, .. }) => Seen::Illegal { order, wanted, from, after },
                    Err(e) => panic!("settling {order}: {e}"),
                });
            }
            80..88 if !made.is_empty() => {
                // An idempotent repeat, now and then with other lines (a duplicate order).
                let (order, request) = made[rng.random_range(0..made.len())].clone();
                let mut raw = request.lines.clone();
                let duplicate = rng.random_bool(0.1);
                if duplicate {
                    raw[0].1 += 1;
                }
                let codes: Vec<String> = raw.iter().map(|&(s, _)| sku_code(s)).collect();
                let lines: Vec<(&str, u32)> = codes.iter().zip(&raw).map(|(c, &(_, q))| (c.as_str(), q)).collect();
                let options = ReserveOptions { ship_to: request.ship_to, ttl_ms: None, allow_split: request.split };
                let reply = orders.reserve(&order, &lines, &options);
                match reply {
                    Ok(r) => {
                        assert!(r.repeat && !duplicate, "{order}");
                        let lines = r.lines.iter().map(|l| (l.sku.0, l.warehouse.0, l.qty)).collect();
                        seen.push(Seen::Reserved { order, requested: request.lines, lines, lsn: r.lsn, repeat: true });
                    }
                    Err(Error::DuplicateOrder { .. }) if duplicate => seen.push(Seen::Duplicate { order }),
                    Err(e) => panic!("repeating {order}: {e}"),
                }
            }
            _ => {
                let sku = sku_code(zipf.sample(&mut rng) as u32 - 1);
                let wh = WAREHOUSES[rng.random_range(0..4)].0;
                let result = if rng.random_bool(0.7) {
                    warehouse.receive(&sku, wh, rng.random_range(1..20))
                } else {
                    warehouse.adjust(&sku, wh, -1, "damaged")
                };
                match result {
                    Ok(levels) => assert!(levels.reserved <= levels.on_hand),
                    Err(Error::InsufficientStock { .. }) => {}
                    Err(e) => panic!("moving stock of {sku}: {e}"),
                }
                seen.push(Seen::Moved);
            }
        }
    }
    seen
}

fn normalized(raw: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut lines: Vec<(u32, u32)> = Vec::new();
    for &(s, q) in raw {
        match lines.iter_mut().find(|(x, _)| *x == s) {
            Some((_, total)) => *total += q,
            None => lines.push((s, q)),
        }
    }
    lines.sort();
    lines
}

fn reserve(
    engine: &Engine,
    orders: &allot_core::Client,
    order: &str,
    raw: &[(u32, u32)],
    request: &Request,
    ttl: Option<u64>,
) -> Seen {
    let codes: Vec<String> = raw.iter().map(|&(s, _)| sku_code(s)).collect();
    let lines: Vec<(&str, u32)> = codes.iter().zip(raw).map(|(c, &(_, q))| (c.as_str(), q)).collect();
    let options = ReserveOptions { ship_to: request.ship_to, ttl_ms: ttl, allow_split: request.split };
    let before = engine.last_lsn().unwrap();
    let reply = orders.reserve(order, &lines, &options);
    let after = engine.last_lsn().unwrap();
    match reply {
        Ok(r) => {
            assert!(!r.repeat);
            let lines = r.lines.iter().map(|l| (l.sku.0, l.warehouse.0, l.qty)).collect();
            Seen::Reserved { order: order.into(), requested: request.lines.clone(), lines, lsn: r.lsn, repeat: false }
        }
        Err(Error::InsufficientStock { sku, requested, available, .. }) => Seen::Refused {
            order: order.into(),
            request: request.clone(),
            sku,
            requested,
            available,
            window: (before, after),
        },
        Err(e) => panic!("reserving {order}: {e}"),
    }
}
