//! Configuration that is plain data: a value given once, or asked of the host each
//! time the socket needs it (the host answers with an input).

/// A value of the configuration: fixed, or asked for with an output each time it is
/// needed (e.g. connect params computed by an application's function).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source<T> {
    /// The same value every time.
    Fixed(T),
    /// Ask the host each time: [`crate::core::Output::ConnectParams`] for the connect
    /// params and token, [`crate::core::Output::JoinParams`] for a channel's params.
    Ask,
}

impl<T> Source<T> {
    /// Whether the host is asked for this value.
    pub fn is_ask(&self) -> bool {
        matches!(self, Source::Ask)
    }
}

impl Source<String> {
    /// Fixed JSON text (`"{}"` for the empty object).
    pub fn json(text: impl Into<String>) -> Self {
        Source::Fixed(text.into())
    }
}
