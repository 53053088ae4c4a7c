//! Presence: the `presence_state` / `presence_diff` sync of Phoenix.Presence,
//! with phoenix.js's semantics (metas identified by `phx_ref`, a meta update is a
//! leave plus a join, diffs held while (re)joining) and without cloning the whole
//! state per diff: a diff costs time in proportion to its own size.
//!
//! Keys are plain strings in a map, so `__proto__`, `constructor` or `toString`
//! are ordinary keys.

use super::json::{self, JsonError};
use super::keyindex::KeyIndex;

/// One meta of a presence (one connection of a user): its raw JSON and `phx_ref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The meta object as JSON text.
    pub raw: String,
    phx_ref: MetaRef,
}

/// Where a meta's `phx_ref` is: most are plain text inside `raw` (no copy of their own).
#[derive(Debug, Clone, PartialEq, Eq)]
enum MetaRef {
    None,
    /// The ref's text is `raw[start..end]`.
    In(usize, usize),
    /// The ref held escapes: decoded.
    Decoded(String),
}

impl Meta {
    /// `phx_ref`, the meta's identity (`None` if the server sent none).
    pub fn phx_ref(&self) -> Option<&str> {
        match &self.phx_ref {
            MetaRef::None => None,
            MetaRef::In(start, end) => self.raw.get(*start..*end),
            MetaRef::Decoded(r) => Some(r),
        }
    }
}

/// A presence: its metas and any other fields the server put beside them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// The metas, oldest first.
    pub metas: Vec<Meta>,
    /// Other fields of the presence object (raw JSON values), e.g. from `fetch/2`.
    pub extra: Vec<(String, String)>,
}

impl Entry {
    /// Reads the presence object at `walk`'s position, in one pass.
    fn read(walk: &mut json::Walk<'_>) -> Result<Entry, JsonError> {
        let mut entry = Entry::default();
        let mut fields = walk.enter(b'{')?;
        while let Some(k) = fields.key()? {
            if !json::key_is(k, "metas") {
                entry.extra.push((json::unescape(k)?, fields.value()?.to_owned()));
                continue;
            }
            let mut metas = fields.enter(b'[')?;
            while metas.next_item()? {
                let mut meta = metas.enter(b'{')?;
                let mut ref_value = None;
                while let Some(mk) = meta.key()? {
                    let v = meta.value()?;
                    if ref_value.is_none() && json::key_is(mk, "phx_ref") {
                        ref_value = Some(v);
                    }
                }
                let raw = metas.leave(meta)?;
                let phx_ref = match ref_value {
                    None => MetaRef::None,
                    // a string without escapes: where its text sits in `raw` (`v` is a part of `raw`)
                    Some(v) if v.starts_with('"') && !json::has_backslash(v) => {
                        let start = v.as_ptr() as usize - raw.as_ptr() as usize + 1;
                        MetaRef::In(start, start + v.len() - 2)
                    }
                    Some(v) => json::opt_string(v)?.map_or(MetaRef::None, MetaRef::Decoded),
                };
                entry.metas.push(Meta { raw: raw.to_owned(), phx_ref });
            }
            fields.leave(metas)?;
        }
        walk.leave(fields)?;
        Ok(entry)
    }

    /// The presence as JSON: `{"metas":[...], ...extra}`.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(16 + self.metas.iter().map(|m| m.raw.len() + 1).sum::<usize>());
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        out.push_str("{\"metas\":[");
        for (i, m) in self.metas.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&m.raw);
        }
        out.push(']');
        for (k, v) in &self.extra {
            out.push(',');
            json::write_string(out, k);
            out.push(':');
            out.push_str(v);
        }
        out.push('}');
    }

    fn has_ref(&self, r: Option<&str>) -> bool {
        self.metas.iter().any(|m| m.phx_ref() == r)
    }
}

/// A join or a leave, as phoenix.js's `onJoin(key, current, newPres)` and
/// `onLeave(key, current, leftPres)` receive them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `key` joined (or got new metas).
    Join {
        /// The key.
        key: String,
        /// The presence before the join, if the key was present.
        current: Option<Entry>,
        /// The joined presence (only the new metas).
        joined: Entry,
    },
    /// `key` lost metas.
    Leave {
        /// The key.
        key: String,
        /// The presence after the leave (empty metas: the key is gone).
        current: Entry,
        /// The left presence (only the removed metas).
        left: Entry,
    },
}

/// Changes as one JSON array for the JS side to report in one pass:
/// `[["join", key, current or null, joined], ["leave", key, current, left], ...]`.
pub fn changes_json(changes: &[Change]) -> String {
    let mut out = String::from("[");
    for (i, c) in changes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let (kind, key, current, entry) = match c {
            Change::Join { key, current, joined } => ("[\"join\",", key, current.as_ref(), joined),
            Change::Leave { key, current, left } => ("[\"leave\",", key, Some(current), left),
        };
        out.push_str(kind);
        json::write_string(&mut out, key);
        out.push(',');
        match current {
            Some(e) => e.write_json(&mut out),
            None => out.push_str("null"),
        }
        out.push(',');
        entry.write_json(&mut out);
        out.push(']');
    }
    out.push(']');
    out
}

