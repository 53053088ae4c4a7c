//! Link settings for the wasm package.

fn main() {
    // The wasm's linear memory starts with the stack: Rust's default is 1 MiB, most of
    // it never touched by this crate (nothing recurses over what a server sends: the
    // JSON scanner keeps its nesting as bits; the connect params' encoder recurses once
    // per level of the params the application gives). 128 KiB keeps a wide margin and a
    // page's memory a MiB smaller; the stack comes first in memory, so an overflow traps
    // instead of corrupting data.
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size=131072");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
