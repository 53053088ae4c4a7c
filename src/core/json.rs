//! A small, allocation-light JSON scanner.
//!
//! The core never builds a JSON tree: payloads travel as raw JSON text and are
//! parsed once, where it is cheapest (the browser's `JSON.parse` in the web shell).
//! The core only needs to find the five fields of a V2 frame, read a few keys of
//! a reply (`status`, `response`) and validate that what it forwards is JSON.
//! Every function here returns an error for malformed input; none panics.

use super::text::{cat, display_by_message, uint};

/// Why a piece of JSON text was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the input where the problem was found.
    pub offset: usize,
    /// What was expected or found there.
    pub reason: &'static str,
}

impl JsonError {
    /// What went wrong and where, as the `Display` text (without `core::fmt`).
    pub fn message(&self) -> String {
        cat(&["invalid JSON at byte ", &uint(self.offset as u64), ": ", self.reason])
    }
}

display_by_message!(JsonError);

impl std::error::Error for JsonError {}

fn err(offset: usize, reason: &'static str) -> JsonError {
    JsonError { offset, reason }
}

/// Index of the first byte at or after `pos` that is not JSON whitespace.
pub fn skip_ws(s: &[u8], mut pos: usize) -> usize {
    while pos < s.len() && matches!(s[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// Scans one JSON value starting at `pos` (after optional whitespace) and returns
/// the byte range `(start, end)` it occupies.
pub fn scan_value(s: &[u8], pos: usize) -> Result<(usize, usize), JsonError> {
    let start = skip_ws(s, pos);
    let end = skip_value(s, start)?;
    Ok((start, end))
}

/// Scans the JSON value at `pos` and returns where it ends.
fn skip_value(s: &[u8], pos: usize) -> Result<usize, JsonError> {
    match s.get(pos) {
        None => Err(err(pos, "unexpected end of input")),
        Some(b'"') => skip_string(s, pos),
        Some(b'{' | b'[') => skip_nested(s, pos),
        Some(b't') => skip_literal(s, pos, b"true"),
        Some(b'f') => skip_literal(s, pos, b"false"),
        Some(b'n') => skip_literal(s, pos, b"null"),
        Some(b'-' | b'0'..=b'9') => skip_number(s, pos),
        Some(_) => Err(err(pos, "expected a value")),
    }
}

/// Scans the object or array at `pos`. Iterative: an open container costs a bit of
/// [`Nesting`], not a stack frame, so no depth of nesting (the browser's `JSON.parse`
/// has no depth limit either) can exhaust the stack. Not inlined: [`skip_value`] stays
/// small for the strings, numbers and literals that are most of what it scans.
#[inline(never)]
fn skip_nested(s: &[u8], pos: usize) -> Result<usize, JsonError> {
    let mut open = Nesting::default();
    let mut i = pos;
    loop {
        // a value starts at `i`
        i = match s.get(i) {
            Some(&c @ (b'{' | b'[')) => {
                let object = c == b'{';
                let first = skip_ws(s, i + 1);
                if s.get(first) == Some(&closer(object)) {
                    first + 1
                } else {
                    open.push(object);
                    i = if object { skip_key(s, first)? } else { first };
                    continue;
                }
            }
            _ => skip_value(s, i)?,
        };
        // after a value: the next one of its container, or the container's end
        loop {
            let Some(object) = open.innermost() else { return Ok(i) };
            i = skip_ws(s, i);
            match s.get(i) {
                Some(b',') => {
                    let next = skip_ws(s, i + 1);
                    i = if object { skip_key(s, next)? } else { next };
                    break;
                }
                Some(&c) if c == closer(object) => {
                    open.pop();
                    i += 1;
                }
                _ => return Err(err(i, "expected ',' or the end of the container")),
            }
        }
    }
}

fn closer(object: bool) -> u8 {
    if object {
        b'}'
    } else {
        b']'
    }
}

/// An object member's key at `i`, its colon and whitespace: where its value starts.
/// ([`Walk::key`] reads a key the same way, keeping its end: sharing this function
/// cost presence states 2 % more instructions, so each keeps its few lines.)
fn skip_key(s: &[u8], i: usize) -> Result<usize, JsonError> {
    if s.get(i) != Some(&b'"') {
        return Err(err(i, "expected an object key"));
    }
    let colon = skip_ws(s, skip_string(s, i)?);
    if s.get(colon) != Some(&b':') {
        return Err(err(colon, "expected ':'"));
    }
    Ok(skip_ws(s, colon + 1))
}

/// The containers open around a position in [`skip_nested`], a bit each (set for an
/// object), the innermost lowest: 64 levels in a word, deeper ones spilled to a vector.
#[derive(Default)]
struct Nesting {
    depth: usize,
    word: u64,
    spilled: Vec<u64>,
}

impl Nesting {
    fn push(&mut self, object: bool) {
        if self.depth > 0 && self.depth % 64 == 0 {
            self.spilled.push(self.word);
            self.word = 0;
        }
        self.word = self.word << 1 | u64::from(object);
        self.depth += 1;
    }

    fn pop(&mut self) {
        self.depth -= 1;
        self.word >>= 1;
        if self.depth > 0 && self.depth % 64 == 0 {
            self.word = self.spilled.pop().unwrap_or(0);
        }
    }

    /// Whether the innermost open container is an object; `None` when none is open.
    fn innermost(&self) -> Option<bool> {
        (self.depth > 0).then_some(self.word & 1 == 1)
    }
}

fn skip_literal(s: &[u8], pos: usize, lit: &[u8]) -> Result<usize, JsonError> {
    if s.len() >= pos + lit.len() && &s[pos..pos + lit.len()] == lit {
        Ok(pos + lit.len())
    } else {
        Err(err(pos, "invalid literal"))
    }
}

fn skip_digits(s: &[u8], mut pos: usize) -> usize {
    while pos < s.len() && s[pos].is_ascii_digit() {
        pos += 1;
    }
    pos
}

fn skip_number(s: &[u8], mut pos: usize) -> Result<usize, JsonError> {
    if s.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match s.get(pos) {
        Some(b'0') => pos += 1,
        Some(b'1'..=b'9') => pos = skip_digits(s, pos),
        _ => return Err(err(pos, "invalid number")),
    }
    if s.get(pos) == Some(&b'.') {
        let after = skip_digits(s, pos + 1);
        if after == pos + 1 {
            return Err(err(pos, "invalid number fraction"));
        }
        pos = after;
    }
    if matches!(s.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        if matches!(s.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        let after = skip_digits(s, pos);
        if after == pos {
            return Err(err(pos, "invalid number exponent"));
        }
        pos = after;
    }
    Ok(pos)
}

/// Marks (high bit set) the bytes of `w` (8 bytes, little-endian) that end or
/// escape a string or are control characters: `"`, `\\`, below 0x20. The lowest
/// mark is always a real one (a borrow can only mark bytes after it); bytes from
/// 0x80 (UTF-8 sequences) are never marked.
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let quote = w ^ (ONES * b'"' as u64);
    let backslash = w ^ (ONES * b'\\' as u64);
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    (zero_byte(quote) | zero_byte(backslash) | (w.wrapping_sub(ONES * 0x20) & !w)) & HIGH
}

fn skip_string(s: &[u8], pos: usize) -> Result<usize, JsonError> {
    let mut i = pos + 1;
    loop {
        // plain text 8 bytes at a time; the byte loop below takes what remains
        while let Some(chunk) = s.get(i..i + 8) {
            let w = u64::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
            let marks = special_bytes(w);
            if marks != 0 {
                i += marks.trailing_zeros() as usize / 8;
                break;
            }
            i += 8;
        }
        match s.get(i) {
            None => return Err(err(pos, "unterminated string")),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => match s.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    let hex = s.get(i + 2..i + 6).ok_or_else(|| err(i, "truncated \\u escape"))?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err(err(i, "invalid \\u escape"));
                    }
                    i += 6;
                }
                _ => return Err(err(i, "invalid escape")),
            },
            Some(0..=0x1f) => return Err(err(i, "control character in string")),
            Some(_) => i += 1,
        }
    }
}

