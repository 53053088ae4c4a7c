//! Retry schedules (phoenix.js's `reconnectAfterMs` / `rejoinAfterMs`) and the
//! try counter of its `Timer`.

/// A retry schedule (phoenix.js `reconnectAfterMs` / `rejoinAfterMs`), as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// The delay in ms before try 1, 2, …; the last step repeats.
    Steps(Vec<u64>),
    /// Ask the host for each delay ([`crate::core::Output::RetryDelay`]), e.g. to run
    /// an application's function.
    Ask,
}

impl Schedule {
    /// phoenix.js's default reconnect schedule.
    pub fn reconnect() -> Self {
        Schedule::Steps(vec![10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000])
    }

    /// phoenix.js's default rejoin schedule.
    pub fn rejoin() -> Self {
        Schedule::Steps(vec![1000, 2000, 5000, 10_000])
    }

    /// The delay before try `tries` (1-based), or `None` when the host is asked.
    pub fn delay(&self, tries: u32) -> Option<u64> {
        match self {
            Schedule::Steps(steps) => {
                let last = steps.last().copied().unwrap_or(0);
                Some(step(steps, tries, last))
            }
            Schedule::Ask => None,
        }
    }
}

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
    /// The try number the next delay is for (1-based).
    pub fn next_try(&self) -> u32 {
        self.tries.saturating_add(1)
    }

    /// The delay before the next try (`None`: ask the host for try [`Backoff::next_try`]).
    pub fn next_delay(&self, schedule: &Schedule) -> Option<u64> {
        schedule.delay(self.next_try())
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
        let (r2, j2) = (Schedule::reconnect(), Schedule::rejoin());
        assert!((0..=12).all(|t| r2.delay(t) == Some(default_reconnect_after(t))));
        assert!((0..=6).all(|t| j2.delay(t) == Some(default_rejoin_after(t))));
        assert_eq!(Schedule::Ask.delay(1), None);
    }

    #[test]
    fn backoff_counts_fired_tries() {
        let s = Schedule::Steps(vec![100, 200, 300]);
        let mut b = Backoff::default();
        assert_eq!(b.next_delay(&s), Some(100));
        assert_eq!(b.next_delay(&s), Some(100), "scheduling again without firing keeps the delay");
        b.fired();
        assert_eq!((b.next_delay(&s), b.next_try()), (Some(200), 2));
        b.fired();
        b.fired();
        assert_eq!(b.next_delay(&s), Some(300), "the last step repeats");
        b.reset();
        assert_eq!(b.next_delay(&s), Some(100));
    }
}
