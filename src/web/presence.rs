//! [`Presence`]: who is on a channel, synced from `presence_state` and `presence_diff`
//! (phoenix.js `Presence`). The state is held once, in the core.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::mpsc;

use super::channel::Channel;
use super::Error;
use crate::core::{Change, Entry, PresenceId};

type OnJoin = Rc<dyn Fn(&str, Option<&Entry>, &Entry)>;
type OnLeave = Rc<dyn Fn(&str, &Entry, &Entry)>;

/// A presence's callbacks, held by its socket's driver.
#[derive(Default)]
pub(crate) struct PresenceSlot {
    join: RefCell<Option<OnJoin>>,
    leave: RefCell<Option<OnLeave>>,
    sync: RefCell<Option<Rc<dyn Fn()>>>,
    syncs: RefCell<Vec<mpsc::UnboundedSender<()>>>,
}

impl PresenceSlot {
    /// Its channel is gone: the sync streams end.
    pub(crate) fn close(&self) {
        self.syncs.borrow_mut().clear();
    }

    /// A sync was applied: `on_join` / `on_leave` for each change, then `on_sync`.
    pub(crate) fn synced(&self, changes: &[Change]) {
        let (join, leave, sync) = (self.join.borrow().clone(), self.leave.borrow().clone(), self.sync.borrow().clone());
        for c in changes {
            match c {
                Change::Join { key, current, joined } => {
                    if let Some(f) = &join {
                        f(key, current.as_ref(), joined);
                    }
                }
                Change::Leave { key, current, left } => {
                    if let Some(f) = &leave {
                        f(key, current, left);
                    }
                }
            }
        }
        self.syncs.borrow_mut().retain(|tx| tx.unbounded_send(()).is_ok());
        if let Some(f) = sync {
            f();
        }
    }
}

/// The presences of a channel. It is a handle, as its [`Channel`]: while it lives, so
/// does its socket.
pub struct Presence {
    channel: Channel,
    id: PresenceId,
    slot: Rc<PresenceSlot>,
}

impl Presence {
    /// Tracks `channel`'s `presence_state` and `presence_diff` events.
    pub fn new(channel: &Channel) -> Result<Presence, Error> {
        Presence::with_events(channel, None, None)
    }

    /// Tracks other event names for the state and the diffs (`None`: the default).
    pub fn with_events(channel: &Channel, state_event: Option<&str>, diff_event: Option<&str>) -> Result<Presence, Error> {
        let shared = &channel.socket().shared;
        let id = shared.core.borrow_mut().presence(channel.id(), state_event, diff_event).map_err(|e| Error(e.message()))?;
        shared.core.borrow_mut().set_presence_reporting(id, false);
        let slot = Rc::new(PresenceSlot::default());
        shared.state.borrow_mut().presences.insert(id.0, slot.clone());
        Ok(Presence { channel: channel.clone(), id, slot })
    }

    /// Calls `callback(key, current, joined)` for each join (`current`: the presence
    /// before it, if the key was there).
    pub fn on_join(&self, callback: impl Fn(&str, Option<&Entry>, &Entry) + 'static) {
        *self.slot.join.borrow_mut() = Some(Rc::new(callback));
        self.channel.socket().shared.core.borrow_mut().set_presence_reporting(self.id, true);
    }

    /// Calls `callback(key, current, left)` for each leave (`current` has no metas
    /// when the key is gone).
    pub fn on_leave(&self, callback: impl Fn(&str, &Entry, &Entry) + 'static) {
        *self.slot.leave.borrow_mut() = Some(Rc::new(callback));
        self.channel.socket().shared.core.borrow_mut().set_presence_reporting(self.id, true);
    }

    /// Calls `callback` after each sync.
    pub fn on_sync(&self, callback: impl Fn() + 'static) {
        *self.slot.sync.borrow_mut() = Some(Rc::new(callback));
    }

    /// A `()` after each sync from now on, as a stream (read [`Presence::list`] then). It
    /// ends when the channel leaves or is removed, or when the socket's last handle is
    /// dropped.
    pub fn syncs(&self) -> mpsc::UnboundedReceiver<()> {
        let (tx, rx) = mpsc::unbounded();
        self.slot.syncs.borrow_mut().push(tx);
        rx
    }

    pub(crate) fn id(&self) -> PresenceId {
        self.id
    }

    /// The channel.
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// `chooser(key, presence)` for each key, in join order.
    pub fn list<T>(&self, mut chooser: impl FnMut(&str, &Entry) -> T) -> Vec<T> {
        let core = self.channel.socket().shared.core.borrow();
        core.presence_state(self.id).map(|s| s.iter().map(|(k, e)| chooser(k, e)).collect()).unwrap_or_default()
    }

    /// The keys, in join order.
    pub fn keys(&self) -> Vec<String> {
        self.list(|k, _| k.to_owned())
    }

    /// The state as a JSON object (`{key: {metas: [...]}}`).
    pub fn state_json(&self) -> String {
        let core = self.channel.socket().shared.core.borrow();
        core.presence_state(self.id).map_or_else(|| "{}".to_owned(), |s| s.to_json())
    }

    /// Whether the first state has not arrived since the latest join.
    pub fn in_pending_sync_state(&self) -> bool {
        self.channel.socket().shared.core.borrow().presence_pending(self.id).unwrap_or(true)
    }
}
