//! Codec throughput: encode, one-shot decode and streaming decode of a small
//! message (4 headers, 64-byte payload) and of a 64 KiB payload.
//!
//! Prints one `RESULT bench=<case> msgs_per_s=.. mb_per_s=..` line per case
//! from its own timed loop, then runs criterion on the same closures.
//! Short mode: `cargo bench --bench codec -- --quick` or `WIRE_BENCH_QUICK=1`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_c_event_stream_rs::event_stream::decoder::{DecoderSink, StreamingDecoder};
use aws_c_event_stream_rs::event_stream::wire::{
    Header, HeaderValue, Message, Prelude, RawHeader, WireError,
};
use bytes::Bytes;
use criterion::{Criterion, Throughput};

fn small() -> Message {
    Message::new(
        vec![
            Header::new(":message-type", HeaderValue::Int32(0)),
            Header::new(":message-flags", HeaderValue::Int32(0)),
            Header::new(":stream-id", HeaderValue::Int32(1)),
            Header::new(
                ":content-type",
                HeaderValue::String(Bytes::from_static(b"application/json")),
            ),
        ],
        vec![b'x'; 64],
    )
}

fn large() -> Message {
    Message::new(
        vec![Header::new(
            ":content-type",
            HeaderValue::String(Bytes::from_static(b"application/octet-stream")),
        )],
        vec![7u8; 64 * 1024],
    )
}

/// What a thin callback wrapper does: look at each event, keep nothing.
#[derive(Default)]
struct CountingSink {
    headers: usize,
    payload: usize,
    complete: usize,
}

impl DecoderSink for CountingSink {
    fn on_prelude(&mut self, _p: &Prelude) {}
    fn on_header(&mut self, _p: &Prelude, h: &RawHeader<'_>) {
        self.headers += h.name.len();
    }
    fn on_payload(&mut self, fragment: &[u8], _final_segment: bool) {
        self.payload += fragment.len();
    }
    fn on_complete(&mut self, _crc: u32) {
        self.complete += 1;
    }
    fn on_error(&mut self, _p: &Prelude, e: WireError, m: &str) {
        panic!("{e}: {m}");
    }
}

struct Case {
    name: String,
    bytes: usize,
    run: Box<dyn FnMut()>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (label, m) in [("small", small()), ("64k", large())] {
        let wire = m.to_bytes().unwrap();
        let len = wire.len();

        let msg = m.clone();
        let mut buf = vec![0u8; len];
        out.push(Case {
            name: format!("encode_{label}"),
            bytes: len,
            run: Box::new(move || {
                black_box(msg.encode_to_slice(black_box(&mut buf)).unwrap());
            }),
        });

        let input = wire.clone();
        out.push(Case {
            name: format!("decode_{label}"),
            bytes: len,
            run: Box::new(move || {
                black_box(Message::decode(black_box(input.clone())).unwrap());
            }),
        });

        let input = wire.clone();
        let mut dec = StreamingDecoder::new();
        let mut sink = CountingSink::default();
        out.push(Case {
            name: format!("stream_decode_{label}"),
            bytes: len,
            run: Box::new(move || {
                dec.pump(black_box(&input), &mut sink).unwrap();
                black_box(&sink);
            }),
        });
    }
    out
}

fn result_line(case: &mut Case, warm: Duration, measure: Duration) {
    let start = Instant::now();
    while start.elapsed() < warm {
        (case.run)();
    }
    // Batches of iterations between clock reads keep timer cost out.
    let mut iters = 0u64;
    let mut batch = 1u64;
    let start = Instant::now();
    loop {
        for _ in 0..batch {
            (case.run)();
        }
        iters += batch;
        if start.elapsed() >= measure {
            break;
        }
        batch = (batch * 2).min(4096);
    }
    let secs = start.elapsed().as_secs_f64();
    let per_s = iters as f64 / secs;
    println!(
        "RESULT bench={} msgs_per_s={:.0} mb_per_s={:.1}",
        case.name,
        per_s,
        per_s * case.bytes as f64 / 1e6
    );
}

fn main() {
    let quick =
        std::env::args().any(|a| a == "--quick") || std::env::var_os("WIRE_BENCH_QUICK").is_some();
    let (warm, measure) = if quick {
        (Duration::from_millis(100), Duration::from_millis(300))
    } else {
        (Duration::from_millis(500), Duration::from_secs(2))
    };
    let mut cases = cases();
    for case in &mut cases {
        result_line(case, warm, measure);
    }
    let mut crit = Criterion::default().configure_from_args();
    if quick {
        crit = crit
            .warm_up_time(Duration::from_millis(100))
            .measurement_time(Duration::from_millis(300))
            .sample_size(10);
    }
    let mut group = crit.benchmark_group("codec");
    for case in &mut cases {
        group.throughput(Throughput::Bytes(case.bytes as u64));
        group.bench_function(&case.name, |b| b.iter(&mut case.run));
    }
    group.finish();
    crit.final_summary();
}
