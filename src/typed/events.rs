//! The event names of a topic's event enum, read from its serde `Deserialize`: the
//! enum is asked to decode an event no variant has, and the "unknown variant" error
//! serde builds lists every variant's name (as renamed by `rename_all`/`rename`), so
//! [`Topic`](super::Topic) needs no hand-kept list.

use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{self, Deserialize, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};

/// The events of a topic whose events are not read (e.g. a presence-only topic): no
/// value of it exists, and it names no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoEvents {}

impl<'de> Deserialize<'de> for NoEvents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NoEvents, D::Error> {
        struct Nothing;
        impl<'de> Visitor<'de> for Nothing {
            type Value = NoEvents;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("no event (the topic reads none)")
            }
        }
        deserializer.deserialize_enum("NoEvents", &[], Nothing)
    }
}

/// The names of `E`'s variants, or `None` when its `Deserialize` does not name them
/// (not an enum, or an implementation of its own).
pub fn names<E: DeserializeOwned>() -> Option<&'static [&'static str]> {
    match E::deserialize(Probe) {
        Err(Found::Variants(names)) => Some(names),
        _ => None,
    }
}

/// An event no variant has.
const NO_SUCH_EVENT: &str = "\u{0}no such event";

/// What the probe learned: the variants serde expected, or any other error.
#[derive(Debug)]
enum Found {
    Variants(&'static [&'static str]),
    Other,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("probing an event enum")
    }
}

impl std::error::Error for Found {}

impl de::Error for Found {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Found::Other
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Found::Variants(expected)
    }
}

/// A message `{"event": NO_SUCH_EVENT}`, as the typed channel gives its enum (an
/// enum tagged outside its content is asked with `deserialize_enum`, which names them).
struct Probe;

impl<'de> Deserializer<'de> for Probe {
    type Error = Found;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Found> {
        visitor.visit_map(Message { sent_tag: false })
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _: &'static str, variants: &'static [&'static str], _: V) -> Result<V::Value, Found> {
        Err(Found::Variants(variants))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

struct Message {
    sent_tag: bool,
}

impl<'de> MapAccess<'de> for Message {
    type Error = Found;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Found> {
        if std::mem::replace(&mut self.sent_tag, true) {
            return Ok(None);
        }
        let key: StrDeserializer<'_, Found> = "event".into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Found> {
        let value: StrDeserializer<'_, Found> = NO_SUCH_EVENT.into_deserializer();
        seed.deserialize(value)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::names;

    #[derive(Deserialize)]
    #[serde(tag = "event", content = "payload", rename_all = "snake_case")]
    #[allow(dead_code)]
    enum Adjacent {
        NewMessage { body: String },
        UserTyping(bool),
        #[serde(rename = "phx:custom")]
        Custom,
    }

    #[derive(Deserialize)]
    #[serde(tag = "event")]
    #[allow(dead_code)]
    enum Internal {
        Shout { body: String },
        Ping,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    enum External {
        A(u32),
        B,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct NotAnEnum {
        event: String,
    }

    #[test]
    fn the_variant_names_as_serde_spells_them() {
        assert_eq!(names::<Adjacent>(), Some(&["new_message", "user_typing", "phx:custom"][..]));
        assert_eq!(names::<Internal>(), Some(&["Shout", "Ping"][..]));
        assert_eq!(names::<External>(), Some(&["A", "B"][..]));
        assert_eq!(names::<super::NoEvents>(), Some(&[][..]));
    }

    #[test]
    fn none_for_what_has_no_variants() {
        assert_eq!(names::<NotAnEnum>(), None);
        assert_eq!(names::<String>(), None);
        assert_eq!(names::<serde::de::IgnoredAny>(), None);
    }
}
