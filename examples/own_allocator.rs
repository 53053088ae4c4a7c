//! An application with its own global allocator: it depends on the crate with
//! `default-features = false` (no `heap`) and the features it uses, here `web`. `npm test`
//! links this for wasm32 that way; with the default features the link fails (two global
//! allocators), which is why the README says to turn them off.

#[global_allocator]
static ALLOCATOR: std::alloc::System = std::alloc::System;

fn main() {
    #[cfg(all(target_arch = "wasm32", feature = "web"))]
    {
        let socket = phoenix_wasm::web::Socket::new(phoenix_wasm::web::Config::new("/socket"));
        socket.connect();
    }
}
