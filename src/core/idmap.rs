//! `IdMap`: a map kept as one sorted `Vec`, for the tables of the core and the
//! shell (channels, pushes in flight, callbacks). Ids are handed out in increasing
//! order, so an insert is almost always an append and a lookup is a binary search:
//! no hashing, and one small generic type instead of a hash table or B-tree per key
//! type in the wasm binary. A removal moves the entries after it, so tables that
//! can grow to thousands keep small entries: ids, numbers, and boxes for larger
//! values (a push's record).

use std::borrow::Borrow;
use std::ops::Index;

/// A sorted-`Vec` map.
#[derive(Debug, Clone)]
pub struct IdMap<K, V> {
    items: Vec<(K, V)>,
}

impl<K, V> Default for IdMap<K, V> {
    fn default() -> Self {
        IdMap { items: Vec::new() }
    }
}

impl<K: Ord, V> IdMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        // the common case: the newest id
        match self.items.last() {
            Some((k, _)) if k.borrow() == key => Ok(self.items.len() - 1),
            Some((k, _)) if k.borrow() < key => Err(self.items.len()),
            _ => self.items.binary_search_by(|(k, _)| k.borrow().cmp(key)),
        }
    }

    /// The value of `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.items[i].1)
    }

    /// The value of `key`, mutably.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(move |i| &mut self.items[i].1)
    }

    /// Sets `key` to `value`; returns the value it replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.items[i].1, value)),
            Err(i) => {
                self.items.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`; returns its value.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.items.remove(i).1)
    }

    /// The value of `key`, inserting `V::default()` first if there is none.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.items.insert(i, (key, V::default()));
                i
            }
        };
        &mut self.items[i].1
    }

    /// Keeps the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.items.retain_mut(|(k, v)| keep(k, v));
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.items.iter().map(|(k, v)| (k, v))
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.items.iter().map(|(_, v)| v)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for IdMap<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("IdMap: no entry for key")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map_in_any_insertion_order() {
        let mut m = IdMap::new();
        for k in [5u32, 1, 9, 3, 7, 9] {
            m.insert(k, k * 10);
        }
        assert_eq!(m.len(), 5);
        assert_eq!(m.iter().map(|(k, _)| *k).collect::<Vec<_>>(), vec![1, 3, 5, 7, 9]);
        assert_eq!(m.get(&7), Some(&70));
        assert_eq!(m.insert(7, 1), Some(70));
        assert_eq!(m.remove(&3), Some(30));
        assert_eq!(m.remove(&3), None);
        assert!(m.get(&3).is_none());
        *m.get_or_default(4) += 2;
        assert_eq!(m[&4], 2);
        m.retain(|k, _| k % 2 == 1);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), vec![10, 50, 1, 90]);
    }

    #[test]
    fn string_keys_look_up_by_str() {
        let mut m: IdMap<String, u32> = IdMap::new();
        for (i, r) in ["10", "9", "11", "100"].iter().enumerate() {
            m.insert((*r).to_owned(), i as u32);
        }
        assert_eq!(m.get("9"), Some(&1));
        assert_eq!(m.remove("100"), Some(3));
        assert_eq!(m.get("100"), None);
    }
}
