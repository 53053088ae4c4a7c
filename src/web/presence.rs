//! `Presence` for JavaScript (phoenix.js's API); the state lives in the core.

use std::rc::Rc;

use js_sys::{Array, Function, JSON};
use wasm_bindgen::prelude::*;

use super::shell::{PresenceCallback, Shell};
use super::values::{describe, error, function, type_name};
use super::Channel;
use crate::core::presence::{changes_json, Change, PresenceState};
use crate::core::PresenceId;

/// Presence on a channel (phoenix.js `Presence`): syncs `presence_state` and
/// `presence_diff`, calls `onJoin`/`onLeave` per change and `onSync` after each.
#[wasm_bindgen]
pub struct Presence {
    shell: Rc<Shell>,
    id: PresenceId,
}

fn parse(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    /// Calls `on_join` / `on_leave` (functions or undefined) for each change of the JSON
    /// array [`changes_json`] wrote.
    #[wasm_bindgen(js_name = reportChanges)]
    fn report_changes(changes: &str, on_join: &JsValue, on_leave: &JsValue);
}

/// Calls `on_join` / `on_leave` for each change, with phoenix.js's arguments: the
/// changes cross to JS as one JSON array, parsed once.
pub(crate) fn report(changes: &[Change], on_join: Option<&Function>, on_leave: Option<&Function>) {
    if changes.is_empty() || (on_join.is_none() && on_leave.is_none()) {
        return;
    }
    let f = |f: Option<&Function>| f.map_or(JsValue::UNDEFINED, |f| f.clone().into());
    report_changes(&changes_json(changes), &f(on_join), &f(on_leave));
}

fn optional_fn(v: &JsValue, what: &str) -> Result<Option<Function>, JsValue> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        function(v, what).map(Some)
    }
}

fn stringify(v: &JsValue, what: &str) -> Result<String, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok("{}".into());
    }
    JSON::stringify(v)
        .map_err(|e| error(format!("{what} cannot be serialized: {}", describe(&e))))?
        .as_string()
        .ok_or_else(|| error(format!("{what} must be an object (got {})", type_name(v))))
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
        let events = if opts.is_object() { js_sys::Reflect::get(&opts, &"events".into())? } else { JsValue::UNDEFINED };
        let name = |k: &str| -> Result<Option<String>, JsValue> {
            if !events.is_object() {
                return Ok(None);
            }
            let v = js_sys::Reflect::get(&events, &k.into())?;
            if v.is_undefined() {
                return Ok(None);
            }
            v.as_string().map(Some).ok_or_else(|| error(format!("Presence events.{k} must be a string")))
        };
        let (state, diff) = (name("state")?, name("diff")?);
        let shell = channel.shell.clone();
        let id = shell
            .core
            .borrow_mut()
            .presence(channel.id, state.as_deref(), diff.as_deref())
            .map_err(|e| error(e.to_string()))?;
        // joins and leaves are only described once someone listens to them
        shell.core.borrow_mut().set_presence_reporting(id, false);
        Ok(Presence { shell, id })
    }

    /// Sets `callback(key, currentPresence, newPresence)` for joins.
    #[wasm_bindgen(js_name = onJoin)]
    pub fn on_join(&self, callback: JsValue) -> Result<(), JsValue> {
        self.shell.set_presence_callback(self.id, PresenceCallback::Join, function(&callback, "onJoin callback")?);
        self.shell.core.borrow_mut().set_presence_reporting(self.id, true);
        Ok(())
    }

    /// Sets `callback(key, currentPresence, leftPresence)` for leaves.
    #[wasm_bindgen(js_name = onLeave)]
    pub fn on_leave(&self, callback: JsValue) -> Result<(), JsValue> {
        self.shell.set_presence_callback(self.id, PresenceCallback::Leave, function(&callback, "onLeave callback")?);
        self.shell.core.borrow_mut().set_presence_reporting(self.id, true);
        Ok(())
    }

    /// Sets `callback()`, called after each applied state or diff.
    #[wasm_bindgen(js_name = onSync)]
    pub fn on_sync(&self, callback: JsValue) -> Result<(), JsValue> {
        self.shell.set_presence_callback(self.id, PresenceCallback::Sync, function(&callback, "onSync callback")?);
        Ok(())
    }

    /// The presences, or `chooser(key, presence)` of each, in join order.
    pub fn list(&self, chooser: JsValue) -> Result<Array, JsValue> {
        let chooser = optional_fn(&chooser, "list chooser")?;
        let map = self.shell.presence_map(self.id);
        match chooser {
            Some(c) => choose(&map.entries().into(), &c),
            None => Ok(Array::from(&map.values().into())),
        }
    }

    /// The presences as a JS `Map` (key to presence, in join order), kept by the shell:
    /// the package's JS runs `list(chooser)` over it in one loop. Not API (read-only use).
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

/// Applies `update` to the presence state `state` (a JS object), reports the
/// changes to `on_join` / `on_leave`, and returns the new state object.
fn sync_js(
    state: &JsValue,
    on_join: &JsValue,
    on_leave: &JsValue,
    update: impl FnOnce(&mut PresenceState, &mut Vec<Change>) -> Result<(), JsValue>,
) -> Result<JsValue, JsValue> {
    let mut s = PresenceState::from_json(&stringify(state, "state")?).map_err(|e| error(format!("invalid presence state: {e}")))?;
    let mut changes = Vec::new();
    update(&mut s, &mut changes)?;
    report(&changes, optional_fn(on_join, "onJoin")?.as_ref(), optional_fn(on_leave, "onLeave")?.as_ref());
    Ok(parse(&s.to_json()))
}

/// `Presence.syncState(state, newState, onJoin?, onLeave?)`: returns the new state.
#[wasm_bindgen(js_name = presenceSyncState)]
pub fn presence_sync_state(state: JsValue, new_state: JsValue, on_join: JsValue, on_leave: JsValue) -> Result<JsValue, JsValue> {
    let new_state = stringify(&new_state, "newState")?;
    sync_js(&state, &on_join, &on_leave, |s, changes| {
        s.sync_state(&new_state, changes).map_err(|e| error(format!("invalid presence state: {e}")))
    })
}

/// `Presence.syncDiff(state, {joins, leaves}, onJoin?, onLeave?)`: returns the new state.
#[wasm_bindgen(js_name = presenceSyncDiff)]
pub fn presence_sync_diff(state: JsValue, diff: JsValue, on_join: JsValue, on_leave: JsValue) -> Result<JsValue, JsValue> {
    let diff = stringify(&diff, "diff")?;
    sync_js(&state, &on_join, &on_leave, |s, changes| {
        s.sync_diff(&diff, changes).map_err(|e| error(format!("invalid presence diff: {e}")))
    })
}

/// `Presence.list(presences, chooser?)`.
#[wasm_bindgen(js_name = presenceList)]
pub fn presence_list(presences: JsValue, chooser: JsValue) -> Result<Array, JsValue> {
    let chooser = optional_fn(&chooser, "list chooser")?;
    let s = PresenceState::from_json(&stringify(&presences, "presences")?).map_err(|e| error(format!("invalid presence state: {e}")))?;
    match chooser {
        Some(c) => choose(&JSON::parse(&s.to_pairs_json())?, &c),
        None => Ok(JSON::parse(&s.to_list_json())?.into()),
    }
}
