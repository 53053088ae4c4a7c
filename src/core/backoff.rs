//! Retry schedules (phoenix.js's `reconnectAfterMs` / `rejoinAfterMs`) and the
//! try counter of its `Timer`.

/// A retry schedule: the delay in ms before try number `tries` (1-based).
pub type Schedule = Box<dyn Fn(u32) -> u64>;

const RECONNECT_STEPS: [u64; 9] = [10, 50, 100, 150, 200, 250, 500, 1000, 2000];
const REJOIN_STEPS: [u64; 3] = [1000, 2000, 5000];

/// phoenix.js's default reconnect schedule: 10, 50, 100, 150, 200, 250, 500, 1000, 2000, then 5000 ms.
pub fn default_reconnect_after(tries: u32) -> u64 {
    step(&RECONNECT_STEPS, tries, 5000)
}

/// phoenix.js's default rejoin schedule: 1 s, 2 s, 5 s, then 10 s.
pub fn default_rejoin_after(tries: u32) -> u64 {
    step(&REJOIN_STEPS, tries, 10_000)
}

fn step(steps: &[u64], tries: u32, last: u64) -> u64 {
    (tries as usize).checked_sub(1).and_then(|i| steps.get(i)).copied().unwrap_or(last)
}

/// The try counter behind a retry timer: the delay of the next try is
/// `schedule(tries + 1)`; firing counts a try; success resets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    tries: u32,
}

impl Backoff {
    /// The delay before the next try.
    pub fn next_delay(&self, schedule: &Schedule) -> u64 {
        schedule(self.tries.saturating_add(1))
    }

    /// Counts a try (the timer fired).
    pub fn fired(&mut self) {
        self.tries = self.tries.saturating_add(1);
    }

    /// Starts over (phoenix.js `Timer.reset`).
    pub fn reset(&mut self) {
        self.tries = 0;
    }

    /// Tries made since the last reset.
    pub fn tries(&self) -> u32 {
        self.tries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schedules_match_phoenix_js() {
        let r: Vec<u64> = (1..=11).map(default_reconnect_after).collect();
        assert_eq!(r, [10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000]);
        let j: Vec<u64> = (1..=5).map(default_rejoin_after).collect();
        assert_eq!(j, [1000, 2000, 5000, 10_000, 10_000]);
        assert_eq!(default_reconnect_after(0), 5000);
    }

    #[test]
    fn backoff_counts_fired_tries() {
        let s: Schedule = Box::new(|t| u64::from(t) * 100);
        let mut b = Backoff::default();
        assert_eq!(b.next_delay(&s), 100);
        assert_eq!(b.next_delay(&s), 100, "scheduling again without firing keeps the delay");
        b.fired();
        assert_eq!(b.next_delay(&s), 200);
        b.reset();
        assert_eq!(b.next_delay(&s), 100);
    }
}
