//! Waiting for something that happens on another thread without a way to be told (the rules
//! file watcher acts on inotify's events, delivered asynchronously).

use std::time::{Duration, Instant};

/// Whether `done` became true within ten seconds of asking.
pub fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::yield_now();
    }
    done()
}
