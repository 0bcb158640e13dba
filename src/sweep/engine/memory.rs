//! Memory budgets: the sweep engine estimates what it is about to allocate and checks the estimate
//! against a budget before allocating, so a sweep too large for the machine is a typed error
//! ([`Error::MemoryBudget`]) instead of an aborted process.

use crate::error::{Error, Result};

/// The budget used where physical memory cannot be read (not Linux, or `/proc/meminfo` unreadable):
/// 4 GiB.
///
/// ```
/// assert_eq!(composite_indicators::sweep::FALLBACK_MEMORY_BUDGET, 4 << 30);
/// ```
pub const FALLBACK_MEMORY_BUDGET: u64 = 4 << 30;

/// The default memory budget of sweeps, Sobol and one-at-a-time analyses: three quarters of the
/// memory the kernel reports as available (`MemAvailable` in `/proc/meminfo`), or half of `MemTotal`
/// where `MemAvailable` is missing, or [`FALLBACK_MEMORY_BUDGET`] where neither can be read. It is read
/// afresh at each call (available memory changes while other programs run); set a fixed budget with
/// [`SweepConfig::with_memory_budget`](crate::sweep::SweepConfig::with_memory_budget) or
/// [`BatchModel::with_memory_budget`](crate::sweep::BatchModel::with_memory_budget) for reproducible limits.
///
/// ```
/// let b = composite_indicators::sweep::default_memory_budget();
/// assert!(b > 0);
/// ```
pub fn default_memory_budget() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| budget_from_meminfo(&s))
        .unwrap_or(FALLBACK_MEMORY_BUDGET)
}

/// The budget rule of [`default_memory_budget`] applied to the text of `/proc/meminfo`.
fn budget_from_meminfo(text: &str) -> Option<u64> {
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        let rest = line.get(name.len()..)?.trim_start_matches(':').trim();
        let kib: u64 = rest.split_whitespace().next()?.parse().ok()?;
        kib.checked_mul(1024)
    };
    if let Some(avail) = field("MemAvailable") {
        return Some(avail / 4 * 3);
    }
    field("MemTotal").map(|t| t / 2)
}

/// A memory estimate made of named parts (saturating arithmetic: an estimate never overflows).
#[derive(Debug, Default)]
pub(crate) struct Need {
    parts: Vec<(String, u64)>,
}

/// `a · b · c` bytes, saturating.
pub(crate) fn bytes(a: usize, b: usize, c: usize) -> u64 {
    let p = (a as u128)
        .checked_mul(b as u128)
        .and_then(|p| p.checked_mul(c as u128));
    p.and_then(|p| u64::try_from(p).ok()).unwrap_or(u64::MAX)
}

impl Need {
    /// Add `bytes` under `knob`, the setting that reduces them.
    pub(crate) fn add(&mut self, knob: &str, bytes: u64) {
        match self.parts.iter_mut().find(|(k, _)| k == knob) {
            Some((_, b)) => *b = b.saturating_add(bytes),
            None => self.parts.push((knob.to_string(), bytes)),
        }
    }

    /// The total in bytes.
    pub(crate) fn total(&self) -> u64 {
        self.parts
            .iter()
            .fold(0u64, |acc, (_, b)| acc.saturating_add(*b))
    }

    /// `Ok` if the total fits `budget`, else [`Error::MemoryBudget`] naming `what` and the knobs of
    /// the parts in decreasing size (those of at least a tenth of the total).
    pub(crate) fn check(&self, what: impl Into<String>, budget: u64) -> Result<()> {
        let needed = self.total();
        if needed <= budget {
            return Ok(());
        }
        let mut parts: Vec<&(String, u64)> = self.parts.iter().collect();
        parts.sort_by_key(|b| std::cmp::Reverse(b.1));
        let knobs: Vec<&str> = parts
            .iter()
            .filter(|(_, b)| *b >= needed / 10)
            .map(|(k, _)| k.as_str())
            .collect();
        Err(Error::MemoryBudget {
            what: what.into(),
            needed,
            budget,
            hint: format!("to reduce it: {}; or raise the budget", knobs.join("; or ")),
        })
    }
}

/// Integer types whose all-zero bit pattern is the value 0.
pub(crate) trait Zeroable: Copy {}
impl Zeroable for u32 {}
impl Zeroable for u64 {}

/// A zeroed vector of `len` elements, allocated fallibly: [`Error::AllocationFailed`] (naming
/// `what`) instead of an abort when the system refuses the allocation. Like `vec![0; len]` it asks
/// the allocator for zeroed memory, so large vectors get the system's lazily zeroed pages (only the
/// pages written to become resident).
pub(crate) fn try_zeroed<T: Zeroable>(len: usize, what: &str) -> Result<Vec<T>> {
    let failed = || Error::AllocationFailed {
        what: what.to_string(),
        bytes: bytes(len, std::mem::size_of::<T>(), 1),
    };
    let layout = std::alloc::Layout::array::<T>(len).map_err(|_| failed())?;
    if layout.size() == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: the layout has a non-zero size (checked just above).
    let p = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<T>();
    if p.is_null() {
        return Err(failed());
    }
    // SAFETY: `p` comes from the global allocator with the layout of `[T; len]` (so capacity `len`),
    // and all-zero bytes are a valid `T` (`Zeroable`: plain integers), so all `len` elements are
    // initialised.
    Ok(unsafe { Vec::from_raw_parts(p, len, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_vectors() {
        let v: Vec<u64> = try_zeroed(1000, "x").unwrap();
        assert_eq!(v.len(), 1000);
        assert!(v.iter().all(|&x| x == 0));
        assert!(try_zeroed::<u32>(0, "x").unwrap().is_empty());
        let e = try_zeroed::<u64>(usize::MAX / 4, "huge table").unwrap_err();
        assert!(e.to_string().starts_with("huge table: allocating"), "{e}");
    }

    #[test]
    fn meminfo_rule() {
        let t = "MemTotal:       24683772 kB\nMemFree:  4947944 kB\nMemAvailable:   24056644 kB\n";
        // 3/4 of MemAvailable: 24056644 KiB · 1024 = 24634003456 bytes; / 4 · 3 = 18475502592
        assert_eq!(budget_from_meminfo(t), Some(18_475_502_592));
        // without MemAvailable: half of MemTotal, 24683772 · 1024 / 2 = 12638091264
        assert_eq!(
            budget_from_meminfo("MemTotal: 24683772 kB\n"),
            Some(12_638_091_264)
        );
        assert_eq!(budget_from_meminfo("nothing here"), None);
    }

    #[test]
    fn need_names_the_big_parts() {
        let mut n = Need::default();
        n.add("fewer units", 900);
        n.add("smaller chunks", 100);
        n.add("tiny", 1);
        assert_eq!(n.total(), 1001);
        assert!(n.check("x", 1001).is_ok());
        let e = n.check("a sweep", 1000).unwrap_err().to_string();
        assert!(e.contains("fewer units; or smaller chunks"), "{e}");
        assert!(!e.contains("tiny"), "{e}");
        assert_eq!(bytes(usize::MAX, usize::MAX, 8), u64::MAX);
    }
}
