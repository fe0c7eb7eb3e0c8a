//! `mpgen lsp`: a language server over stdio for a site folder. On open, change and save
//! it runs mpgen's own load and check on the editor's text and publishes the same
//! diagnostics as `mpgen check`, for every site file; hover says what an id names and
//! completion offers the ids and keys that fit. The check's caches are kept, so a
//! keystroke re-checks only the file it changed and what reads it.

mod assist;
mod transport;
mod workspace;

use std::collections::BTreeSet;
use std::path::Path;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Completion, HoverRequest, Request as _};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Documentation, Hover, HoverContents, HoverParams, InitializeParams, MarkupContent, MarkupKind,
    PositionEncodingKind, PublishDiagnosticsParams, Range, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit,
};
use serde_json::Value;

use crate::error::{Error, Result};
use workspace::Workspace;

/// Serves the site at `root` (without one, the folder the editor opened) on stdin and
/// stdout until the client shuts it down.
pub fn run(root: Option<&Path>) -> Result<()> {
    let (connection, io) = transport::stdio();
    let input = |e: std::io::Error| Error::Output(format!("the language server's input: {e}"));
    if let Err(e) = serve(root, &connection) {
        drop(connection);
        return Err(io.input_error().map_or(e, input));
    }
    drop(connection);
    io.join().map_err(input)
}

/// The server on any connection (a test's, in memory).
pub fn serve(root: Option<&Path>, connection: &Connection) -> Result<()> {
    let protocol = |e: lsp_server::ProtocolError| Error::Output(format!("language server: {e}"));
    let (id, params) = connection.initialize_start().map_err(protocol)?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let opened = editor_folder(&params);
    let root = root.or(opened.as_deref()).unwrap_or(Path::new("."));
    let mut workspace = Workspace::new(root);
    workspace.utf8 = params
        .capabilities
        .general
        .and_then(|g| g.position_encodings)
        .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
    let result = serde_json::json!({
        "capabilities": capabilities(workspace.utf8),
        "serverInfo": {"name": "mpgen", "version": env!("CARGO_PKG_VERSION")},
    });
    connection.initialize_finish(id, result).map_err(protocol)?;
    let mut server = Server {
        connection,
        workspace,
    };
    server.publish(None);
    server.run().map_err(protocol)
}

/// The folder the editor opened: its first workspace folder, or its root.
fn editor_folder(params: &InitializeParams) -> Option<std::path::PathBuf> {
    #[allow(deprecated)]
    let uri = match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders[0].uri.clone(),
        _ => params.root_uri.clone()?,
    };
    let path = uri.as_str().strip_prefix("file://")?;
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    Some(std::path::PathBuf::from(path.as_ref()))
}

fn capabilities(utf8: bool) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match utf8 {
            true => PositionEncodingKind::UTF8,
            false => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(true.into()),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), ".".into(), "[".into()]),
            ..Default::default()
        }),
        ..ServerCapabilities::default()
    }
}

struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
}

impl Server<'_> {
    fn run(&mut self) -> std::result::Result<(), lsp_server::ProtocolError> {
        let mut changed = BTreeSet::new();
        loop {
            // Take in every message already waiting before checking: a burst of
            // keystrokes is one check.
            let msg = match self.connection.receiver.try_recv() {
                Ok(msg) => msg,
                Err(_) if !changed.is_empty() => {
                    self.publish(Some(&std::mem::take(&mut changed)));
                    continue;
                }
                Err(_) => match self.connection.receiver.recv() {
                    Ok(msg) => msg,
                    Err(_) => return Ok(()),
                },
            };
            match msg {
                Message::Request(req) => {
                    if self.connection.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    self.answer(req);
                }
                Message::Notification(note) => self.notice(note, &mut changed),
                Message::Response(_) => {}
            }
        }
    }

    fn notice(&mut self, note: Notification, changed: &mut BTreeSet<String>) {
        let w = &mut self.workspace;
        match note.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidOpenTextDocumentParams>(note.params)
                    && let Some(rel) = w.rel(&p.text_document.uri)
                {
                    w.open(&rel, p.text_document.text);
                    changed.insert(rel);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidChangeTextDocumentParams>(note.params)
                    && let Some(rel) = w.rel(&p.text_document.uri)
                    && let Some(last) = p.content_changes.into_iter().last()
                {
                    w.open(&rel, last.text);
                    changed.insert(rel);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidCloseTextDocumentParams>(note.params)
                    && let Some(rel) = w.rel(&p.text_document.uri)
                {
                    w.close(&rel);
                    changed.insert(rel);
                }
            }
            // A save, or files changed on disk: every file whose time moved is read.
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => {
                changed.clear();
                self.publish(None);
            }
            _ => {}
        }
    }

    fn publish(&mut self, changed: Option<&BTreeSet<String>>) {
        for (rel, diagnostics) in self.workspace.check(changed) {
            let Some(uri) = self.workspace.uri(&rel) else {
                continue;
            };
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics,
                version: None,
            };
            self.send_note(PublishDiagnostics::METHOD, params);
        }
    }

    fn answer(&mut self, req: Request) {
        let result = match req.method.as_str() {
            HoverRequest::METHOD => params(req.params).and_then(|p| self.hover(p)).map(to_json),
            Completion::METHOD => params(req.params).map(|p| to_json(self.complete(p))),
            _ => {
                let error = Response::new_err(
                    req.id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("mpgen does not answer {}", req.method),
                );
                let _ = self.connection.sender.send(error.into());
                return;
            }
        };
        self.respond(req.id, result.unwrap_or(Value::Null));
    }

    fn hover(&self, p: HoverParams) -> Option<Hover> {
        let w = &self.workspace;
        let at = p.text_document_position_params;
        let rel = w.rel(&at.text_document.uri)?;
        let text = w.text(&rel)?;
        let offset = w.offset(&text, at.position);
        let (span, word) = assist::word_at(&text, offset)?;
        let doc = assist::hover(w.vocabulary.as_ref()?, word)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: doc,
            }),
            range: Some(Range::new(
                w.position(&text, span.start),
                w.position(&text, span.end),
            )),
        })
    }

    fn complete(&self, p: CompletionParams) -> CompletionResponse {
        let w = &self.workspace;
        let at = p.text_document_position;
        let found = (|| {
            let rel = w.rel(&at.text_document.uri)?;
            let text = w.text(&rel)?;
            let offset = w.offset(&text, at.position);
            let (span, offers) = assist::complete(w.vocabulary.as_ref()?, &rel, &text, offset);
            let range = Range::new(w.position(&text, span.start), w.position(&text, span.end));
            Some(offers.into_iter().map(|o| item(o, range)).collect())
        })();
        CompletionResponse::Array(found.unwrap_or_default())
    }

    fn respond(&self, id: RequestId, result: Value) {
        let _ = self
            .connection
            .sender
            .send(Response::new_ok(id, result).into());
    }

    fn send_note(&self, method: &str, params: impl serde::Serialize) {
        let note = Notification::new(method.to_string(), params);
        let _ = self.connection.sender.send(note.into());
    }
}

fn item(o: assist::Offer, range: Range) -> CompletionItem {
    CompletionItem {
        label: o.label.clone(),
        kind: Some(CompletionItemKind::VALUE),
        detail: Some(o.detail),
        documentation: o.doc.map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d,
            })
        }),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, o.label))),
        ..CompletionItem::default()
    }
}

fn params<T: serde::de::DeserializeOwned>(value: Value) -> Option<T> {
    serde_json::from_value(value).ok()
}

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
