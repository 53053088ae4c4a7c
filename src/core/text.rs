//! Messages and numbers as text without `core::fmt`: concatenation and a decimal
//! writer, so the wasm build carries none of the formatting machinery (its
//! `Formatter`, the `Display` plumbing, `format!`'s argument lists at every call).
//! The error types' `Display` impls write the same text, for Rust callers.

/// `Display` for error types with a `message()`: the same text, for Rust callers. The
/// crate's own code calls `message()`, which keeps `core::fmt` out of the wasm.
macro_rules! display_by_message {
    ($($error:ty),+) => {$(
        impl core::fmt::Display for $error {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.message())
            }
        }
    )+};
}
pub(crate) use display_by_message;

/// `parts` joined into one string (one allocation).
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal.
pub fn uint(n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    digits[start..].iter().map(|&d| char::from(d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cat_joins_parts() {
        assert_eq!(cat(&[]), "");
        assert_eq!(cat(&["a", "", "bc", "d"]), "abcd");
    }

    #[test]
    fn uint_writes_decimal_like_display() {
        for n in [0, 1, 9, 10, 99, 100, 255, 1000, 65_535, 4_294_967_295, u64::MAX] {
            assert_eq!(uint(n), n.to_string());
        }
    }
}
