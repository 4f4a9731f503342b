//! cargo-fuzz target `mime_parse`: see `harness.rs` and the README for the input layout.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod harness;

fuzz_target!(|data: &[u8]| {
    harness::mime_parse(data);
});