/// Checks that `text` is exactly one JSON value (with optional surrounding whitespace).
pub fn validate(text: &str) -> Result<(), JsonError> {
    let s = text.as_bytes();
    let (_, end) = scan_value(s, 0)?;
    let end = skip_ws(s, end);
    if end != s.len() {
        return Err(err(end, "trailing characters after the value"));
    }
    Ok(())
}

/// Whether `s` holds a `\\` (a plain loop: keys and refs are short, where a
/// substring searcher's setup costs more than the scan).
pub(crate) fn has_backslash(s: &str) -> bool {
    s.bytes().any(|b| b == b'\\')
}

/// Decodes the JSON string literal occupying `raw` (quotes included).
pub fn unescape(raw: &str) -> Result<String, JsonError> {
    let b = raw.as_bytes();
    if b.len() < 2 || b[0] != b'"' || b[b.len() - 1] != b'"' {
        return Err(err(0, "expected a string"));
    }
    let inner = &raw[1..raw.len() - 1];
    if !has_backslash(inner) {
        return Ok(inner.to_owned());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, e) = chars.next().ok_or_else(|| err(i + 1, "truncated escape"))?;
        match e {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let hi = read_hex4(inner, i + 2)?;
                for _ in 0..4 {
                    chars.next();
                }
                let code = if (0xD800..0xDC00).contains(&hi) {
                    // a high surrogate must be followed by \uDC00..\uDFFF
                    let lo = if inner.get(i + 6..i + 8) == Some("\\u") { read_hex4(inner, i + 8)? } else { 0 };
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(err(i + 1, "unpaired surrogate"));
                    }
                    for _ in 0..6 {
                        chars.next();
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                out.push(char::from_u32(code).ok_or_else(|| err(i + 1, "invalid code point"))?);
            }
            _ => return Err(err(i + 1, "invalid escape")),
        }
    }
    Ok(out)
}

