//! `Presence` for JavaScript (phoenix.js's API); the state lives in the core.

use std::rc::Rc;

use js_sys::{Array, Function, JSON};
use wasm_bindgen::prelude::*;

use super::shell::{PresenceEvents, Shell};
use super::values::{error, function};
use super::Channel;
use crate::core::json::JsonError;
use crate::core::presence::{changes_json, PresenceState};
use crate::core::text::cat;
use crate::core::PresenceId;

/// Presence on a channel (phoenix.js `Presence`): syncs `presence_state` and
/// `presence_diff`, calls `onJoin`/`onLeave` per change and `onSync` after each.
#[wasm_bindgen]
pub struct Presence {
    shell: Rc<Shell>,
    id: PresenceId,
    /// Its `onJoin`, `onLeave` and `onSync` (`js/events.js`).
    events: PresenceEvents,
}

fn parse(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen(module = "/js/options.js")]
extern "C" {
    /// `[state, diff]`: the event names of `opts.events` (undefined where not given);
    /// throws on a wrong type.
    #[wasm_bindgen(catch, js_name = presenceOptions)]
    fn presence_options(opts: &JsValue) -> Result<Array, JsValue>;
}

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// Calls `on_join` / `on_leave` (functions or undefined) for each change of the JSON
    /// array [`changes_json`] wrote.
    #[wasm_bindgen(js_name = reportChanges)]
    fn report_changes(changes: &str, on_join: &JsValue, on_leave: &JsValue);
}

fn optional_fn(v: &JsValue, what: &str) -> Result<Option<Function>, JsValue> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        function(v, what).map(Some)
    }
}

/// `chooser(key, presence)` for each `[key, presence]` of `pairs` (any iterable):
/// `Array.from` and `Array.prototype.map` in the engine, no call across the wasm
/// boundary per presence.
fn choose(pairs: &JsValue, chooser: &Function) -> Result<Array, JsValue> {
    let pairs = Array::from(pairs);
    // pairs.map(Function.prototype.apply.bind(chooser, null)): chooser(key, presence) per pair
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &key.into());
    let apply: Function = get(&get(&get(&super::values::global(), "Function")?, "prototype")?, "apply")?.into();
    let map: Function = get(&pairs, "map")?.into();
    Ok(map.call1(&pairs, &apply.bind1(chooser, &JsValue::NULL))?.into())
}

#[wasm_bindgen]
impl Presence {
    /// `new Presence(channel, {events: {state, diff}})`; events default to
    /// `presence_state` and `presence_diff`.
    #[wasm_bindgen(constructor)]
    pub fn new(channel: &Channel, opts: JsValue) -> Result<Presence, JsValue> {
        let names = presence_options(&opts)?;
        let (state, diff) = (names.get(0).as_string(), names.get(1).as_string());
        let shell = channel.shell.clone();
        let id = shell
            .core
            .borrow_mut()
            .presence(channel.id, state.as_deref(), diff.as_deref())
            .map_err(|e| error(e.message()))?;
        // joins and leaves are only described once someone listens to them
        shell.core.borrow_mut().set_presence_reporting(id, false);
        let events = shell.add_presence(id);
        Ok(Presence { shell, id, events })
    }

    /// Its `onJoin`, `onLeave` and `onSync` callbacks (`js/events.js`), for the package's
    /// JS. Not API.
    #[wasm_bindgen(js_name = __events, skip_typescript)]
    pub fn events(&self) -> JsValue {
        self.events.clone().into()
    }

    /// Has the core describe joins and leaves (once `onJoin` or `onLeave` is set). Not API.
    #[wasm_bindgen(js_name = __report, skip_typescript)]
    pub fn report(&self) {
        self.shell.core.borrow_mut().set_presence_reporting(self.id, true);
    }

    /// The presences as a JS `Map` (key to presence, in join order), kept by the shell:
    /// the package's JS lists them in one loop (`list()`). Not API (read-only use).
    #[wasm_bindgen(js_name = __presences, skip_typescript)]
    pub fn presences_map(&self) -> js_sys::Map {
        self.shell.presence_map(self.id)
    }

    /// Whether diffs are held until the state of the channel's current join.
    #[wasm_bindgen(js_name = inPendingSyncState)]
    pub fn in_pending_sync_state(&self) -> bool {
        self.shell.core.borrow().presence_pending(self.id).unwrap_or(true)
    }

    /// The synced state as an object `{key: {metas: [...]}}`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> JsValue {
        let json = self.shell.core.borrow().presence_state(self.id).map(PresenceState::to_json).unwrap_or_else(|| "{}".into());
        parse(&json)
    }
}

/// The callbacks, for Rust (the package's JS sets them on the same object, `js/events.js`).
impl Presence {
    /// Sets `callback(key, currentPresence, newPresence)` for joins.
    pub fn on_join(&self, callback: JsValue) -> Result<(), JsValue> {
        self.events.set("join", &callback, "onJoin")?;
        self.report();
        Ok(())
    }

    /// Sets `callback(key, currentPresence, leftPresence)` for leaves.
    pub fn on_leave(&self, callback: JsValue) -> Result<(), JsValue> {
        self.events.set("leave", &callback, "onLeave")?;
        self.report();
        Ok(())
    }

    /// Sets `callback()`, called after each applied state or diff.
    pub fn on_sync(&self, callback: JsValue) -> Result<(), JsValue> {
        self.events.set("sync", &callback, "onSync")
    }

    /// The presences, or `chooser(key, presence)` of each, in join order (for Rust;
    /// the package's JS lists them itself, `js/decorate.js`).
    pub fn list(&self, chooser: JsValue) -> Result<Array, JsValue> {
        let chooser = optional_fn(&chooser, "list chooser")?;
        let map = self.shell.presence_map(self.id);
        match chooser {
            Some(c) => choose(&map.entries().into(), &c),
            None => Ok(Array::from(&map.values().into())),
        }
    }
}

/// `Presence.syncState` (`diff` false) or `Presence.syncDiff` (`diff` true) over JSON
/// text: the new state's JSON. The joins and leaves go to `on_join` / `on_leave`
/// (functions, or undefined). The package's JS checks the arguments and does the
/// `JSON.stringify` and `JSON.parse` (`js/decorate.js`). Not API.
#[wasm_bindgen(js_name = __presenceSync, skip_typescript)]
pub fn presence_sync(state: &str, update: &str, diff: bool, on_join: &JsValue, on_leave: &JsValue) -> Result<String, JsValue> {
    let invalid = |what: &str, e: JsonError| error(cat(&["invalid presence ", what, ": ", &e.message()]));
    let mut s = PresenceState::from_json(state).map_err(|e| invalid("state", e))?;
    let report = on_join.is_function() || on_leave.is_function();
    s.set_reporting(report);
    let mut changes = Vec::new();
    match diff {
        true => s.sync_diff(update, &mut changes).map_err(|e| invalid("diff", e))?,
        false => s.sync_state(update, &mut changes).map_err(|e| invalid("state", e))?,
    }
    if report && !changes.is_empty() {
        report_changes(&changes_json(&changes), on_join, on_leave);
    }
    Ok(s.to_json())
}
