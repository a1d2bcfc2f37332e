//! The Rust half of the C benchmark: ffi/bench/reserve.c's loop through the Rust API, with the
//! same engine options, RNG, order ids and counts, so the two figures differ only by the face.
//! Run by ffi/bench/run.sh (`cargo bench -p allot-ffi --bench rust_reserve -- DIR PER_ROUND
//! ROUNDS`); not part of the tests.

use std::time::{Duration, Instant};

use allot_core::{Engine, EngineOptions, ReserveOptions, Role, SyncMode, WarehouseSpec};

const SKUS: u32 = 100_000;
const STOCK: u64 = 1_000_000;
const WARM_UP: u64 = 100_000;

/// A SKU code ("s0" to "s99999") in one 8-byte slot, like reserve.c's `struct code`, so both
/// loops touch the same memory to find a code.
#[repr(C)]
struct Code {
    text: [u8; 7],
    len: u8,
}

impl Code {
    fn as_str(&self) -> &str {
        // SAFETY: `format_id` writes only ASCII ('s' and digits), which is valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(&self.text[..usize::from(self.len)]) }
    }
}

/// xorshift64*: the same generator, seed and reduction as reserve.c.
struct Rng(u64);

impl Rng {
    fn next_sku(&mut self) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32 % SKUS) as usize
    }
}

/// The calling thread's CPU time, as reserve.c reads it (`CLOCK_THREAD_CPUTIME_ID`): std has
/// no such clock, and this crate takes no libc dependency for a benchmark.
fn thread_cpu_time() -> Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, now: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut now = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec (64-bit fields on 64-bit Linux) through the
    // pointer, which points to one; the clock id is Linux's CLOCK_THREAD_CPUTIME_ID.
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// `prefix` and the decimal digits of `n`, the same loop as reserve.c's `format_id`.
fn format_id(out: &mut [u8; 24], prefix: u8, mut n: u64) -> usize {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out[0] = prefix;
    for i in 0..len {
        out[1 + i] = digits[len - 1 - i];
    }
    len + 1
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    let dir = args.first().cloned().unwrap_or_else(|| "target/bench-rust".into());
    let per_round: u64 = args.get(1).map_or(400_000, |n| n.parse().expect("PER_ROUND"));
    let rounds: usize = args.get(2).map_or(5, |n| n.parse().expect("ROUNDS"));

    let options = EngineOptions::default().sync(SyncMode::None).checkpoint_every_bytes(0);
    let engine = Engine::open(&dir, options).expect("open");
    let admin = engine.client(Role::Admin);
    let orders = engine.client(Role::Orders);
    admin.add_warehouse("WH", WarehouseSpec::new("310000", 1)).expect("warehouse");
    let mut codes = Vec::with_capacity(SKUS as usize);
    for i in 0..SKUS {
        let mut buffer = [0u8; 24];
        let len = format_id(&mut buffer, b's', u64::from(i));
        let mut code = Code { text: [0; 7], len: len as u8 };
        code.text[..len].copy_from_slice(&buffer[..len]);
        admin.add_sku(code.as_str(), "bench").expect("sku");
        admin.set_stock(code.as_str(), "WH", STOCK).expect("stock");
        codes.push(code);
    }

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut next_order = 0u64;
    let reserve_options = ReserveOptions::new();
    let mut reserve = |rng: &mut Rng| {
        let sku = rng.next_sku();
        let mut order = [0u8; 24];
        let len = format_id(&mut order, b'o', next_order);
        next_order += 1;
        // SAFETY: `format_id` writes only ASCII ('o' and digits), which is valid UTF-8.
        let order = unsafe { std::str::from_utf8_unchecked(&order[..len]) };
        orders.reserve(order, &[(codes[sku].as_str(), 1)], &reserve_options).expect("reserve");
    };
    for _ in 0..WARM_UP {
        reserve(&mut rng);
    }
    let mut rates = Vec::with_capacity(rounds);
    let mut cpu_rates = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let started = Instant::now();
        let cpu_started = thread_cpu_time();
        for _ in 0..per_round {
            reserve(&mut rng);
        }
        let cpu_rate = per_round as f64 / (thread_cpu_time() - cpu_started).as_secs_f64();
        let rate = per_round as f64 / started.elapsed().as_secs_f64();
        println!("rust round {}: {rate:.0} reservations/s (cpu {cpu_rate:.0})", round + 1);
        rates.push(rate);
        cpu_rates.push(cpu_rate);
    }
    rates.sort_by(f64::total_cmp);
    cpu_rates.sort_by(f64::total_cmp);
    println!(
        "rust median: {:.0} reservations/s (cpu {:.0}; {rounds} rounds of {per_round} after {WARM_UP} warm-up)",
        rates[rounds / 2],
        cpu_rates[rounds / 2]
    );
    engine.close().expect("close");
}
