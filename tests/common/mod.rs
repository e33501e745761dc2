//! Helpers shared by the integration tests: where the golden vectors live.
#![allow(dead_code)]
use std::path::{Path, PathBuf};

/// `shared/vectors`: `AWS_ES_VECTORS_DIR` if set, else
/// `$AWS_ES_SHARED_DIR/vectors` (git worktrees elsewhere), else beside the
/// checkout.
pub fn vectors_dir() -> PathBuf {
    if let Ok(d) = std::env::var("AWS_ES_VECTORS_DIR") {
        return PathBuf::from(d);
    }
    if let Ok(d) = std::env::var("AWS_ES_SHARED_DIR") {
        return Path::new(&d).join("vectors");
    }
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors")).to_path_buf()
}

/// The contents of every `.bin` vector of at most `max_len` bytes, sorted, as fuzz seeds.
pub fn small_vector_files(max_len: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(vectors_dir())
        .expect("vectors dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "bin"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter(|b| b.len() <= max_len)
        .collect();
    assert!(out.len() >= 40, "only {} seeds", out.len());
    out.sort();
    out
}
