//! Gives the shared library upstream's event-stream SONAME, so the installed
//! file and its aws-c-io / aws-c-common / aws-checksums links satisfy binaries
//! that were linked against upstream.
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libaws-c-event-stream.so.1.0.0");
    println!("cargo:rerun-if-changed=build.rs");
}
