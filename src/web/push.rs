//! [`Push`]: a message sent on a channel and its outcome (phoenix.js `Push`).

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use futures_channel::oneshot;

use crate::core::Payload;

type Hook = Rc<dyn Fn(&Payload)>;

/// A push's outcome so far and who waits for it, shared by its handles and the driver.
pub(crate) struct PushSlot {
    event: String,
    outcome: RefCell<Option<(String, Payload)>>,
    hooks: RefCell<Vec<(String, Hook)>>,
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
}

impl PushSlot {
    pub(crate) fn new(event: &str) -> PushSlot {
        PushSlot { event: event.to_owned(), outcome: RefCell::new(None), hooks: RefCell::new(Vec::new()), waiters: RefCell::new(Vec::new()) }
    }

    /// Its socket is gone and the push had no outcome yet: it settles as
    /// [`CANCELED`], its hooks for that status and its waiters called.
    pub(crate) fn cancel(&self) {
        if self.outcome.borrow().is_none() {
            self.reply(CANCELED.to_owned(), Payload::empty());
        }
    }

    /// An outcome arrived (a join's again on each rejoin): its hooks, then its waiters.
    pub(crate) fn reply(&self, status: String, response: Payload) {
        let hooks: Vec<Hook> = self.hooks.borrow().iter().filter(|(s, _)| *s == status).map(|(_, f)| f.clone()).collect();
        *self.outcome.borrow_mut() = Some((status, response.clone()));
        for f in hooks {
            f(&response);
        }
        for w in self.waiters.take() {
            let _ = w.send(());
        }
    }
}

/// The status of a push whose socket was dropped (its last handle) before it had an
/// outcome: it will never have one.
pub const CANCELED: &str = "canceled";

/// Why a push did not answer `ok`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushError {
    /// The push's event.
    pub event: String,
    /// `error`, `timeout`, [`CANCELED`] or a custom status.
    pub status: String,
    /// The response (`{}` for a timeout).
    pub response: Payload,
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "push \"{}\" failed: {} {}", self.event, self.status, self.response.as_json().unwrap_or("(binary)"))
    }
}

impl std::error::Error for PushError {}

/// Why [`Socket::refresh_token`](super::Socket::refresh_token) failed: the first channel
/// (in the order they were made) that did not accept the token, and its push's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshError {
    /// The channel's topic.
    pub topic: String,
    /// Its `access_token` push's outcome (`error` with the server's response, or `timeout`).
    pub error: PushError,
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.topic, self.error)
    }
}

impl std::error::Error for RefreshError {}

/// A push (or a join, or a leave) and its outcome. Cloning gives another handle.
#[derive(Clone)]
pub struct Push {
    slot: Rc<PushSlot>,
}

impl Push {
    pub(crate) fn new(slot: Rc<PushSlot>) -> Push {
        Push { slot }
    }

    /// The event pushed.
    pub fn event(&self) -> &str {
        &self.slot.event
    }

    /// Calls `callback` with the response when the outcome is `status` (`ok`, `error`,
    /// `timeout` or a custom one); at once if that outcome has already arrived.
    pub fn receive(&self, status: &str, callback: impl Fn(&Payload) + 'static) -> &Push {
        let arrived = match &*self.slot.outcome.borrow() {
            Some((s, response)) if s == status => Some(response.clone()),
            _ => None,
        };
        if let Some(response) = arrived {
            callback(&response);
        }
        self.slot.hooks.borrow_mut().push((status.to_owned(), Rc::new(callback)));
        self
    }

    /// The outcome so far: its status and response.
    pub fn outcome_now(&self) -> Option<(String, Payload)> {
        self.slot.outcome.borrow().clone()
    }

    /// The response of an `ok`, or why not: waits for the first outcome. Every push
    /// has one: the server's reply, `timeout` (also after a leave or a disconnect), or
    /// [`CANCELED`] when the socket's last handle is dropped first.
    pub async fn outcome(&self) -> Result<Payload, PushError> {
        if self.slot.outcome.borrow().is_none() {
            let (tx, rx) = oneshot::channel();
            self.slot.waiters.borrow_mut().push(tx);
            let _ = rx.await;
        }
        match self.slot.outcome.borrow().clone() {
            Some((status, response)) if status == "ok" => Ok(response),
            Some((status, response)) => Err(PushError { event: self.slot.event.clone(), status, response }),
            None => Err(PushError { event: self.slot.event.clone(), status: CANCELED.to_owned(), response: Payload::empty() }),
        }
    }
}