/// Most keys a presence state holds; joins of new keys beyond it are dropped and
/// reported (a hostile server cannot grow the client without bound).
pub const MAX_KEYS: usize = 100_000;

/// Which keys changed since the last [`PresenceState::take_touched`].
#[derive(Debug, Clone, Default)]
enum Watch {
    /// Not watched.
    #[default]
    Off,
    /// These (with repeats).
    Keys(Vec<String>),
    /// So many that [`PresenceState::take_touched`] reports [`Touched::All`]: no
    /// more are copied.
    All,
}

/// More touched keys than this, and more than a quarter of the state: rebuild rather than list.
const LIST_AT_MOST: usize = 64;

/// Notes that `key` changed in a state of `len` keys, while watched.
fn note(touched: &mut Watch, len: usize, key: &str) {
    if let Watch::Keys(t) = touched {
        t.push(key.to_owned());
        // the state grows by at most one key per noted key, so from here on the
        // count stays above a quarter of it: all
        if t.len() > LIST_AT_MOST && t.len() * 4 > len {
            *touched = Watch::All;
        }
    }
}

/// Presence state: key → presence, listed in the order keys first joined.
#[derive(Debug, Clone, Default)]
pub struct PresenceState {
    /// Keys and presences in join order; `None` where a key left (compacted when
    /// half are gaps).
    items: Vec<Option<(String, Entry)>>,
    /// key → its position in `items`
    index: KeyIndex,
    gaps: usize,
    /// Joins dropped because the state was full (since the last `take_dropped`).
    dropped: usize,
    /// Skip building [`Change`]s (nobody listens to joins and leaves): no entry is
    /// copied then, and a sync costs only the state update.
    quiet: bool,
    /// Keys changed since the last [`PresenceState::take_touched`], while watched.
    touched: Watch,
}

/// The key at `pos` of a state's items (a gap has none; the index never points at one).
fn key_at(items: &[Option<(String, Entry)>], pos: usize) -> &str {
    items[pos].as_ref().map_or("", |(k, _)| k)
}

/// What [`PresenceState::take_touched`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    /// These keys changed (each now has its current presence, or none).
    Keys(Vec<String>),
    /// Too much changed to list: rebuild from the whole state.
    All,
}

/// A parsed diff `{joins, leaves}`.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    joins: Vec<(String, Entry)>,
    leaves: Vec<(String, Entry)>,
}

impl Diff {
    /// Parses `{"joins": {...}, "leaves": {...}}`.
    pub fn parse(raw: &str) -> Result<Diff, JsonError> {
        let mut diff = Diff::default();
        let mut fields = json::members(raw)?;
        while let Some(k) = fields.key()? {
            let target = if json::key_is(k, "joins") {
                &mut diff.joins
            } else if json::key_is(k, "leaves") {
                &mut diff.leaves
            } else {
                fields.value()?;
                continue;
            };
            let mut presences = fields.enter(b'{')?;
            target.extend(read_presences(&mut presences)?);
            fields.leave(presences)?;
        }
        Ok(diff)
    }
}

/// `{key: presence, ...}` as `(key, entry)` pairs, in order.
fn parse_state(raw: &str) -> Result<Vec<(String, Entry)>, JsonError> {
    let mut walk = json::members(raw)?;
    read_presences(&mut walk)
}

/// The `key: presence` members of an object walk, in order.
fn read_presences(walk: &mut json::Walk<'_>) -> Result<Vec<(String, Entry)>, JsonError> {
    let mut out = Vec::new();
    while let Some(k) = walk.key()? {
        let key = json::unescape(k)?;
        out.push((key, Entry::read(walk)?));
    }
    Ok(out)
}

impl PresenceState {
    /// Parses a state object `{key: {metas: [...]}, ...}`.
    pub fn from_json(raw: &str) -> Result<PresenceState, JsonError> {
        let mut s = PresenceState::default();
        for (k, e) in parse_state(raw)? {
            s.insert(k, e);
        }
        Ok(s)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nobody is present.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The position of `key` in the items.
    fn position(&self, key: &str) -> Option<usize> {
        self.index.find(key, |p| key_at(&self.items, p))
    }

    /// The presence of `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.items[self.position(key)?].as_ref().map(|(_, e)| e)
    }

