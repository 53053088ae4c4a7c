//! A hash index of string keys that live elsewhere: open addressing with linear
//! probing over `(hash, position)` slots, each key read back from its position
//! through a function the caller passes. Presence keys use it: the keys stay in the
//! state's own list (in join order), so each is stored once, and the wasm carries
//! this one small table instead of std's generic hash map (about 3 KB).

/// The hash of a key: a multiply per 8 bytes (Fx-style), then murmur3's finaliser.
/// The multiplications only carry upwards, so similar keys (`user1`, `user2`, ...)
/// would share their low bits (the home slot) without the finaliser, which spreads
/// every input bit over all of them. Not cryptographic: keys come from the server,
/// and presence states are bounded in size.
pub fn hash(key: &str) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h: u64 = 0;
    let mut chunks = key.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    let mut word = [0u8; 8];
    word[..rest.len()].copy_from_slice(rest);
    // the length too, so that "a" and "a\0" differ
    h = (h ^ u64::from_le_bytes(word)).wrapping_mul(K);
    h = (h ^ key.len() as u64).wrapping_mul(K);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Positions of keys by key. Every method that compares keys takes `key_at`, which
/// gives the key at a position; a position must keep its key while it is indexed.
#[derive(Debug, Clone, Default)]
pub struct KeyIndex {
    /// `(low 32 bits of the hash, position + 1)`; `(_, 0)` is free. The length is
    /// zero or a power of two, at most half used.
    slots: Vec<(u32, u32)>,
    len: usize,
}

impl KeyIndex {
    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no key is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every key (keeps the room).
    pub fn clear(&mut self) {
        self.slots.fill((0, 0));
        self.len = 0;
    }

    /// Room for `more` keys without growing.
    pub fn reserve(&mut self, more: usize) {
        let want = (self.len + more) * 2;
        if want > self.slots.len() {
            let old = std::mem::replace(&mut self.slots, vec![(0, 0); want.next_power_of_two().max(8)]);
            for (h, p) in old {
                if p != 0 {
                    let i = self.free_from(h);
                    self.slots[i] = (h, p);
                }
            }
        }
    }

    /// The first free slot from `h`'s home slot on.
    fn free_from(&self, h: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        while self.slots[i].1 != 0 {
            i = (i + 1) & mask;
        }
        i
    }

    /// The slot holding `key` (`Ok`), or the free slot where it would go (`Err`).
    /// The table must have slots.
    fn probe<'k>(&self, key: &str, h: u32, key_at: impl Fn(usize) -> &'k str) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let (sh, p) = self.slots[i];
            if p == 0 {
                return Err(i);
            }
            if sh == h && key_at(p as usize - 1) == key {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// The position of `key`.
    pub fn find<'k>(&self, key: &str, key_at: impl Fn(usize) -> &'k str) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let i = self.probe(key, hash(key) as u32, key_at).ok()?;
        Some(self.slots[i].1 as usize - 1)
    }

    /// Indexes `key` at `pos`, unless it is indexed already: then its position, and
    /// nothing changes.
    pub fn insert<'k>(&mut self, key: &str, pos: usize, key_at: impl Fn(usize) -> &'k str) -> Option<usize> {
        self.reserve(1);
        let h = hash(key) as u32;
        match self.probe(key, h, key_at) {
            Ok(i) => Some(self.slots[i].1 as usize - 1),
            Err(i) => {
                self.slots[i] = (h, pos as u32 + 1);
                self.len += 1;
                None
            }
        }
    }

    /// Indexes `key` at `pos`, known not to be indexed (no key is compared).
    pub fn insert_new(&mut self, key: &str, pos: usize) {
        self.reserve(1);
        let h = hash(key) as u32;
        let i = self.free_from(h);
        self.slots[i] = (h, pos as u32 + 1);
        self.len += 1;
    }

    /// Removes `key`; the position it had.
    pub fn remove<'k>(&mut self, key: &str, key_at: impl Fn(usize) -> &'k str) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mut hole = self.probe(key, hash(key) as u32, key_at).ok()?;
        let pos = self.slots[hole].1 as usize - 1;
        self.len -= 1;
        // close the gap: each later slot of the run whose home is not between the
        // hole and itself moves back into the hole (so no probe ever stops early)
        let mask = self.slots.len() - 1;
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let (h, p) = self.slots[j];
            if p == 0 {
                break;
            }
            let home = h as usize & mask;
            if j.wrapping_sub(home) & mask >= j.wrapping_sub(hole) & mask {
                self.slots[hole] = (h, p);
                hole = j;
            }
        }
        self.slots[hole] = (0, 0);
        Some(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn similar_keys_spread_over_home_slots_and_hashes() {
        // the home slot comes from the low bits, and slots compare 32 bits of the
        // hash before the keys: keys like "user1234" must differ in both
        let hashes: Vec<u64> = (0..10_000).map(|i| hash(&format!("user{i}"))).collect();
        let homes: HashSet<u64> = hashes.iter().map(|h| h & 0x3fff).collect();
        // 10,000 random values over 16,384 slots fill about 7,480 of them
        assert!(homes.len() > 7_000, "{} home slots", homes.len());
        let low: HashSet<u32> = hashes.iter().map(|&h| h as u32).collect();
        assert_eq!(low.len(), 10_000);
        assert_ne!(hash("a"), hash("a\0"));
        assert_ne!(hash(""), hash("\0"));
        assert_ne!(hash("12345678"), hash("12345678\0"));
    }

    #[test]
    fn finds_inserts_and_removes_like_a_map() {
        // a pseudo-random run of inserts and removes over a small key space (long
        // probe runs, wrapping around the table's end), checked against std's map
        let keys: Vec<String> = (0..300).map(|i| format!("k{i}")).collect();
        let mut index = KeyIndex::default();
        let mut oracle: HashMap<&str, usize> = HashMap::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for step in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let key = keys[(seed % 300) as usize].as_str();
            let at = |p: usize| keys[p].as_str();
            let p = (seed % 300) as usize;
            if seed & 0x300 == 0 {
                assert_eq!(index.remove(key, at), oracle.remove(key), "remove {key} at step {step}");
            } else {
                let had = oracle.get(key).copied();
                assert_eq!(index.insert(key, p, at), had, "insert {key} at step {step}");
                oracle.entry(key).or_insert(p);
            }
            assert_eq!(index.len(), oracle.len());
            if step % 97 == 0 {
                for k in &keys {
                    assert_eq!(index.find(k, at), oracle.get(k.as_str()).copied(), "find {k} at step {step}");
                }
            }
        }
    }

    #[test]
    fn clear_and_insert_new_rebuild() {
        let keys: Vec<String> = (0..100).map(|i| format!("key {i}")).collect();
        let at = |p: usize| keys[p].as_str();
        let mut index = KeyIndex::default();
        assert_eq!(index.find("key 1", at), None);
        assert_eq!(index.remove("key 1", at), None);
        for (i, k) in keys.iter().enumerate() {
            index.insert_new(k, i);
        }
        assert_eq!(index.len(), 100);
        assert_eq!(index.find("key 42", at), Some(42));
        index.clear();
        assert!(index.is_empty());
        assert_eq!(index.find("key 42", at), None);
        index.reserve(1000);
        index.insert_new("key 7", 7);
        assert_eq!(index.find("key 7", at), Some(7));
        assert_eq!(index.insert("key 7", 9, at), Some(7));
    }
}