fn read_hex4(s: &str, at: usize) -> Result<u32, JsonError> {
    let hex = s.get(at..at + 4).ok_or_else(|| err(at, "truncated \\u escape"))?;
    u32::from_str_radix(hex, 16).map_err(|_| err(at, "invalid \\u escape"))
}

/// Appends `value` to `out` as a JSON string literal.
pub fn write_string(out: &mut String, value: &str) {
    out.push('"');
    let mut last = 0;
    for (i, b) in value.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&value[last..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(esc);
        }
        last = i + 1;
    }
    out.push_str(&value[last..]);
    out.push('"');
}

/// A walk over the members of one JSON object or the items of one JSON array,
/// without allocating: keys come back as their raw literal (quotes included,
/// escapes not decoded; see [`key_is`] and [`unescape`]), values as the raw JSON
/// text they occupy. Every byte is validated once as the walk passes it; the walk
/// ends with an error at the first malformed byte. A value can be walked into
/// ([`Walk::enter`], then [`Walk::leave`]) instead of being taken whole, so a
/// nested structure is read in one pass. After the closing bracket of the
/// outermost walk only whitespace may follow.
pub struct Walk<'a> {
    raw: &'a str,
    /// Where the walked container starts (its opening bracket).
    start: usize,
    pos: usize,
    close: u8,
    nested: bool,
    started: bool,
    done: bool,
}

impl<'a> Walk<'a> {
    fn open(raw: &'a str, at: usize, nested: bool, open: u8) -> Result<Walk<'a>, JsonError> {
        let i = skip_ws(raw.as_bytes(), at);
        if raw.as_bytes().get(i) != Some(&open) {
            return Err(err(i, if open == b'{' { "expected an object" } else { "expected an array" }));
        }
        let close = if open == b'{' { b'}' } else { b']' };
        Ok(Walk { raw, start: i, pos: i + 1, close, nested, started: false, done: false })
    }

    /// Moves to the start of the next element; false at the end of the container.
    fn advance(&mut self) -> Result<bool, JsonError> {
        if self.done {
            return Ok(false);
        }
        let s = self.raw.as_bytes();
        let mut i = skip_ws(s, self.pos);
        let at_close = s.get(i) == Some(&self.close);
        if self.started && !at_close {
            if s.get(i) != Some(&b',') {
                let reason = if self.close == b'}' { "expected ',' or '}'" } else { "expected ',' or ']'" };
                return Err(err(i, reason));
            }
            i = skip_ws(s, i + 1);
        } else if at_close {
            self.done = true;
            self.pos = i + 1;
            return if self.nested { Ok(false) } else { check_end(s, i + 1).map(|_| false) };
        }
        self.started = true;
        self.pos = i;
        Ok(true)
    }

    /// The raw key of the next member of an object walk (`None` after the last);
    /// its value comes next: [`Walk::value`] or [`Walk::enter`].
    pub fn key(&mut self) -> Result<Option<&'a str>, JsonError> {
        if !self.advance()? {
            return Ok(None);
        }
        let (s, i) = (self.raw.as_bytes(), self.pos);
        if s.get(i) != Some(&b'"') {
            return Err(err(i, "expected an object key"));
        }
        let key_end = skip_string(s, i)?;
        let colon = skip_ws(s, key_end);
        if s.get(colon) != Some(&b':') {
            return Err(err(colon, "expected ':'"));
        }
        self.pos = skip_ws(s, colon + 1);
        Ok(Some(&self.raw[i..key_end]))
    }