    /// Keys and presences in listing order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.items.iter().flatten().map(|(k, e)| (k.as_str(), e))
    }

    /// Starts (or stops) noting which keys change, for a copy of the state kept
    /// elsewhere (the shell's JS objects for `list()`).
    pub fn watch_changes(&mut self, on: bool) {
        self.touched = if on { Watch::Keys(Vec::new()) } else { Watch::Off };
    }

    /// What changed since the last call, for a copy kept elsewhere: the keys added,
    /// changed or removed (each once, first change first), or [`Touched::All`] when
    /// so much changed (a new state) that rebuilding the copy is cheaper.
    pub fn take_touched(&mut self) -> Touched {
        let keys = match &mut self.touched {
            Watch::Off => Vec::new(),
            Watch::Keys(keys) => std::mem::take(keys),
            all @ Watch::All => {
                *all = Watch::Keys(Vec::new());
                return Touched::All;
            }
        };
        if keys.len() > LIST_AT_MOST && keys.len() * 4 > self.len() {
            return Touched::All;
        }
        let mut seen = KeyIndex::default();
        let first: Vec<bool> = keys.iter().enumerate().map(|(i, k)| seen.insert(k, i, |p| &keys[p]).is_none()).collect();
        let mut first = first.into_iter();
        let mut once = keys;
        once.retain(|_| first.next().unwrap_or(false));
        Touched::Keys(once)
    }

    fn insert(&mut self, key: String, entry: Entry) {
        note(&mut self.touched, self.index.len(), &key);
        match self.index.insert(&key, self.items.len(), |p| key_at(&self.items, p)) {
            Some(at) => self.items[at] = Some((key, entry)),
            None => self.items.push(Some((key, entry))),
        }
    }

    fn remove(&mut self, key: &str) {
        let Some(at) = self.index.remove(key, |p| key_at(&self.items, p)) else { return };
        note(&mut self.touched, self.index.len(), key);
        self.items[at] = None;
        self.gaps += 1;
        if self.gaps > 16 && self.gaps * 2 > self.items.len() {
            self.items.retain(Option::is_some);
            self.index.clear();
            for (i, (k, _)) in self.items.iter().flatten().enumerate() {
                self.index.insert_new(k, i);
            }
            self.gaps = 0;
        }
    }

    /// Whether to build [`Change`]s for joins and leaves (on by default).
    pub fn set_reporting(&mut self, on: bool) {
        self.quiet = !on;
    }

    /// How many joins were dropped because the state was full, since the last call.
    pub fn take_dropped(&mut self) -> usize {
        std::mem::take(&mut self.dropped)
    }

    /// `open`, then `item` for each key and presence in listing order, comma
    /// separated, then `close`.
    fn write_each(&self, open: char, close: char, item: impl Fn(&mut String, &str, &Entry)) -> String {
        let mut out = String::from(open);
        for (i, (k, e)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item(&mut out, k, e);
        }
        out.push(close);
        out
    }

    /// The state as a JSON object.
    pub fn to_json(&self) -> String {
        self.write_each('{', '}', |out, k, e| {
            json::write_string(out, k);
            out.push(':');
            e.write_json(out);
        })
    }

    /// The state as a JSON array of `[key, presence]` pairs, in listing order.
    pub fn to_pairs_json(&self) -> String {
        self.write_each('[', ']', |out, k, e| {
            out.push('[');
            json::write_string(out, k);
            out.push(',');
            e.write_json(out);
            out.push(']');
        })
    }

    /// phoenix.js `Presence.syncState`: replaces the state with `new_state`,
    /// reporting the keys and metas that joined or left.
    pub fn sync_state(&mut self, new_state: &str, changes: &mut Vec<Change>) -> Result<(), JsonError> {
        let incoming = parse_state(new_state)?;
        if self.is_empty() {
            // the first state (or one after everyone left): every key joins
            let keys = incoming.len().min(MAX_KEYS);
            self.index.reserve(keys);
            self.items.reserve(keys);
            self.apply(Diff { joins: incoming, leaves: Vec::new() }, changes);
            return Ok(());
        }
        let mut incoming_keys = KeyIndex::default();
        incoming_keys.reserve(incoming.len());
        for (i, (k, _)) in incoming.iter().enumerate() {
            incoming_keys.insert(k, i, |p| &incoming[p].0);
        }
        let mut diff = Diff::default();
        for (key, entry) in self.iter() {
            if incoming_keys.find(key, |p| &incoming[p].0).is_none() {
                diff.leaves.push((key.to_owned(), entry.clone()));
            }
        }
        for (key, new_entry) in incoming {
            match self.get(&key) {
                Some(cur) => {
                    let joined: Vec<Meta> = new_entry.metas.iter().filter(|m| !cur.has_ref(m.phx_ref())).cloned().collect();
                    let left: Vec<Meta> = cur.metas.iter().filter(|m| !new_entry.has_ref(m.phx_ref())).cloned().collect();
                    if !joined.is_empty() {
                        diff.joins.push((key.clone(), Entry { metas: joined, extra: new_entry.extra.clone() }));
                    }
                    if !left.is_empty() {
                        diff.leaves.push((key, Entry { metas: left, extra: cur.extra.clone() }));
                    }
                }
                None => diff.joins.push((key, new_entry)),
            }
        }
        self.apply(diff, changes);
        Ok(())
    }

    /// phoenix.js `Presence.syncDiff` for a raw diff.
    pub fn sync_diff(&mut self, diff: &str, changes: &mut Vec<Change>) -> Result<(), JsonError> {
        let diff = Diff::parse(diff)?;
        self.apply(diff, changes);
        Ok(())
    }

    /// Applies a parsed diff: joins first (new metas appended after the kept
    /// current ones; a join without metas is ignored), then leaves (a key with no
    /// metas left is removed).
    pub fn apply(&mut self, diff: Diff, changes: &mut Vec<Change>) {
        let report = !self.quiet;
        for (key, joined) in diff.joins {
            if joined.metas.is_empty() {
                continue; // nothing joined: a key is never kept without metas
            }
            let len = self.len();
            // a new key is indexed at the end of the items, where it is pushed below
            let found = if len >= MAX_KEYS {
                self.position(&key)
            } else {
                self.index.insert(&key, self.items.len(), |p| key_at(&self.items, p))
            };
            match found {
                Some(at) => {
                    let Some((_, cur)) = &mut self.items[at] else { continue };
                    note(&mut self.touched, len, &key);
                    let current = report.then(|| cur.clone());
                    // the kept metas first, then the joined ones; the joined presence's other fields
                    cur.metas.retain(|m| !joined.has_ref(m.phx_ref()));
                    if report {
                        cur.metas.extend(joined.metas.iter().cloned());
                        cur.extra.clone_from(&joined.extra);
                        changes.push(Change::Join { key, current, joined });
                    } else {
                        cur.metas.extend(joined.metas);
                        cur.extra = joined.extra;
                    }
                }
                None if len >= MAX_KEYS => self.dropped += 1,
                None => {
                    note(&mut self.touched, len, &key);
                    if report {
                        self.items.push(Some((key.clone(), joined.clone())));
                        changes.push(Change::Join { key, current: None, joined });
                    } else {
                        self.items.push(Some((key, joined)));
                    }
                }
            }
        }
        for (key, left) in diff.leaves {
            let Some(at) = self.position(&key) else { continue };
            let Some((_, cur)) = &mut self.items[at] else { continue };
            cur.metas.retain(|m| !left.has_ref(m.phx_ref()));
            let empty = cur.metas.is_empty();
            if !self.quiet {
                let current = cur.clone();
                changes.push(Change::Leave { key: key.clone(), current, left });
            }
            if empty {
                self.remove(&key);
            } else {
                note(&mut self.touched, self.index.len(), &key);
            }
        }
    }
}

