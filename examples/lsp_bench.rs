//! Times `mpgen lsp` as an editor uses it: the first check of a whole site, then
//! keystrokes in one file (a misspelt key typed and fixed, in turn), each timed from
//! the change sent to its diagnostics received. Prints the medians and the 95th
//! percentile.
//!
//! `cargo build --release && cargo run --release --example lsp_bench -- SITE [FILE] [KEYSTROKES]`

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        match line.trim_end() {
            "" => break,
            l => {
                length = l
                    .strip_prefix("Content-Length: ")
                    .and_then(|n| n.parse().ok())
                    .or(length)
            }
        }
    }
    let mut body = vec![0; length?];
    std::io::Read::read_exact(reader, &mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let site = PathBuf::from(args.first().expect("SITE"))
        .canonicalize()
        .unwrap();
    let profile = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "profiles/MEX.toml".into());
    let keystrokes: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(40);
    let exe = std::env::current_exe().unwrap();
    let mpgen = exe.parent().unwrap().parent().unwrap().join("mpgen");
    let mut child = Command::new(mpgen)
        .args(["lsp", "--root"])
        .arg(&site)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("target/release/mpgen: build it first with `cargo build --release`");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |msg: Value| {
        let body = msg.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let uri = format!("file://{}", site.join(&profile).display());
    let mut wait_for = |uri: &str| loop {
        let m = read_message(&mut stdout).expect("the server answers");
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
            return m;
        }
    };

    let start = Instant::now();
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let text = std::fs::read_to_string(site.join(&profile)).unwrap();
    send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "toml", "version": 0, "text": text}}}));
    wait_for(&uri);
    println!(
        "first check of the site and the open profile: {:.0} ms",
        start.elapsed().as_secs_f64() * 1e3
    );

    // An unknown key at the top, an error in any site file.
    let broken = format!("regoin = \"x\"\n{text}");
    let mut times = Vec::new();
    for i in 1..=keystrokes {
        let now = if i % 2 == 1 { &broken } else { &text };
        let t = Instant::now();
        send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": i}, "contentChanges": [{"text": now}]}}));
        wait_for(&uri);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} keystrokes in {profile}: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    while read_message(&mut stdout).is_some_and(|m| m["id"] != 2) {}
    send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = child.wait();
}
