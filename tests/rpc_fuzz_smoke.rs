//! Stable-Rust, bounded stand-in for the RPC fuzz targets
//! (`fuzz/fuzz_targets/rpc_{server,client}_bytes.rs`): runs the shared bodies
//! over whole conversations and random mutations of them (CRCs repaired so
//! the cores see the bytes), checking no panic, no leak and bounded heap.
//!
//! `RPC_FUZZ_ITERS` (default 20000) and `RPC_FUZZ_SECS` (default 30) bound the run.

use std::time::{Duration, Instant};

use aws_c_event_stream_rs::event_stream::rpc::build_message;
use aws_c_event_stream_rs::event_stream::rpc::fuzz::{rpc_client_bytes, rpc_server_bytes};
use aws_c_event_stream_rs::event_stream::wire::{Header, HeaderValue};

#[path = "../fuzz/src/alloc_guard.rs"]
mod alloc_guard;
#[path = "../fuzz/src/crc_fix.rs"]
#[allow(unused_imports)]
mod crc_fix;

#[global_allocator]
static ALLOC: alloc_guard::Guarded = alloc_guard::Guarded;

fn msg(ty: i32, flags: u32, stream: i32, op: Option<&str>, payload: &str) -> Vec<u8> {
    let headers = vec![Header::new(
        ":content-type",
        HeaderValue::String("application/json".into()),
    )];
    build_message(
        headers,
        payload.as_bytes().to_vec().into(),
        ty,
        flags,
        stream,
        op.map(str::as_bytes),
    )
    .unwrap()
    .to_bytes()
    .unwrap()
    .to_vec()
}

const TERM: u32 = 2;

fn conversation(parts: &[Vec<u8>], flags: u8) -> Vec<u8> {
    let mut out = vec![flags, 3];
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

/// What a client sends a server, and what a server sends a client.
fn seeds() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let to_server = vec![
        msg(4, 0, 0, None, ""),
        msg(0, 0, 1, Some("op"), "{}"),
        msg(0, 0, 2, Some("op"), "{}"),
        msg(2, 0, 0, None, "ping"),
        msg(0, 0, 3, Some("op"), "{}"),
        msg(0, TERM, 1, None, ""),
        msg(0, 0, 4, Some("op"), "{}"),
        msg(1, TERM, 3, None, "{}"),
    ];
    let to_client = vec![
        msg(5, 1, 0, None, ""),
        msg(0, 0, 1, None, "{}"),
        msg(3, 0, 0, None, ""),
        msg(0, TERM, 1, None, "{}"),
        msg(1, TERM, 2, None, "{}"),
        msg(0, 0, 9, None, "{}"),
    ];
    let mut s = vec![];
    let mut c = vec![];
    for flags in [0u8, 8, 16, 32, 56, 0x80 | 8] {
        s.push(conversation(&to_server, flags));
        c.push(conversation(&to_client, flags));
    }
    (s, c)
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(5) {
            0 if d.len() > 2 => {
                let i = 2 + rng.below(d.len() - 2);
                d[i] ^= 1 << rng.below(8);
            }
            1 if d.len() > 2 => {
                let i = 2 + rng.below(d.len() - 2);
                d[i] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7f, 0xff][rng.below(11)];
            }
            2 => d.truncate(rng.below(d.len() + 1)),
            3 if !d.is_empty() => d[0] = rng.next() as u8,
            _ => {
                let cut = rng.below(d.len() + 1);
                let again = d[cut..].to_vec();
                d.extend_from_slice(&again);
            }
        }
    }
    match crc_fix::fixed(&d, crc_fix::streaming_body_start(&d)) {
        Some(fixed) if rng.below(4) != 0 => fixed,
        _ => d,
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn rpc_cores_survive_mutated_conversations() {
    let (server_seeds, client_seeds) = seeds();
    let iters = env_num("RPC_FUZZ_ITERS", 20_000);
    let deadline = Instant::now() + Duration::from_secs(env_num("RPC_FUZZ_SECS", 30));
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for s in &server_seeds {
        alloc_guard::check("rpc_server_bytes", s.len(), 512, || rpc_server_bytes(s));
    }
    for s in &client_seeds {
        alloc_guard::check("rpc_client_bytes", s.len(), 512, || rpc_client_bytes(s));
    }
    let mut done = 0;
    while done < iters && Instant::now() < deadline {
        let pick = rng.below(server_seeds.len());
        let s = mutate(&mut rng, &server_seeds[pick]);
        alloc_guard::check("rpc_server_bytes", s.len(), 512, || rpc_server_bytes(&s));
        let pick = rng.below(client_seeds.len());
        let c = mutate(&mut rng, &client_seeds[pick]);
        alloc_guard::check("rpc_client_bytes", c.len(), 512, || rpc_client_bytes(&c));
        done += 1;
    }
    assert!(done > 0);
}
