//! Gives the shared library upstream's event-stream SONAME, so the installed
//! file and its aws-c-io / aws-c-common / aws-checksums links satisfy binaries
//! that were linked against upstream; compiles the small C shims (variadic
//! functions stable Rust cannot define).
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libaws-c-event-stream.so.1.0.0");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/common/logging_shim.c");
    cc::Build::new()
        .file("src/common/logging_shim.c")
        .warnings(true)
        .extra_warnings(true)
        .compile("aws_es_rs_logging_shim");
}