/// Most diffs held while waiting for a state: beyond it the oldest are dropped and
/// reported (a hostile server cannot grow the client without bound).
pub const MAX_PENDING_DIFFS: usize = 1_000;

/// A channel's presence tracker (phoenix.js `new Presence(channel)`): applies
/// `presence_state` and `presence_diff` in order, holding diffs that arrive
/// before the state of the current join.
#[derive(Debug, Default)]
pub struct PresenceTracker {
    /// The synced state.
    pub state: PresenceState,
    pending: Vec<Diff>,
    join_ref: Option<String>,
}

impl PresenceTracker {
    /// Whether diffs are being held (no state yet for the channel's current join).
    pub fn in_pending_sync_state(&self, channel_join_ref: Option<&str>) -> bool {
        self.join_ref.is_none() || self.join_ref.as_deref() != channel_join_ref
    }

    /// A `presence_state` arrived: sync it, then apply the held diffs. Returns the
    /// changes; a malformed state changes nothing.
    pub fn handle_state(&mut self, raw: &str, channel_join_ref: Option<&str>) -> Result<Vec<Change>, JsonError> {
        let mut changes = Vec::new();
        self.state.sync_state(raw, &mut changes)?;
        self.join_ref = channel_join_ref.map(str::to_owned);
        for diff in std::mem::take(&mut self.pending) {
            self.state.apply(diff, &mut changes);
        }
        self.check_full()?;
        Ok(changes)
    }

    /// A `presence_diff` arrived: applied now (`Some(changes)`), or held (`None`).
    pub fn handle_diff(&mut self, raw: &str, channel_join_ref: Option<&str>) -> Result<Option<Vec<Change>>, JsonError> {
        let diff = Diff::parse(raw)?;
        if self.in_pending_sync_state(channel_join_ref) {
            if self.pending.len() >= MAX_PENDING_DIFFS {
                self.pending.remove(0);
                self.pending.push(diff);
                return Err(JsonError { offset: 0, reason: "too many presence diffs before presence_state; the oldest was dropped" });
            }
            self.pending.push(diff);
            return Ok(None);
        }
        let mut changes = Vec::new();
        self.state.apply(diff, &mut changes);
        self.check_full()?;
        Ok(Some(changes))
    }

