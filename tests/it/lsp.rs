//! `mpgen lsp`, driven over stdio with JSON-RPC as an editor drives it: initialize, open
//! a broken profile (a diagnostic at the exact range), change it to the fixed text (the
//! diagnostic is cleared), hover, completion, shutdown.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::Site;

/// How long to wait for a message before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    next_id: i64,
}

impl Client {
    /// `mpgen lsp`, with `--root` when `root` is given.
    fn start(root: Option<&Site>) -> Client {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mpgen"));
        command.arg("lsp");
        if let Some(site) = root {
            command.arg("--root").arg(&site.root);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("mpgen lsp starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, inbox) = channel();
        std::thread::spawn(move || {
            while let Some(msg) = read_message(&mut stdout) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            inbox,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its answer, keeping the notifications that came
    /// before it.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id)["result"].clone()
    }

    fn wait(&self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let msg = self
                .inbox
                .recv_timeout(PATIENCE)
                .expect("the server answers");
            if wanted(&msg) {
                return msg;
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&self, uri: &str) -> Vec<Value> {
        let msg = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        msg["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri_of(site: &Site, rel: &str) -> String {
    let path = site.root.canonicalize().unwrap().join(rel);
    format!("file://{}", path.display())
}

#[test]
fn an_editor_sees_the_checks_errors_as_it_types_and_hover_and_completion_name_the_sites_ids() {
    let site = Site::fixture("basic");
    let mut client = Client::start(Some(&site));
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(&site, ""), "capabilities": {}}),
    );
    assert_eq!(init["capabilities"]["hoverProvider"], true, "{init}");
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    client.notify("initialized", json!({}));

    // A misspelt key in [country], on line 9 (0-based 8), columns 0 to 6.
    let uri = uri_of(&site, "profiles/MEX.toml");
    let fixed = site.read("profiles/MEX.toml");
    let broken = fixed.replacen("summary = ", "sumary = ", 1);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": broken}}),
    );
    let diags = loop {
        let d = client.diagnostics_for(&uri);
        if !d.is_empty() {
            break d;
        }
    };
    let unknown = diags
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("unknown key `sumary`")
        })
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(
        unknown["range"],
        json!({"start": {"line": 8, "character": 0}, "end": {"line": 8, "character": 6}})
    );
    assert_eq!(unknown["severity"], 1);
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("help: did you mean `summary`?")
    );

    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(client.diagnostics_for(&uri), Vec::<Value>::new());

    // Hover over `migrant_stock` in `[series.migrant_stock]`, line 11 (0-based 10).
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 10, "character": 12}}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("International migrant stock"), "{hover}");

    // Completion of a source id after `source = "` typed on a new line.
    let typing = format!("{fixed}\n[series.population]\nsource = \"w");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": typing}]}),
    );
    let last = typing.lines().count() as u32 - 1;
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": last, "character": 11}}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"wdi-2026"), "{labels:?}");
    assert!(labels.contains(&"undesa-ims-2024"), "{labels:?}");
    let edit = &items[0]["textEdit"]["range"];
    assert_eq!(edit["start"], json!({"line": last, "character": 10}));

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn without_a_root_the_server_checks_the_folder_the_editor_opened() {
    let site = Site::fixture("basic");
    let mut client = Client::start(None);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(&site, ""), "capabilities": {},
               "workspaceFolders": [{"uri": uri_of(&site, ""), "name": "site"}]}),
    );
    client.notify("initialized", json!({}));
    let uri = uri_of(&site, "profiles/PHL.toml");
    let broken = site
        .read("profiles/PHL.toml")
        .replacen("[country]", "[country]\nregoin = 1", 1);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": broken}}),
    );
    let diags = client.diagnostics_for(&uri);
    assert!(
        diags
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("`regoin`")),
        "{diags:?}"
    );
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}
