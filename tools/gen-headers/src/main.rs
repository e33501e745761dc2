//! Header generator. cbindgen writes C declarations for every `#[repr(C)]` item
//! and `#[no_mangle]` function; two C idioms it cannot express are fixed here:
//!
//! * Upstream callback typedefs are *function* types (`typedef void(aws_task_fn)(...)`,
//!   used as `aws_task_fn *fn`). cbindgen emits pointer typedefs, so each
//!   `typedef R (*NAME)(...)` becomes `typedef R (NAME)(...)` and every use of
//!   `NAME` as a type gains a `*`.
//! * Enum-typed fields and parameters are carried in Rust as `enum_NAME`
//!   (a plain integer, so a stray value from C is never an invalid Rust enum);
//!   C must see `enum NAME`.
use std::{env, fs, path::PathBuf, process::ExitCode};

const OUT: &str = "include/aws/event_stream_rs/generated.h";

fn main() -> ExitCode {
    let check = env::args().any(|a| a == "--check");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    // cbindgen only emits types reachable from functions; every item of an
    // `abi.rs` is part of the C API whether or not a function names it.
    config.export.include.extend(abi_items(&root.join("src")));
    let bindings = cbindgen::Builder::new()
        .with_crate(&root)
        .with_config(config)
        .generate()
        .expect("cbindgen failed");
    let mut raw = Vec::new();
    bindings.write(&mut raw);
    let text = fix_up(&String::from_utf8(raw).expect("utf-8"));
    let path = root.join(OUT);
    if check {
        let old = fs::read_to_string(&path).unwrap_or_default();
        if old != text {
            eprintln!("{OUT} is stale: run `cargo run -p gen-headers`");
            return ExitCode::FAILURE;
        }
        println!("{OUT} is up to date");
    } else {
        fs::write(&path, text).expect("write header");
        println!("wrote {OUT}");
    }
    ExitCode::SUCCESS
}

/// Names of the public items declared in every `abi.rs` under `dir`.
fn abi_items(dir: &std::path::Path) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = fs::read_dir(&d)
            .expect("read src")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "abi.rs") {
                let text = fs::read_to_string(&path).expect("read abi.rs");
                for line in text.lines() {
                    let mut words = line.split_whitespace();
                    if words.next() != Some("pub") {
                        continue;
                    }
                    if let (Some("struct" | "union" | "enum" | "type"), Some(name)) =
                        (words.next(), words.next())
                    {
                        let name: String = name.chars().take_while(|&c| is_ident(c)).collect();
                        names.push(name);
                    }
                }
            }
        }
    }
    names
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Replaces whole-identifier occurrences of `from` by `to`.
fn replace_ident(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(from) {
        let before_ok = !rest[..pos].chars().next_back().is_some_and(is_ident);
        let after = &rest[pos + from.len()..];
        let after_ok = !after.chars().next().is_some_and(is_ident);
        out.push_str(&rest[..pos]);
        out.push_str(if before_ok && after_ok { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

fn fix_up(text: &str) -> String {
    let mut fn_types = Vec::new();
    let mut enums = Vec::new();
    let mut structs = Vec::new();
    let mut aliases = Vec::new(); // plain typedefs, hoisted
    let mut typedefs = Vec::new(); // function typedef statements, hoisted
    let mut body = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("typedef ") {
            // enum carrier: `typedef int32_t enum_NAME;`
            if let Some(e) = rest
                .trim_end_matches(';')
                .split_whitespace()
                .last()
                .and_then(|n| n.strip_prefix("enum_"))
            {
                enums.push(e.to_string());
                continue;
            }
            // function pointer typedef: `typedef R (*NAME)(args...);`, maybe several lines
            if let Some(open) = rest.find("(*") {
                let end = open + 2 + rest[open + 2..].find(')').expect("typedef name");
                let name = &rest[open + 2..end];
                fn_types.push(name.to_string());
                let mut stmt = format!("typedef {}({}){}", &rest[..open], name, &rest[end + 1..]);
                while !stmt.trim_end().ends_with(';') {
                    stmt.push('\n');
                    stmt.push_str(lines.next().expect("unterminated typedef"));
                }
                typedefs.push(stmt);
                continue;
            }
            // plain alias (`typedef uint32_t aws_log_subject_t;`): hoisted ahead of the function typedefs
            if rest.ends_with(';') {
                aliases.push(line.to_string());
                continue;
            }
        }
        for kw in ["struct ", "union "] {
            if let Some(name) = line.strip_prefix(kw).and_then(|r| r.strip_suffix(" {")) {
                structs.push(format!("{kw}{name};"));
            }
            // Opaque types (`struct aws_channel;`) are named by function
            // typedefs too: hoist their declarations with the others.
            if let Some(name) = line.strip_prefix(kw).and_then(|r| r.strip_suffix(';')) {
                if !name.contains(' ') {
                    structs.push(line.to_string());
                }
            }
        }
        body.push(line.to_string());
    }
    // Function typedefs name structs and enums: put them after the enums (which
    // cbindgen emits first) behind forward declarations of every struct.
    let first_struct = body
        .iter()
        .position(|l| {
            l.starts_with("struct ") || l.starts_with("union ") || l.starts_with("typedef ")
        })
        .unwrap_or(body.len());
    let mut hoisted = structs;
    hoisted.push(String::new());
    hoisted.extend(aliases);
    hoisted.push(String::new());
    hoisted.extend(typedefs);
    hoisted.push(String::new());
    body.splice(first_struct..first_struct, hoisted);
    let mut out = body.join("\n");
    out.push('\n');
    for e in &enums {
        out = replace_ident(&out, &format!("enum_{e}"), &format!("enum {e}"));
    }
    for f in &fn_types {
        // Every use other than the typedef itself names a pointer to the function type.
        let decl = format!("({f})");
        let mut fixed = String::with_capacity(out.len());
        for line in out.lines() {
            if line.contains(&decl) && line.starts_with("typedef") {
                fixed.push_str(line);
            } else {
                let starred = replace_ident(line, f, &format!("{f} *"));
                fixed.push_str(&starred.replace(&format!("{f} * "), &format!("{f} *")));
            }
            fixed.push('\n');
        }
        out = fixed;
    }
    out
}