    fn check_full(&mut self) -> Result<(), JsonError> {
        match self.state.take_dropped() {
            0 => Ok(()),
            _ => Err(JsonError { offset: 0, reason: "presence state is full (100,000 keys); joins of new keys were dropped" }),
        }
    }

    /// Diffs held until the next state.
    pub fn pending_diffs(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &PresenceState) -> Vec<&str> {
        s.iter().map(|(k, _)| k).collect()
    }

    fn refs(e: &Entry) -> Vec<&str> {
        e.metas.iter().map(|m| m.phx_ref().unwrap_or("")).collect()
    }

    fn summary(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::Join { key, current, joined } => {
                    format!("join {key} cur={:?} new={:?}", current.as_ref().map(refs), refs(joined))
                }
                Change::Leave { key, current, left } => format!("leave {key} cur={:?} left={:?}", refs(current), refs(left)),
            })
            .collect()
    }

    // presence_test.js syncState: "syncs empty state"
    #[test]
    fn sync_state_syncs_empty_state() {
        let mut s = PresenceState::default();
        let mut ch = vec![];
        s.sync_state(r#"{"u1":{"metas":[{"id":1,"phx_ref":"1"}]}}"#, &mut ch).unwrap();
        assert_eq!(s.to_json(), r#"{"u1":{"metas":[{"id":1,"phx_ref":"1"}]}}"#);
        assert_eq!(summary(&ch), ["join u1 cur=None new=[\"1\"]"]);
    }

    // "onJoins new presences and onLeave's left presences"
    #[test]
    fn sync_state_on_joins_new_and_on_leaves_left() {
        let mut s = PresenceState::from_json(r#"{"u4":{"metas":[{"id":4,"phx_ref":"4"}]}}"#).unwrap();
        let mut ch = vec![];
        s.sync_state(r#"{"u1":{"metas":[{"id":1,"phx_ref":"1"}]},"u2":{"metas":[{"id":2,"phx_ref":"2"}]}}"#, &mut ch).unwrap();
        assert_eq!(keys(&s), ["u1", "u2"]);
        assert_eq!(
            summary(&ch),
            ["join u1 cur=None new=[\"1\"]", "join u2 cur=None new=[\"2\"]", "leave u4 cur=[] left=[\"4\"]"]
        );
    }

    #[test]
    fn changes_as_one_json_array() {
        let mut s = PresenceState::from_json(r#"{"u4":{"metas":[{"id":4,"phx_ref":"4"}]},"u\"3":{"metas":[{"phx_ref":"3"}]}}"#).unwrap();
        let mut ch = vec![];
        assert_eq!(changes_json(&ch), "[]");
        s.sync_state(r#"{"u1":{"metas":[{"id":1,"phx_ref":"1"}]},"u\"3":{"metas":[{"phx_ref":"3"},{"phx_ref":"3b"}]}}"#, &mut ch).unwrap();
        assert_eq!(
            changes_json(&ch),
            concat!(
                r#"[["join","u1",null,{"metas":[{"id":1,"phx_ref":"1"}]}],"#,
                r#"["join","u\"3",{"metas":[{"phx_ref":"3"}]},{"metas":[{"phx_ref":"3b"}]}],"#,
                r#"["leave","u4",{"metas":[]},{"metas":[{"id":4,"phx_ref":"4"}]}]]"#
            )
        );
        json::validate(&changes_json(&ch)).unwrap();
    }

    // "onJoins only newly added metas"
    #[test]
    fn sync_state_on_joins_only_newly_added_metas() {
        let mut s = PresenceState::from_json(r#"{"u3":{"metas":[{"id":3,"phx_ref":"3"}]}}"#).unwrap();
        let mut ch = vec![];
        s.sync_state(r#"{"u3":{"metas":[{"id":3,"phx_ref":"3"},{"id":3,"phx_ref":"3.new"}]}}"#, &mut ch).unwrap();
        assert_eq!(summary(&ch), ["join u3 cur=Some([\"3\"]) new=[\"3.new\"]"]);
        assert_eq!(refs(s.get("u3").unwrap()), ["3", "3.new"]);
    }

    // syncDiff: "syncs empty state"
    #[test]
    fn sync_diff_syncs_empty_state() {
        let mut s = PresenceState::default();
        let mut ch = vec![];
        s.sync_diff(r#"{"joins":{"u1":{"metas":[{"id":1,"phx_ref":"1"}]}},"leaves":{}}"#, &mut ch).unwrap();
        assert_eq!(keys(&s), ["u1"]);
    }

    // "removes presence when meta is empty and adds additional meta"
    #[test]
    fn sync_diff_removes_presence_when_meta_is_empty_and_adds_additional_meta() {
        let mut s = PresenceState::from_json(
            r#"{"u1":{"metas":[{"id":1,"phx_ref":"1"}]},"u2":{"metas":[{"id":2,"phx_ref":"2"}]}}"#,
        )
        .unwrap();
        let mut ch = vec![];
        s.sync_diff(
            r#"{"joins":{"u1":{"metas":[{"id":1,"phx_ref":"1.2"}]}},"leaves":{"u2":{"metas":[{"id":2,"phx_ref":"2"}]}}}"#,
            &mut ch,
        )
        .unwrap();
        assert_eq!(keys(&s), ["u1"]);
        assert_eq!(refs(s.get("u1").unwrap()), ["1", "1.2"]);
    }

    // "removes meta while leaving key if other metas exist"
    #[test]
    fn sync_diff_removes_meta_while_leaving_key_if_other_metas_exist() {
        let mut s = PresenceState::from_json(r#"{"u1":{"metas":[{"id":1,"phx_ref":"1"},{"id":1,"phx_ref":"1.2"}]}}"#).unwrap();
        let mut ch = vec![];
        s.sync_diff(r#"{"joins":{},"leaves":{"u1":{"metas":[{"id":1,"phx_ref":"1"}]}}}"#, &mut ch).unwrap();
        assert_eq!(refs(s.get("u1").unwrap()), ["1.2"]);
        assert_eq!(summary(&ch), ["leave u1 cur=[\"1.2\"] left=[\"1\"]"]);
    }

    // "Object.prototype key collisions": syncState and syncDiff
    #[test]
    fn prototype_keys_are_ordinary_keys() {
        let mut s = PresenceState::default();
        let mut ch = vec![];
        let state = r#"{"__proto__":{"metas":[{"phx_ref":"p"}]},"constructor":{"metas":[{"phx_ref":"c"}]},"toString":{"metas":[{"phx_ref":"t"}]}}"#;
        s.sync_state(state, &mut ch).unwrap();
        assert_eq!(keys(&s), ["__proto__", "constructor", "toString"]);
        s.sync_diff(r#"{"joins":{},"leaves":{"__proto__":{"metas":[{"phx_ref":"p"}]},"toString":{"metas":[{"phx_ref":"t"}]}}}"#, &mut ch)
            .unwrap();
        assert_eq!(keys(&s), ["constructor"]);
        assert_eq!(s.to_json(), r#"{"constructor":{"metas":[{"phx_ref":"c"}]}}"#);
    }

    // list: "lists full presence by default" (custom chooser: the shell's part)
    #[test]
    fn lists_in_join_order_with_extra_fields_kept() {
        let s = PresenceState::from_json(r#"{"b":{"metas":[{"phx_ref":"2"}],"user":{"name":"B"}},"a":{"metas":[{"phx_ref":"1"}]}}"#).unwrap();
        assert_eq!(s.to_pairs_json(), r#"[["b",{"metas":[{"phx_ref":"2"}],"user":{"name":"B"}}],["a",{"metas":[{"phx_ref":"1"}]}]]"#);
        assert_eq!(s.to_json(), r#"{"b":{"metas":[{"phx_ref":"2"}],"user":{"name":"B"}},"a":{"metas":[{"phx_ref":"1"}]}}"#);
    }

    // instance: "updates existing meta for a presence update (leave + join)"
    #[test]
    fn join_order_survives_many_leaves_and_rejoins() {
        let mut s = PresenceState::default();
        let mut changes = Vec::new();
        let entry = |k: u32| format!(r#"{{"metas":[{{"phx_ref":"r{k}"}}]}}"#);
        let state: Vec<String> = (0..40).map(|k| format!(r#""k{k}":{}"#, entry(k))).collect();
        s.sync_state(&format!("{{{}}}", state.join(",")), &mut changes).unwrap();
        // 30 leave (the order list compacts on the way), then k5 and a new key join
        let leaves: Vec<String> = (0..40).filter(|k| k % 4 != 0).map(|k| format!(r#""k{k}":{}"#, entry(k))).collect();
        s.sync_diff(&format!(r#"{{"joins":{{}},"leaves":{{{}}}}}"#, leaves.join(",")), &mut changes).unwrap();
        s.sync_diff(&format!(r#"{{"joins":{{"k5":{},"new":{}}},"leaves":{{}}}}"#, entry(5), entry(99)), &mut changes).unwrap();
        let expected: Vec<String> = (0..40).filter(|k| k % 4 == 0).map(|k| format!("k{k}")).chain(["k5".into(), "new".into()]).collect();
        assert_eq!(keys(&s), expected);
        assert_eq!(s.len(), 12);
        assert_eq!(refs(s.get("k8").unwrap()), vec!["r8"]);
        assert!(s.get("k9").is_none());
    }

    #[test]
    fn watched_state_notes_every_changed_key() {
        let mut s = PresenceState::default();
        let mut changes = Vec::new();
        s.sync_diff(r#"{"joins":{"a":{"metas":[{"phx_ref":"1"}]}},"leaves":{}}"#, &mut changes).unwrap();
        assert_eq!(s.take_touched(), Touched::Keys(vec![]), "not watched yet");
        s.watch_changes(true);
        s.sync_diff(
            r#"{"joins":{"b":{"metas":[{"phx_ref":"2"},{"phx_ref":"3"}]},"c":{"metas":[{"phx_ref":"4"}]}},"leaves":{"a":{"metas":[{"phx_ref":"1"}]},"b":{"metas":[{"phx_ref":"2"}]},"z":{"metas":[{"phx_ref":"9"}]}}}"#,
            &mut changes,
        )
        .unwrap();
        assert_eq!(s.take_touched(), Touched::Keys(vec!["b".into(), "c".into(), "a".into()]));
        assert_eq!(s.take_touched(), Touched::Keys(vec![]));
        // a whole new state of 100 keys: rebuild rather than list
        let state: Vec<String> = (0..100).map(|k| format!(r#""n{k}":{{"metas":[{{"phx_ref":"n{k}"}}]}}"#)).collect();
        s.sync_state(&format!("{{{}}}", state.join(",")), &mut changes).unwrap();
        assert_eq!(s.take_touched(), Touched::All);
        // and then key by key again
        s.sync_diff(r#"{"joins":{"x":{"metas":[{"phx_ref":"6"}]}},"leaves":{}}"#, &mut changes).unwrap();
        assert_eq!(s.take_touched(), Touched::Keys(vec!["x".into()]));
        s.watch_changes(false);
        s.sync_diff(r#"{"joins":{"d":{"metas":[{"phx_ref":"5"}]}},"leaves":{}}"#, &mut changes).unwrap();
        assert_eq!(s.take_touched(), Touched::Keys(vec![]));
    }

    #[test]
    fn presences_are_read_in_one_pass_with_escapes_and_errors_caught() {
        // escaped keys name the same fields; other fields and meta text are kept as sent
        let raw = r#" { "u\u0031" : { "met\u0061s" : [ {"phx\u005fref":"a\"1", "n": [1, {"x": null}]} ], "user": {"id": 1} } } "#;
        let s = PresenceState::from_json(raw).unwrap();
        let e = s.get("u1").unwrap();
        assert_eq!(refs(e), vec!["a\"1"]);
        assert_eq!(e.metas[0].raw, r#"{"phx\u005fref":"a\"1", "n": [1, {"x": null}]}"#);
        assert_eq!(e.extra, vec![("user".to_owned(), r#"{"id": 1}"#.to_owned())]);
        // the first phx_ref counts, as before
        let s = PresenceState::from_json(r#"{"k":{"metas":[{"phx_ref":"1","phx_ref":"2"}]}}"#).unwrap();
        assert_eq!(refs(s.get("k").unwrap()), vec!["1"]);
        // a plain ref is read where it sits in the meta's text; an escaped one decoded;
        // both name the same meta, and a null ref is none
        let mut s = PresenceState::from_json(r#"{"k":{"metas":[{"n": 1, "phx_ref" : "r7" },{"phx_ref":null}]}}"#).unwrap();
        assert_eq!(s.get("k").unwrap().metas.iter().map(Meta::phx_ref).collect::<Vec<_>>(), [Some("r7"), None]);
        s.sync_diff(r#"{"joins":{},"leaves":{"k":{"metas":[{"phx_ref":"r\u0037"}]}}}"#, &mut Vec::new()).unwrap();
        assert_eq!(s.get("k").unwrap().metas.iter().map(Meta::phx_ref).collect::<Vec<_>>(), [None]);
        for bad in [
            r#"{"k":{"metas":[{"phx_ref":"1"}]}} x"#,       // trailing characters
            r#"{"k":{"metas":[{"phx_ref":"1"},]}}"#,        // trailing comma in metas
            r#"{"k":{"metas":[{"phx_ref":1}]}}"#,           // phx_ref not a string
            r#"{"k":{"metas":[7]}}"#,                       // a meta that is not an object
            r#"{"k":{"metas":[{"a":tru}]}}"#,               // a bad literal deep in a meta
            r#"{"k":{"metas":[],"x":[1 2]}}"#,              // a bad extra field
            r#"{"k":{"metas":{}}}"#,                        // metas not an array
            r#"{"k":{"metas":[{"phx_ref":"1"}]}"#,          // unterminated
        ] {
            assert!(PresenceState::from_json(bad).is_err(), "{bad} should be rejected");
            if !bad.ends_with(" x") {
                let diff = format!(r#"{{"joins":{bad},"leaves":{{}}}}"#);
                assert!(Diff::parse(&diff).is_err(), "{diff} should be rejected");
            }
        }
        // unknown diff fields are skipped, but still validated
        assert!(Diff::parse(r#"{"other":{"a":[1]},"joins":{},"leaves":{}}"#).is_ok());
        assert!(Diff::parse(r#"{"other":{"a":[1,]},"joins":{},"leaves":{}}"#).is_err());
    }

    #[test]
    fn a_meta_update_arrives_as_leave_plus_join() {
        let mut s = PresenceState::from_json(r#"{"u1":{"metas":[{"status":"away","phx_ref":"1"}]}}"#).unwrap();
        let mut ch = vec![];
        s.sync_diff(
            r#"{"joins":{"u1":{"metas":[{"status":"online","phx_ref":"2","phx_ref_prev":"1"}]}},"leaves":{"u1":{"metas":[{"status":"away","phx_ref":"1"}]}}}"#,
            &mut ch,
        )
        .unwrap();
        assert_eq!(s.to_json(), r#"{"u1":{"metas":[{"status":"online","phx_ref":"2","phx_ref_prev":"1"}]}}"#);
        assert_eq!(summary(&ch), ["join u1 cur=Some([\"1\"]) new=[\"2\"]", "leave u1 cur=[\"2\"] left=[\"1\"]"]);
    }

    // instance: "applies pending diff if state is not yet synced"
    #[test]
    fn tracker_holds_diffs_until_the_state_of_the_current_join() {
        let mut t = PresenceTracker::default();
        let diff = r#"{"joins":{"u2":{"metas":[{"phx_ref":"2"}]}},"leaves":{"u1":{"metas":[{"phx_ref":"1"}]}}}"#;
        assert_eq!(t.handle_diff(diff, Some("5")).unwrap(), None);
        assert_eq!(t.pending_diffs(), 1);
        let changes = t.handle_state(r#"{"u1":{"metas":[{"phx_ref":"1"}]}}"#, Some("5")).unwrap();
        assert_eq!(summary(&changes).len(), 3);
        assert_eq!(keys(&t.state), ["u2"]);
        // a rejoin (new join ref) holds diffs again until its state
        assert_eq!(t.handle_diff(diff, Some("9")).unwrap(), None);
        assert!(t.handle_diff(diff, Some("5")).unwrap().is_some());
    }

    #[test]
    fn a_join_without_metas_keeps_no_empty_key() {
        let mut s = PresenceState::default();
        let mut ch = vec![];
        s.sync_diff(r#"{"joins":{"ghost":{"metas":[]}},"leaves":{}}"#, &mut ch).unwrap();
        s.sync_state(r#"{"ghost2":{"metas":[]}}"#, &mut ch).unwrap();
        assert!(s.is_empty());
        assert!(ch.is_empty());
    }

    #[test]
    fn a_quiet_state_applies_the_same_without_reporting() {
        let state = r#"{"u1":{"metas":[{"phx_ref":"1"}]},"u2":{"metas":[{"phx_ref":"2"}],"x":1}}"#;
        let diff = r#"{"joins":{"u1":{"metas":[{"phx_ref":"1b"}]},"u3":{"metas":[{"phx_ref":"3"}]}},"leaves":{"u2":{"metas":[{"phx_ref":"2"}]}}}"#;
        let (mut loud, mut quiet) = (PresenceState::default(), PresenceState::default());
        quiet.set_reporting(false);
        let (mut a, mut b) = (vec![], vec![]);
        for (s, ch) in [(&mut loud, &mut a), (&mut quiet, &mut b)] {
            s.sync_state(state, ch).unwrap();
            s.sync_diff(diff, ch).unwrap();
        }
        assert_eq!(loud.to_json(), quiet.to_json());
        assert_eq!(loud.to_json(), r#"{"u1":{"metas":[{"phx_ref":"1"},{"phx_ref":"1b"}]},"u3":{"metas":[{"phx_ref":"3"}]}}"#);
        assert_eq!(a.len(), 5);
        assert!(b.is_empty());
    }

    #[test]
    fn held_diffs_are_bounded() {
        let mut t = PresenceTracker::default();
        let diff = r#"{"joins":{"u":{"metas":[{"phx_ref":"1"}]}},"leaves":{}}"#;
        for _ in 0..MAX_PENDING_DIFFS {
            assert_eq!(t.handle_diff(diff, Some("1")).unwrap(), None);
        }
        assert!(t.handle_diff(diff, Some("1")).is_err());
        assert_eq!(t.pending_diffs(), MAX_PENDING_DIFFS);
    }

    #[test]
    fn malformed_presence_payloads_are_errors() {
        let mut s = PresenceState::default();
        let mut ch = vec![];
        for bad in ["[]", r#"{"u":{"metas":5}}"#, r#"{"u":{"metas":[{"phx_ref":3}]}}"#, "{"] {
            assert!(s.sync_state(bad, &mut ch).is_err(), "{bad}");
        }
        assert!(s.sync_diff(r#"{"joins":[]}"#, &mut ch).is_err());
        let mut t = PresenceTracker::default();
        assert!(t.handle_diff("{nope", None).is_err());
    }
}
