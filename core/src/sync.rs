//! The one place that chooses synchronisation primitives.
//!
//! Normal builds use parking_lot, std atomics, dashmap and arc-swap. Under `--cfg loom` every
//! primitive is loom's, so the loom models in `crate::loom_models` explore every interleaving of
//! the real striping, idempotency and group-commit code. Nothing else in the crate imports
//! parking_lot, dashmap, arc-swap or loom directly.

#![allow(dead_code)] // Each configuration uses a slightly different subset.

use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Arc;

#[cfg(not(loom))]
pub(crate) use std::sync::atomic;

#[cfg(loom)]
pub(crate) use loom::sync::atomic;

// ---------------------------------------------------------------------------------------------
// Mutex and Condvar with parking_lot's shape: `lock()` returns the guard, `wait(&mut guard)`.

#[cfg(not(loom))]
pub(crate) use parking_lot::{Condvar, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use self::loom_mutex::{Condvar, Mutex, MutexGuard};

#[cfg(loom)]
mod loom_mutex {
    use std::ops::{Deref, DerefMut};

    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    pub(crate) struct MutexGuard<'a, T>(Option<loom::sync::MutexGuard<'a, T>>);

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Mutex<T> {
            Mutex::new(T::default())
        }
    }

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Mutex<T> {
            Mutex(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            MutexGuard(Some(self.0.lock().expect("loom mutex poisoned")))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner().expect("loom mutex poisoned")
        }
    }

    impl<T> Deref for MutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            self.0.as_ref().expect("guard present")
        }
    }

    impl<T> DerefMut for MutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            self.0.as_mut().expect("guard present")
        }
    }

    #[derive(Debug, Default)]
    pub(crate) struct Condvar(loom::sync::Condvar);

    impl Condvar {
        pub(crate) fn new() -> Condvar {
            Condvar(loom::sync::Condvar::new())
        }

        pub(crate) fn wait<T>(&self, guard: &mut MutexGuard<'_, T>) {
            let inner = guard.0.take().expect("guard present");
            guard.0 = Some(self.0.wait(inner).expect("loom mutex poisoned"));
        }

        pub(crate) fn notify_all(&self) -> usize {
            self.0.notify_all();
            0
        }

        pub(crate) fn notify_one(&self) -> bool {
            self.0.notify_one();
            false
        }
    }
}

/// Spins briefly, then yields: for waiting on a state that another thread resolves within
/// microseconds (an order id claimed by a concurrent reserve of the same order).
pub(crate) struct Backoff {
    #[cfg(not(loom))]
    inner: crossbeam_utils::Backoff,
}

impl Backoff {
    pub(crate) fn new() -> Backoff {
        Backoff {
            #[cfg(not(loom))]
            inner: crossbeam_utils::Backoff::new(),
        }
    }

    pub(crate) fn snooze(&self) {
        #[cfg(not(loom))]
        self.inner.snooze();
        #[cfg(loom)]
        loom::thread::yield_now();
    }
}

// ---------------------------------------------------------------------------------------------
// A concurrent hash map: dashmap, or one loom mutex around a HashMap.

pub(crate) type Hasher = ahash::RandomState;

#[cfg(not(loom))]
pub(crate) struct ConcurrentMap<K, V> {
    map: dashmap::DashMap<K, V, Hasher>,
}

#[cfg(loom)]
pub(crate) struct ConcurrentMap<K, V> {
    map: Mutex<std::collections::HashMap<K, V, Hasher>>,
}

impl<K: Eq + Hash, V> ConcurrentMap<K, V> {
    /// `shards` is a hint for dashmap (a power of two); loom uses a single lock.
    pub(crate) fn new(shards: usize) -> ConcurrentMap<K, V> {
        #[cfg(not(loom))]
        {
            let shards = shards.max(2).next_power_of_two();
            ConcurrentMap { map: dashmap::DashMap::with_hasher_and_shard_amount(Hasher::new(), shards) }
        }
        #[cfg(loom)]
        {
            let _ = shards;
            ConcurrentMap { map: Mutex::new(std::collections::HashMap::with_hasher(Hasher::new())) }
        }
    }

