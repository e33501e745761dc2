//! Helpers shared by every `extern "C"` shim.