    /// Whether an array walk has another item; it comes next: [`Walk::value`] or
    /// [`Walk::enter`].
    pub fn next_item(&mut self) -> Result<bool, JsonError> {
        self.advance()
    }

    /// The byte offset of the walk's position in the text (after [`Walk::key`] or
    /// [`Walk::next_item`]: where the next value starts).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The value at the walk's position, whole (validated).
    pub fn value(&mut self) -> Result<&'a str, JsonError> {
        let start = self.pos;
        self.pos = skip_value(self.raw.as_bytes(), start)?;
        Ok(&self.raw[start..self.pos])
    }

    /// A walk into the value at the walk's position, which must be an object
    /// (`open` = `b'{'`) or an array (`b'['`); hand it back with [`Walk::leave`].
    pub fn enter(&self, open: u8) -> Result<Walk<'a>, JsonError> {
        Walk::open(self.raw, self.pos, true, open)
    }

    /// Continues after a value walked with [`Walk::enter`] and returns its raw
    /// text (what was not walked yet is skipped, and validated).
    pub fn leave(&mut self, inner: Walk<'a>) -> Result<&'a str, JsonError> {
        let end = if inner.done { inner.pos } else { skip_value(self.raw.as_bytes(), inner.start)? };
        self.pos = end;
        Ok(&self.raw[inner.start..end])
    }

    /// The next `(raw key, raw value)` of an object walk, or `None` after the last.
    pub fn member(&mut self) -> Result<Option<(&'a str, &'a str)>, JsonError> {
        match self.key()? {
            Some(k) => Ok(Some((k, self.value()?))),
            None => Ok(None),
        }
    }

    /// The next raw value of an array walk, or `None` after the last.
    pub fn item(&mut self) -> Result<Option<&'a str>, JsonError> {
        if self.next_item()? {
            self.value().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Starts a [`Walk`] over the members of the JSON object `raw` (surrounding
/// whitespace allowed).
pub fn members(raw: &str) -> Result<Walk<'_>, JsonError> {
    Walk::open(raw, 0, false, b'{')
}

/// Starts a [`Walk`] over the items of the JSON array `raw` (surrounding
/// whitespace allowed).
pub fn items(raw: &str) -> Result<Walk<'_>, JsonError> {
    Walk::open(raw, 0, false, b'[')
}

/// Whether the raw key literal `raw_key` (quotes included, as [`Walk::member`]
/// returns it) decodes to `key`; without allocating unless it holds escapes.
pub fn key_is(raw_key: &str, key: &str) -> bool {
    let inner = raw_key.get(1..raw_key.len().saturating_sub(1)).unwrap_or("");
    // an escape is always longer than what it stands for: a literal no longer than
    // `key` can only match as it is (and then holds no escape: `key` has no backslash)
    if inner.len() <= key.len() {
        inner == key && !has_backslash(key)
    } else {
        has_backslash(inner) && unescape(raw_key).is_ok_and(|k| k == key)
    }
}

/// The `(key, raw value)` pairs of a JSON object, in order, keys unescaped.
pub fn object_entries(raw: &str) -> Result<Vec<(String, &str)>, JsonError> {
    let mut walk = members(raw)?;
    let mut out = Vec::new();
    while let Some((k, v)) = walk.member()? {
        out.push((unescape(k)?, v));
    }
    Ok(out)
}

/// The raw JSON values of a JSON array, in order.
pub fn array_items(raw: &str) -> Result<Vec<&str>, JsonError> {
    let mut walk = items(raw)?;
    let mut out = Vec::new();
    while let Some(v) = walk.item()? {
        out.push(v);
    }
    Ok(out)
}

fn check_end(s: &[u8], end: usize) -> Result<(), JsonError> {
    let end = skip_ws(s, end);
    if end == s.len() {
        Ok(())
    } else {
        Err(err(end, "trailing characters after the value"))
    }
}

/// Reads a raw JSON value that must be a string or `null`.
pub fn opt_string(raw: &str) -> Result<Option<String>, JsonError> {
    match raw.as_bytes().first() {
        Some(b'"') => unescape(raw).map(Some),
        Some(b'n') if raw == "null" => Ok(None),
        _ => Err(err(0, "expected a string or null")),
    }
}

/// The object `raw` with `key` set to the raw JSON `value` (replacing any earlier one).
pub fn with_field(raw: &str, key: &str, value: &str) -> Result<String, JsonError> {
    let mut out = String::with_capacity(raw.len() + key.len() + value.len() + 4);
    out.push('{');
    for (k, v) in object_entries(raw)? {
        if k != key {
            write_string(&mut out, &k);
            out.push(':');
            out.push_str(v);
            out.push(',');
        }
    }
    write_string(&mut out, key);
    out.push(':');
    out.push_str(value);
    out.push('}');
    Ok(out)
}

/// Returns the raw value stored under `key` in a JSON object, if present (the
/// first, if the key repeats). The whole object is validated.
pub fn get<'a>(raw: &'a str, key: &str) -> Result<Option<&'a str>, JsonError> {
    let mut walk = members(raw)?;
    let mut found = None;
    while let Some((k, v)) = walk.member()? {
        if found.is_none() && key_is(k, key) {
            found = Some(v);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-at-a-time reading of a string literal, to check the word-at-a-time one.
    fn skip_string_bytewise(s: &[u8], pos: usize) -> Result<usize, JsonError> {
        let mut i = pos + 1;
        while i < s.len() {
            match s[i] {
                b'"' => return Ok(i + 1),
                b'\\' => match s.get(i + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    Some(b'u') if s.get(i + 2..i + 6).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) => i += 6,
                    Some(b'u') if s.get(i + 2..i + 6).is_none() => return Err(err(i, "truncated \\u escape")),
                    Some(b'u') => return Err(err(i, "invalid \\u escape")),
                    _ => return Err(err(i, "invalid escape")),
                },
                0..=0x1f => return Err(err(i, "control character in string")),
                _ => i += 1,
            }
        }
        Err(err(pos, "unterminated string"))
    }

    #[test]
    fn strings_are_read_a_word_at_a_time_exactly_as_byte_by_byte() {
        // every byte value at every offset of a 20-byte string, next to plain
        // text, multi-byte UTF-8 and escapes, so each lands at every place in a word
        let mut cases = 0;
        for special in 0u8..=0x7f {
            for at in 0..20 {
                for filler in ["abcdefghijklmnopqrstuvwxyz", "é€😀aé€😀aé€😀a", "a\\\"b\\u00e9c\\nd"] {
                    let mut text = String::from("\"");
                    text.push_str(&filler[..filler.char_indices().nth(at % 9).map_or(filler.len(), |(i, _)| i)]);
                    text.push(special as char);
                    text.push_str("tail \u{7f}\u{80}é\"");
                    let s = text.as_bytes();
                    assert_eq!(skip_string(s, 0), skip_string_bytewise(s, 0), "{text:?}");
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, 128 * 20 * 3);
        for w in [0u64, u64::MAX, 0x2222_2222_2222_2222, 0x8080_8080_8080_8080, 0x1f20_5c21_2322_7f80] {
            let bytes = w.to_le_bytes();
            let first = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            let marks = special_bytes(w);
            assert_eq!(first, (marks != 0).then(|| marks.trailing_zeros() as usize / 8), "{w:#x}");
        }
    }

    #[test]
    fn validates_values() {
        for ok in ["{}", "[]", " 1 ", "-0.5e+3", "\"a\\u00e9\\n\"", "{\"a\":[1,{\"b\":null}],\"c\":true}", "false"] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        for bad in ["", "{", "[1,]", "{\"a\"}", "01", "1.", "tru", "\"\\x\"", "\"a", "{} x", "[1 2]", "\"\u{1}\"", "-", "1e"] {
            assert!(validate(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn any_depth_of_nesting_is_scanned_without_overflowing_the_stack() {
        // arrays and objects alternating, across the 64-level words of `Nesting`
        let depth = 100_000;
        let open: String = (0..depth).map(|d| if d % 3 == 0 { "{\"k\":" } else { "[" }).collect();
        let close: String = (0..depth).rev().map(|d| if d % 3 == 0 { "}" } else { "]" }).collect();
        let deep = [open.as_str(), "1", close.as_str()].concat();
        assert_eq!(validate(&deep), Ok(()));
        // a wrong bracket deep inside, an unclosed one, a missing value
        let mut wrong = deep.clone().into_bytes();
        let at = open.len() + 1 + 5 * 64 + 2;
        wrong[at] = if wrong[at] == b']' { b'}' } else { b']' };
        assert_eq!(validate(std::str::from_utf8(&wrong).unwrap()).unwrap_err().offset, at);
        assert_eq!(validate(&deep[..deep.len() - 1]).unwrap_err().reason, "expected ',' or the end of the container");
        assert_eq!(validate(&"[".repeat(depth)).unwrap_err().reason, "unexpected end of input");
        // a scan ends where its value does
        assert_eq!(scan_value(b" [[1],{\"a\":[]}] ,x", 0), Ok((1, 15)));
    }

    #[test]
    fn unescapes_and_escapes_round_trip() {
        assert_eq!(unescape(r#""a\"b\\c\/\n\u00e9\ud83d\ude00""#).unwrap(), "a\"b\\c/\né😀");
        assert!(unescape(r#""\ud83d""#).is_err());
        let mut out = String::new();
        write_string(&mut out, "q\"\\\n\u{1}é");
        assert_eq!(out, r#""q\"\\\n\u0001é""#);
        assert_eq!(unescape(&out).unwrap(), "q\"\\\n\u{1}é");
    }

    #[test]
    fn walks_into_values_and_skips_what_it_leaves_unread() {
        let raw = r#" {"a": [1, {"b": "x"}, 3], "c": {"d": [true]}, "e": 5} "#;
        let mut w = members(raw).unwrap();
        assert_eq!(w.key().unwrap(), Some(r#""a""#));
        let mut a = w.enter(b'[').unwrap();
        assert!(a.next_item().unwrap());
        assert_eq!(a.value().unwrap(), "1");
        assert!(a.next_item().unwrap());
        let mut b = a.enter(b'{').unwrap();
        assert_eq!(b.member().unwrap(), Some((r#""b""#, r#""x""#)));
        assert_eq!(b.member().unwrap(), None);
        assert_eq!(a.leave(b).unwrap(), r#"{"b": "x"}"#);
        assert_eq!(w.leave(a).unwrap(), r#"[1, {"b": "x"}, 3]"#, "the unread item is skipped");
        assert!(key_is(w.key().unwrap().unwrap(), "c"));
        assert!(w.enter(b'[').is_err(), "c is an object");
        let c = w.enter(b'{').unwrap();
        assert_eq!(w.leave(c).unwrap(), r#"{"d": [true]}"#);
        assert_eq!(w.member().unwrap(), Some((r#""e""#, "5")));
        assert_eq!(w.member().unwrap(), None);
        assert_eq!(w.member().unwrap(), None, "stays at the end");
        // what is skipped on leaving is still validated
        let mut w = items("[[1, 2 3]]").unwrap();
        assert!(w.next_item().unwrap());
        let inner = w.enter(b'[').unwrap();
        assert!(w.leave(inner).is_err());
        assert!(key_is(r#""\u0061b""#, "ab"));
        assert!(!key_is(r#""ab""#, "a"));
    }

    #[test]
    fn reads_object_entries_and_arrays() {
        let e = object_entries(r#" {"status" : "ok", "response": {"x": [1, 2]}} "#).unwrap();
        assert_eq!(e, vec![("status".to_owned(), "\"ok\""), ("response".to_owned(), "{\"x\": [1, 2]}")]);
        assert_eq!(array_items("[null, \"1\", {}]").unwrap(), vec!["null", "\"1\"", "{}"]);
        assert!(object_entries("[1]").is_err());
        assert!(array_items("[1,]").is_err());
        assert_eq!(get(r#"{"a":1}"#, "a").unwrap(), Some("1"));
        assert_eq!(get(r#"{"a":1}"#, "b").unwrap(), None);
    }
}