    /// Inserts `value` under `key` if the key is absent and returns `None`; otherwise leaves the
    /// map alone and returns what `inspect` makes of the present value. Atomic per key.
    pub(crate) fn insert_or_inspect<R>(&self, key: K, value: V, inspect: impl FnOnce(&V) -> R) -> Option<R> {
        #[cfg(not(loom))]
        {
            match self.map.entry(key) {
                dashmap::Entry::Occupied(present) => Some(inspect(present.get())),
                dashmap::Entry::Vacant(vacant) => {
                    vacant.insert(value);
                    None
                }
            }
        }
        #[cfg(loom)]
        {
            let mut map = self.map.lock();
            match map.entry(key) {
                std::collections::hash_map::Entry::Occupied(present) => Some(inspect(present.get())),
                std::collections::hash_map::Entry::Vacant(vacant) => {
                    vacant.insert(value);
                    None
                }
            }
        }
    }

    /// Inserts or replaces, returning what was there.
    pub(crate) fn insert(&self, key: K, value: V) -> Option<V> {
        #[cfg(not(loom))]
        {
            self.map.insert(key, value)
        }
        #[cfg(loom)]
        {
            self.map.lock().insert(key, value)
        }
    }

    /// Runs `f` on the value under `key` while holding its shard.
    pub(crate) fn view<Q, R>(&self, key: &Q, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        #[cfg(not(loom))]
        {
            self.map.get(key).map(|entry| f(entry.value()))
        }
        #[cfg(loom)]
        {
            self.map.lock().get(key).map(f)
        }
    }

    /// Runs `f` on the value under `key`, mutably, while holding its shard.
    pub(crate) fn update<Q, R>(&self, key: &Q, f: impl FnOnce(&mut V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        #[cfg(not(loom))]
        {
            self.map.get_mut(key).map(|mut entry| f(entry.value_mut()))
        }
        #[cfg(loom)]
        {
            self.map.lock().get_mut(key).map(f)
        }
    }

    pub(crate) fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        #[cfg(not(loom))]
        {
            self.map.remove(key).map(|(_, value)| value)
        }
        #[cfg(loom)]
        {
            self.map.lock().remove(key)
        }
    }

    /// Visits every entry. Not a snapshot: callers that need one hold the locks that freeze the
    /// entries they care about (see `Inventory::snapshot`).
    pub(crate) fn for_each(&self, mut f: impl FnMut(&K, &V)) {
        #[cfg(not(loom))]
        for entry in self.map.iter() {
            f(entry.key(), entry.value());
        }
        #[cfg(loom)]
        for (key, value) in self.map.lock().iter() {
            f(key, value);
        }
    }

    /// Keeps only the entries for which `keep` is true.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        #[cfg(not(loom))]
        self.map.retain(|key, value| keep(key, value));
        #[cfg(loom)]
        self.map.lock().retain(|key, value| keep(key, value));
    }

    pub(crate) fn len(&self) -> usize {
        #[cfg(not(loom))]
        {
            self.map.len()
        }
        #[cfg(loom)]
        {
            self.map.lock().len()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A value read far more often than it is replaced (the warehouse table): arc-swap, or a mutex.

#[cfg(not(loom))]
pub(crate) struct Snapshot<T> {
    current: arc_swap::ArcSwap<T>,
}

#[cfg(loom)]
pub(crate) struct Snapshot<T> {
    current: Mutex<Arc<T>>,
}

impl<T> Snapshot<T> {
    pub(crate) fn new(value: T) -> Snapshot<T> {
        #[cfg(not(loom))]
        {
            Snapshot { current: arc_swap::ArcSwap::from_pointee(value) }
        }
        #[cfg(loom)]
        {
            Snapshot { current: Mutex::new(Arc::new(value)) }
        }
    }

    /// Runs `f` on the current value without blocking writers.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        #[cfg(not(loom))]
        {
            f(&self.current.load())
        }
        #[cfg(loom)]
        {
            let current = self.current.lock().clone();
            f(&current)
        }
    }

    pub(crate) fn load_full(&self) -> Arc<T> {
        #[cfg(not(loom))]
        {
            self.current.load_full()
        }
        #[cfg(loom)]
        {
            self.current.lock().clone()
        }
    }

    pub(crate) fn store(&self, value: Arc<T>) {
        #[cfg(not(loom))]
        self.current.store(value);
        #[cfg(loom)]
        {
            *self.current.lock() = value;
        }
    }
}
