//! The main loop: notifications change the workspaces in order; requests and
//! diagnostics run on database snapshots on the worker pool and report back.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{self as lsp, Uri};
use serde_json::Value as Json;
use sinfra_compiler::db::{Database, Project};
use sinfra_compiler::diagnostics::{Diagnostic, Severity};
use sinfra_ide::{Analysis, CompletionKind, SymbolKind};

use crate::convert::{Encoding, Text, path_to_uri, uri_to_path};
use crate::stdlib_files;
use crate::workspace::{Workspace, root_of};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What a worker sends back to the main loop.
enum Task {
    /// A response to send.
    Respond(Response),
    /// Diagnostics of a workspace computed at `revision`: by project path.
    Diagnostics { root: PathBuf, revision: u64, by_path: BTreeMap<String, Vec<Diagnostic>>, complete: bool },
    /// A line for the client's log.
    Log(String),
}

pub struct Server {
    sender: Sender<Message>,
    tasks: (Sender<Task>, Receiver<Task>),
    pool: rayon::ThreadPool,
    encoding: Encoding,
    workspaces: Vec<Workspace>,
    /// Bumped on every change: results computed on older snapshots are dropped.
    revision: u64,
    /// Paths with diagnostics published, per workspace root (to clear them).
    published: BTreeMap<PathBuf, BTreeSet<String>>,
    stdlib_dir: Option<PathBuf>,
    dirty: bool,
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        inlay_hint_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lsp::SemanticTokensOptions {
                legend: lsp::SemanticTokensLegend {
                    token_types: TOKEN_TYPES.to_vec(),
                    token_modifiers: vec![
                        lsp::SemanticTokenModifier::DECLARATION,
                        lsp::SemanticTokenModifier::DEFAULT_LIBRARY,
                    ],
                },
                full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Simple(true)),
        signature_help_provider: Some(lsp::SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            ..Default::default()
        }),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![".".into(), "@".into()]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The token types, in the order of [`sinfra_ide::TokenKind`]'s mapping below.
const TOKEN_TYPES: [lsp::SemanticTokenType; 12] = [
    lsp::SemanticTokenType::NAMESPACE,
    lsp::SemanticTokenType::TYPE,
    lsp::SemanticTokenType::FUNCTION,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::PARAMETER,
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::STRING,
    lsp::SemanticTokenType::NUMBER,
    lsp::SemanticTokenType::COMMENT,
    lsp::SemanticTokenType::OPERATOR,
];

fn token_type(kind: sinfra_ide::TokenKind) -> u32 {
    use sinfra_ide::TokenKind as K;
    match kind {
        K::Namespace => 0,
        K::Type => 1,
        K::Function => 2,
        K::Variable => 3,
        K::Parameter => 4,
        K::Property => 5,
        K::EnumMember => 6,
        K::Keyword => 7,
        K::String => 8,
        K::Number => 9,
        K::Comment => 10,
        K::Operator => 11,
    }
}

fn client_encoding(params: &lsp::InitializeParams) -> Encoding {
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

impl Server {
    /// Initializes with the client, then serves until `exit`.
    pub fn start(connection: Connection) -> Result<(), Error> {
        let (id, params) = connection.initialize_start()?;
        let params: lsp::InitializeParams = serde_json::from_value(params)?;
        let encoding = client_encoding(&params);
        let result = lsp::InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(lsp::ServerInfo {
                name: "sinfra-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        connection.initialize_finish(id, serde_json::to_value(result)?)?;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).thread_name(|i| format!("sinfra-lsp-{i}")).build()?;
        let mut server = Server {
            sender: connection.sender.clone(),
            tasks: crossbeam_channel::unbounded(),
            pool,
            encoding,
            workspaces: Vec::new(),
            revision: 0,
            published: BTreeMap::new(),
            stdlib_dir: stdlib_files::materialize(),
            dirty: false,
        };
        #[allow(deprecated)] // `root_uri` is what older clients send
        let roots: Vec<PathBuf> = match &params.workspace_folders {
            Some(folders) => folders.iter().filter_map(|f| uri_to_path(&f.uri)).collect(),
            None => params.root_uri.iter().filter_map(uri_to_path).collect(),
        };
        for root in roots {
            if root.join(sinfra_compiler::project::MANIFEST).is_file() {
                server.workspace_for_root(&root);
            }
        }
        server.register_watchers(&params);
        server.serve(&connection)
    }

    fn serve(&mut self, connection: &Connection) -> Result<(), Error> {
        let tasks = self.tasks.1.clone();
        loop {
            select! {
                recv(connection.receiver) -> msg => {
                    let Ok(msg) = msg else { return Ok(()) };
                    match msg {
                        Message::Request(req) => {
                            if connection.handle_shutdown(&req)? {
                                return Ok(());
                            }
                            self.on_request(req);
                        }
                        Message::Notification(n) => {
                            if n.method == lsp::notification::Exit::METHOD {
                                return Ok(());
                            }
                            let guarded = catch_unwind(AssertUnwindSafe(|| self.on_notification(n)));
                            if guarded.is_err() {
                                self.log("sinfra-lsp: a notification handler panicked; state kept".into());
                            }
                        }
                        Message::Response(_) => {}
                    }
                }
                recv(tasks) -> task => {
                    if let Ok(task) = task {
                        self.on_task(task);
                    }
                }
            }
            // Diagnostics once the burst of edits is applied.
            if self.dirty && connection.receiver.is_empty() {
                self.dirty = false;
                self.schedule_diagnostics();
            }
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        let _ = self.sender.send(msg.into());
    }

    fn log(&self, message: String) {
        let params = lsp::LogMessageParams { typ: lsp::MessageType::LOG, message };
        self.send(Notification::new(lsp::notification::LogMessage::METHOD.into(), params));
    }

    fn register_watchers(&self, params: &lsp::InitializeParams) {
        let dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        if !dynamic {
            return;
        }
        let watchers = ["**/*.sinfra", "**/sinfra.toml", "**/*.toml"]
            .iter()
            .map(|g| lsp::FileSystemWatcher { glob_pattern: lsp::GlobPattern::String((*g).into()), kind: None })
            .collect();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = lsp::Registration {
            id: "sinfra-watch".into(),
            method: lsp::notification::DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        };
        let params = lsp::RegistrationParams { registrations: vec![registration] };
        self.send(Request::new(
            RequestId::from("sinfra-register-watchers".to_string()),
            lsp::request::RegisterCapability::METHOD.into(),
            params,
        ));
    }

    // ----- workspaces -------------------------------------------------------

    fn workspace_for_root(&mut self, root: &std::path::Path) -> Option<usize> {
        let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        if let Some(i) = self.workspaces.iter().position(|w| w.root() == canonical) {
            return Some(i);
        }
        match Workspace::load(&canonical) {
            Ok(ws) => {
                self.workspaces.push(ws);
                self.dirty = true;
                Some(self.workspaces.len() - 1)
            }
            Err(e) => {
                self.log(format!("sinfra-lsp: cannot load `{}`: {e}", canonical.display()));
                None
            }
        }
    }

    /// The workspace and project path of a document.
    fn locate_uri(&mut self, uri: &Uri) -> Option<(usize, String)> {
        let path = uri_to_path(uri)?;
        if let Some(dir) = &self.stdlib_dir
            && let Some(rel) = stdlib_files::project_path(dir, &path)
        {
            return if self.workspaces.is_empty() { None } else { Some((0, rel)) };
        }
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        if let Some(i) = self.workspaces.iter().position(|w| path.starts_with(w.root()))
            && let Some(rel) = self.workspaces[i].relative(&path)
        {
            return Some((i, rel));
        }
        let root = root_of(&path)?;
        let i = self.workspace_for_root(&root)?;
        let rel = self.workspaces[i].relative(&path)?;
        Some((i, rel))
    }

    fn uri_of(&self, ws: usize, rel: &str) -> Option<Uri> {
        if rel.starts_with("std/") {
            return path_to_uri(&stdlib_files::file_path(self.stdlib_dir.as_ref()?, rel)?);
        }
        path_to_uri(&self.workspaces.get(ws)?.root().join(rel))
    }

    fn changed(&mut self) {
        self.revision += 1;
        self.dirty = true;
    }

    // ----- notifications ----------------------------------------------------

    fn on_notification(&mut self, n: Notification) {
        use lsp::notification as N;
        match n.method.as_str() {
            N::DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params) else { return };
                let Some((ws, rel)) = self.locate_uri(&p.text_document.uri) else { return };
                if rel.starts_with("std/") {
                    return;
                }
                let w = &mut self.workspaces[ws];
                w.open.insert(rel.clone(), (p.text_document.version, Text::new(p.text_document.text.clone())));
                w.set_source(&rel, Some(p.text_document.text));
                self.changed();
            }
            N::DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params) else { return };
                let Some((ws, rel)) = self.locate_uri(&p.text_document.uri) else { return };
                let enc = self.encoding;
                let w = &mut self.workspaces[ws];
                let Some((version, text)) = w.open.get_mut(&rel) else { return };
                *version = p.text_document.version;
                for change in &p.content_changes {
                    text.edit(enc, change.range, &change.text);
                }
                let new = text.text.clone();
                w.set_source(&rel, Some(new));
                self.changed();
            }
            N::DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params) else { return };
                let Some((ws, rel)) = self.locate_uri(&p.text_document.uri) else { return };
                let w = &mut self.workspaces[ws];
                if w.open.remove(&rel).is_some() {
                    w.reload_from_disk(&rel);
                    self.changed();
                }
            }
            N::DidSaveTextDocument::METHOD => {}
            N::DidChangeWatchedFiles::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(n.params) else { return };
                for change in p.changes {
                    let Some((ws, rel)) = self.locate_uri(&change.uri) else { continue };
                    if Workspace::is_manifest(&rel) {
                        let root = self.workspaces[ws].root().to_path_buf();
                        let open = std::mem::take(&mut self.workspaces[ws].open);
                        match Workspace::load(&root) {
                            Ok(mut fresh) => {
                                for (rel, (v, t)) in open {
                                    fresh.set_source(&rel, Some(t.text.clone()));
                                    fresh.open.insert(rel, (v, t));
                                }
                                self.workspaces[ws] = fresh;
                            }
                            Err(e) => {
                                self.workspaces[ws].open = open;
                                self.log(format!("sinfra-lsp: cannot reload `{}`: {e}", root.display()));
                            }
                        }
                    } else {
                        self.workspaces[ws].reload_from_disk(&rel);
                    }
                    self.changed();
                }
            }
            _ => {}
        }
    }

    // ----- diagnostics ------------------------------------------------------

    fn schedule_diagnostics(&mut self) {
        for w in &self.workspaces {
            let db = w.db().clone();
            let project = w.project();
            let root = w.root().to_path_buf();
            let open: Vec<String> = w.open.keys().cloned().collect();
            let revision = self.revision;
            let tasks = self.tasks.0.clone();
            self.pool.spawn(move || {
                let run = || {
                    salsa::Cancelled::catch(AssertUnwindSafe(|| {
                        // Fast: the open files' own problems, then everything.
                        let fast = static_diagnostics(&db, project, &open);
                        let _ = tasks.send(Task::Diagnostics {
                            root: root.clone(),
                            revision,
                            by_path: fast,
                            complete: false,
                        });
                        let all = sinfra_compiler::check::project_diagnostics(&db, project);
                        let mut by_path: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
                        for d in all.iter() {
                            by_path.entry(d.location().path.clone()).or_default().push(d.clone());
                        }
                        let _ = tasks.send(Task::Diagnostics { root, revision, by_path, complete: true });
                    }))
                };
                if let Err(panic) = catch_unwind(run) {
                    let _ = tasks.send(Task::Log(format!("sinfra-lsp: diagnostics panicked: {}", panic_text(&panic))));
                }
            });
        }
    }

    fn on_task(&mut self, task: Task) {
        match task {
            Task::Respond(r) => self.send(r),
            Task::Log(m) => self.log(m),
            Task::Diagnostics { root, revision, by_path, complete } => {
                if revision != self.revision {
                    return;
                }
                let Some(ws) = self.workspaces.iter().position(|w| w.root() == root) else { return };
                let before = self.published.get(&root).cloned().unwrap_or_default();
                let mut now = BTreeSet::new();
                for (rel, diags) in &by_path {
                    if rel.starts_with("std/") {
                        continue;
                    }
                    self.publish(ws, rel, diags);
                    now.insert(rel.clone());
                }
                if complete {
                    for rel in before.difference(&now) {
                        self.publish(ws, rel, &[]);
                    }
                    self.published.insert(root, now);
                } else {
                    let entry = self.published.entry(root).or_default();
                    entry.extend(now);
                }
            }
        }
    }

    fn publish(&self, ws: usize, rel: &str, diags: &[Diagnostic]) {
        let w = &self.workspaces[ws];
        let Some(uri) = self.uri_of(ws, rel) else { return };
        let Some(text) = w.text(rel) else { return };
        let version = w.open.get(rel).map(|(v, _)| *v);
        let diagnostics = diags.iter().map(|d| self.to_lsp_diagnostic(ws, &text, d)).collect();
        let params = lsp::PublishDiagnosticsParams { uri, diagnostics, version };
        self.send(Notification::new(lsp::notification::PublishDiagnostics::METHOD.into(), params));
    }

    fn to_lsp_diagnostic(&self, ws: usize, text: &Text, d: &Diagnostic) -> lsp::Diagnostic {
        let enc = self.encoding;
        let w = &self.workspaces[ws];
        let primary = d.location();
        let mut message = d.message.clone();
        if let Some(first) = d.labels.first()
            && !first.message.is_empty()
        {
            message = format!("{message}\n{}", first.message);
        }
        for note in &d.notes {
            message.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        if !d.stacks.is_empty() {
            message.push_str(&format!("\nin stacks: {}", d.stacks.join(", ")));
        }
        let related = d
            .labels
            .iter()
            .skip(1)
            .filter_map(|l| {
                let t = w.text(&l.location.path)?;
                Some(lsp::DiagnosticRelatedInformation {
                    location: lsp::Location {
                        uri: self.uri_of(ws, &l.location.path)?,
                        range: t.range(enc, l.location.span),
                    },
                    message: l.message.clone(),
                })
            })
            .collect::<Vec<_>>();
        lsp::Diagnostic {
            range: text.range(enc, primary.span),
            severity: Some(match d.severity {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            }),
            code: Some(lsp::NumberOrString::String(d.code.as_str().into())),
            source: Some("sinfra".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        }
    }

    // ----- requests ---------------------------------------------------------

    fn on_request(&mut self, req: Request) {
        use lsp::request as R;
        let id = req.id.clone();
        let method = req.method.clone();
        let known = [
            R::HoverRequest::METHOD,
            R::GotoDefinition::METHOD,
            R::References::METHOD,
            R::Completion::METHOD,
            R::DocumentSymbolRequest::METHOD,
            R::Formatting::METHOD,
            R::Rename::METHOD,
            R::PrepareRenameRequest::METHOD,
            R::CodeActionRequest::METHOD,
            R::SignatureHelpRequest::METHOD,
            R::FoldingRangeRequest::METHOD,
            R::SemanticTokensFullRequest::METHOD,
            R::InlayHintRequest::METHOD,
        ];
        if method == R::WorkspaceSymbolRequest::METHOD {
            self.workspace_symbols(id, &req.params);
            return;
        }
        if !known.contains(&method.as_str()) {
            self.send(Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("unknown method `{method}`")));
            return;
        }
        let Some(uri) = document_uri(&req.params) else {
            self.send(Response::new_err(id, ErrorCode::InvalidParams as i32, "no text document".into()));
            return;
        };
        let Some((ws, rel)) = self.locate_uri(&uri) else {
            self.send(Response::new_ok(id, Json::Null));
            return;
        };
        let w = &self.workspaces[ws];
        let (Some(text), Some(_)) = (w.text(&rel), w.file(&rel)) else {
            self.send(Response::new_ok(id, Json::Null));
            return;
        };
        let job = Job {
            db: w.db().clone(),
            project: w.project(),
            rel,
            text,
            encoding: self.encoding,
            root: w.root().to_path_buf(),
            stdlib_dir: self.stdlib_dir.clone(),
        };
        let tasks = self.tasks.0.clone();
        self.pool.spawn(move || {
            let response = answer_guarded(id, &method, &tasks, || job.answer(&method, req.params));
            let _ = tasks.send(Task::Respond(response));
        });
    }
}

/// Runs a request's handler on a snapshot: a cancelled snapshot (an edit
/// arrived) answers `ContentModified`, a panic is logged and answered
/// `InternalError` — the server keeps serving either way.
fn answer_guarded(
    id: RequestId,
    method: &str,
    tasks: &Sender<Task>,
    handler: impl FnOnce() -> Result<Json, String>,
) -> Response {
    let outcome = catch_unwind(AssertUnwindSafe(|| salsa::Cancelled::catch(AssertUnwindSafe(handler))));
    match outcome {
        Ok(Ok(Ok(value))) => Response::new_ok(id, value),
        Ok(Ok(Err(message))) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
        Ok(Err(_cancelled)) => Response::new_err(id, ErrorCode::ContentModified as i32, "the document changed".into()),
        Err(panic) => {
            let text = panic_text(&panic);
            let _ = tasks.send(Task::Log(format!("sinfra-lsp: `{method}` panicked: {text}")));
            Response::new_err(id, ErrorCode::InternalError as i32, format!("internal error: {text}"))
        }
    }
}

impl Server {
    /// `workspace/symbol`: the items of every loaded project whose name contains the query.
    fn workspace_symbols(&self, id: RequestId, params: &Json) {
        let query = params.get("query").and_then(Json::as_str).unwrap_or_default().to_string();
        let jobs: Vec<(Database, Project, PathBuf)> =
            self.workspaces.iter().map(|w| (w.db().clone(), w.project(), w.root().to_path_buf())).collect();
        let (tasks, encoding) = (self.tasks.0.clone(), self.encoding);
        self.pool.spawn(move || {
            let answer = catch_unwind(AssertUnwindSafe(|| {
                salsa::Cancelled::catch(AssertUnwindSafe(|| {
                    let mut out: Vec<lsp::WorkspaceSymbol> = Vec::new();
                    for (db, project, root) in &jobs {
                        let a = Analysis::new(db, *project);
                        for (path, s) in sinfra_ide::workspace_symbols(&a, &query) {
                            let Some(file) = a.file(&path) else { continue };
                            let text = Text::new(file.text(db).clone());
                            let Some(uri) = path_to_uri(&root.join(&path)) else { continue };
                            out.push(lsp::WorkspaceSymbol {
                                name: s.name,
                                kind: lsp::SymbolKind::OBJECT,
                                tags: None,
                                container_name: Some(path.clone()),
                                location: lsp::OneOf::Left(lsp::Location {
                                    uri,
                                    range: text.range(encoding, s.name_span),
                                }),
                                data: None,
                            });
                        }
                    }
                    out
                }))
            }));
            let response = match answer {
                Ok(Ok(symbols)) => Response::new_ok(id, symbols),
                Ok(Err(_)) => Response::new_err(id, ErrorCode::ContentModified as i32, "the project changed".into()),
                Err(panic) => Response::new_err(id, ErrorCode::InternalError as i32, panic_text(&panic)),
            };
            let _ = tasks.send(Task::Respond(response));
        });
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn document_uri(params: &Json) -> Option<Uri> {
    let uri = params.get("textDocument")?.get("uri")?.as_str()?;
    uri.parse().ok()
}

fn static_diagnostics(db: &Database, project: Project, open: &[String]) -> BTreeMap<String, Vec<Diagnostic>> {
    let mut out = BTreeMap::new();
    for rel in open {
        let Some(file) = project.files(db).iter().copied().find(|f| f.path(db) == rel) else { continue };
        let diags = sinfra_compiler::check::file_diagnostics(db, project, file);
        let mut diags: Vec<Diagnostic> = diags.iter().filter(|d| d.location().path == *rel).cloned().collect();
        sinfra_compiler::diagnostics::normalize(&mut diags);
        out.insert(rel.clone(), diags);
    }
    out
}

/// A request's inputs, moved to a worker.
struct Job {
    db: Database,
    project: Project,
    rel: String,
    text: Text,
    encoding: Encoding,
    root: PathBuf,
    stdlib_dir: Option<PathBuf>,
}

impl Job {
    fn location(&self, span: &sinfra_ide::FileSpan) -> Option<lsp::Location> {
        self.locations(std::slice::from_ref(span)).pop()
    }

    /// The locations of `spans`, each file's text indexed once (references and
    /// renames hit the same files many times).
    fn locations(&self, spans: &[sinfra_ide::FileSpan]) -> Vec<lsp::Location> {
        let a = Analysis::new(&self.db, self.project);
        let mut files: BTreeMap<&str, Option<(Uri, Text)>> = BTreeMap::new();
        let mut out = Vec::new();
        for span in spans {
            let file = files.entry(span.path.as_str()).or_insert_with(|| {
                let path = if span.path.starts_with("std/") {
                    stdlib_files::file_path(self.stdlib_dir.as_ref()?, &span.path)?
                } else {
                    self.root.join(&span.path)
                };
                Some((path_to_uri(&path)?, Text::new(a.file(&span.path)?.text(&self.db).clone())))
            });
            if let Some((uri, text)) = file {
                out.push(lsp::Location { uri: uri.clone(), range: text.range(self.encoding, span.span) });
            }
        }
        out
    }

    /// The offset of the request's position; `None` when it has none or it lies
    /// outside the document (an edit raced the request): the answer is then empty.
    fn offset(&self, params: &Json) -> Option<u32> {
        let pos: lsp::Position = params.get("position").cloned().and_then(|p| serde_json::from_value(p).ok())?;
        self.text.offset(self.encoding, pos)
    }

    // `WorkspaceEdit::changes` is keyed by `Uri` in lsp-types' API; its lazily
    // parsed parts are not part of its hash or equality.
    #[allow(clippy::mutable_key_type)]
    fn answer(&self, method: &str, params: Json) -> Result<Json, String> {
        use lsp::request as R;
        let a = Analysis::new(&self.db, self.project);
        let file = a.file(&self.rel).ok_or("not a file of the project")?;
        let json = |v: Result<Json, serde_json::Error>| v.map_err(|e| e.to_string());
        match method {
            R::HoverRequest::METHOD => {
                let Some(offset) = self.offset(&params) else { return Ok(Json::Null) };
                let hover = sinfra_ide::hover(&a, file, offset).map(|h| lsp::Hover {
                    contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: h.markdown,
                    }),
                    range: Some(self.text.range(self.encoding, h.span)),
                });
                json(serde_json::to_value(hover))
            }
            R::GotoDefinition::METHOD => {
                let Some(offset) = self.offset(&params) else { return Ok(Json::Null) };
                let target = sinfra_ide::definition(&a, file, offset).and_then(|s| self.location(&s));
                json(serde_json::to_value(target.map(lsp::GotoDefinitionResponse::Scalar)))
            }
            R::References::METHOD => {
                let Some(offset) = self.offset(&params) else { return Ok(Json::Null) };
                let include_decl = params
                    .get("context")
                    .and_then(|c| c.get("includeDeclaration"))
                    .and_then(Json::as_bool)
                    .unwrap_or(true);
                let mut spans = sinfra_ide::references(&a, file, offset);
                if !include_decl && !spans.is_empty() {
                    spans.remove(0);
                }
                let locations = self.locations(&spans);
                json(serde_json::to_value(locations))
            }
            R::Completion::METHOD => {
                let Some(offset) = self.offset(&params) else { return Ok(Json::Null) };
                let all = sinfra_ide::completions(&a, file, offset);
                let typed = sinfra_ide::typed_prefix(&self.text.text, offset);
                let (shown, incomplete) = first_matches(all, typed, MAX_COMPLETIONS);
                let items: Vec<lsp::CompletionItem> = shown
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| lsp::CompletionItem {
                        label: c.label.clone(),
                        kind: Some(completion_kind(c.kind)),
                        detail: c.detail.clone(),
                        documentation: c.doc.clone().map(|d| {
                            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                                kind: lsp::MarkupKind::Markdown,
                                value: d,
                            })
                        }),
                        insert_text: c.insert.clone(),
                        preselect: c.preselect.then_some(true),
                        sort_text: Some(format!("{}{i:05}", if c.preselect { 0 } else { 1 })),
                        ..Default::default()
                    })
                    .collect();
                json(serde_json::to_value(lsp::CompletionResponse::List(lsp::CompletionList {
                    is_incomplete: incomplete,
                    items,
                })))
            }
            R::DocumentSymbolRequest::METHOD => {
                let symbols: Vec<lsp::DocumentSymbol> =
                    sinfra_ide::symbols(&a, file).into_iter().map(|s| self.symbol(s)).collect();
                json(serde_json::to_value(lsp::DocumentSymbolResponse::Nested(symbols)))
            }
            R::Formatting::METHOD => {
                // `sinfrac fmt`'s code; a file with syntax errors is left as it is.
                let edits = match sinfra_syntax::format::format(&self.text.text) {
                    Ok(formatted) if formatted != self.text.text => vec![lsp::TextEdit {
                        range: self.text.range(self.encoding, sinfra_syntax::Span::new(0, self.text.text.len() as u32)),
                        new_text: formatted,
                    }],
                    _ => Vec::new(),
                };
                json(serde_json::to_value(edits))
            }
            R::SemanticTokensFullRequest::METHOD => {
                let mut data = Vec::new();
                let (mut line, mut start) = (0u32, 0u32);
                for t in sinfra_ide::semantic_tokens(&a, file) {
                    let r = self.text.range(self.encoding, t.span);
                    let delta_start = if r.start.line == line { r.start.character - start } else { r.start.character };
                    data.push(lsp::SemanticToken {
                        delta_line: r.start.line - line,
                        delta_start,
                        length: r.end.character.saturating_sub(r.start.character),
                        token_type: token_type(t.kind),
                        token_modifiers_bitset: u32::from(t.declaration) | (u32::from(t.library) << 1),
                    });
                    (line, start) = (r.start.line, r.start.character);
                }
                json(serde_json::to_value(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
                    result_id: None,
                    data,
                })))
            }
            R::InlayHintRequest::METHOD => {
                let range: Option<lsp::Range> =
                    params.get("range").cloned().and_then(|r| serde_json::from_value(r).ok());
                let hints: Vec<lsp::InlayHint> = sinfra_ide::inlay_hints(&a, file)
                    .into_iter()
                    .map(|h| {
                        let value = h.kind == sinfra_ide::HintKind::Value;
                        lsp::InlayHint {
                            position: self.text.position(self.encoding, h.offset),
                            label: lsp::InlayHintLabel::String(if value { format!("  {}", h.label) } else { h.label }),
                            kind: Some(if value { lsp::InlayHintKind::TYPE } else { lsp::InlayHintKind::PARAMETER }),
                            text_edits: None,
                            tooltip: None,
                            padding_left: None,
                            padding_right: Some(!value),
                            data: None,
                        }
                    })
                    .filter(|h| range.is_none_or(|r| r.start <= h.position && h.position <= r.end))
                    .collect();
                json(serde_json::to_value(hints))
            }
            R::FoldingRangeRequest::METHOD => {
                let ranges: Vec<lsp::FoldingRange> = sinfra_ide::folding(&a, file)
                    .into_iter()
                    .filter_map(|span| {
                        let r = self.text.range(self.encoding, span);
                        (r.end.line > r.start.line).then(|| lsp::FoldingRange {
                            start_line: r.start.line,
                            end_line: r.end.line,
                            kind: Some(lsp::FoldingRangeKind::Region),
                            ..Default::default()
                        })
                    })
                    .collect();
                json(serde_json::to_value(ranges))
            }
            R::PrepareRenameRequest::METHOD => {
                let Some(offset) = self.offset(&params) else { return Ok(Json::Null) };
                let span = sinfra_ide::prepare_rename(&a, file, offset).map_err(|e| e.to_string())?;
                json(serde_json::to_value(lsp::PrepareRenameResponse::Range(self.text.range(self.encoding, span.span))))
            }
            R::Rename::METHOD => {
                let Some(offset) = self.offset(&params) else { return Ok(Json::Null) };
                let new_name = params.get("newName").and_then(Json::as_str).unwrap_or_default();
                let spans = sinfra_ide::rename(&a, file, offset, new_name).map_err(|e| e.to_string())?;
                let mut changes: std::collections::HashMap<Uri, Vec<lsp::TextEdit>> = Default::default();
                for loc in self.locations(&spans) {
                    changes
                        .entry(loc.uri)
                        .or_default()
                        .push(lsp::TextEdit { range: loc.range, new_text: new_name.into() });
                }
                json(serde_json::to_value(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }))
            }
            R::CodeActionRequest::METHOD => {
                let range: lsp::Range =
                    params.get("range").cloned().and_then(|r| serde_json::from_value(r).ok()).ok_or("no range")?;
                let start = self.text.offset(self.encoding, range.start).unwrap_or(0);
                let end = self.text.offset(self.encoding, range.end).unwrap_or(start);
                let actions: Vec<lsp::CodeActionOrCommand> =
                    sinfra_ide::fixes(&a, file, sinfra_syntax::Span::new(start, end))
                        .into_iter()
                        .filter_map(|f| {
                            // The fix may apply in another file (a helper's selection).
                            let at = self.locations(std::slice::from_ref(&f.at)).pop()?;
                            let edit = lsp::TextEdit { range: at.range, new_text: f.replacement };
                            let mut changes: std::collections::HashMap<Uri, Vec<lsp::TextEdit>> = Default::default();
                            changes.insert(at.uri, vec![edit]);
                            Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                                title: f.title,
                                kind: Some(lsp::CodeActionKind::QUICKFIX),
                                edit: Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }),
                                is_preferred: Some(true),
                                ..Default::default()
                            }))
                        })
                        .collect();
                json(serde_json::to_value(actions))
            }
            R::SignatureHelpRequest::METHOD => {
                let Some(offset) = self.offset(&params) else { return Ok(Json::Null) };
                let help = sinfra_ide::signature_help(&a, file, offset).map(|h| lsp::SignatureHelp {
                    active_parameter: Some(h.active as u32),
                    active_signature: Some(0),
                    signatures: vec![lsp::SignatureInformation {
                        label: h.label,
                        documentation: h.doc.map(|d| {
                            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                                kind: lsp::MarkupKind::Markdown,
                                value: d,
                            })
                        }),
                        parameters: Some(
                            h.params
                                .into_iter()
                                .map(|p| lsp::ParameterInformation {
                                    label: lsp::ParameterLabel::Simple(p),
                                    documentation: None,
                                })
                                .collect(),
                        ),
                        active_parameter: Some(h.active as u32),
                    }],
                });
                json(serde_json::to_value(help))
            }
            _ => Err(format!("unknown method `{method}`")),
        }
    }

    #[allow(deprecated)] // `deprecated` is a required field of the struct
    fn symbol(&self, s: sinfra_ide::Symbol) -> lsp::DocumentSymbol {
        lsp::DocumentSymbol {
            name: s.name,
            detail: None,
            kind: match s.kind {
                SymbolKind::Type => lsp::SymbolKind::STRUCT,
                SymbolKind::Function => lsp::SymbolKind::FUNCTION,
                SymbolKind::Constant => lsp::SymbolKind::CONSTANT,
                SymbolKind::Instance => lsp::SymbolKind::OBJECT,
                SymbolKind::Platform => lsp::SymbolKind::NAMESPACE,
                SymbolKind::Policy => lsp::SymbolKind::EVENT,
                SymbolKind::Field => lsp::SymbolKind::FIELD,
                SymbolKind::Module => lsp::SymbolKind::MODULE,
            },
            tags: None,
            deprecated: None,
            range: self.text.range(self.encoding, s.span),
            selection_range: self.text.range(self.encoding, s.name_span),
            children: Some(s.children.into_iter().map(|c| self.symbol(c)).collect()),
        }
    }
}

/// The most completion items one answer carries. A project of a thousand
/// services has over a thousand names in scope; sending them all on every
/// keystroke costs the editor more than it helps. Past this many the list is
/// marked incomplete, so the editor asks again as the user types, and the
/// server narrows it by what was typed.
const MAX_COMPLETIONS: usize = 200;

/// The items whose label holds the typed characters in order (as editors
/// match), best first as the IDE ranked them, at most `max`; whether any
/// matching item was left out.
fn first_matches(items: Vec<sinfra_ide::Completion>, typed: &str, max: usize) -> (Vec<sinfra_ide::Completion>, bool) {
    let typed: Vec<char> = typed.chars().flat_map(char::to_lowercase).collect();
    let fits = |label: &str| {
        let mut wanted = typed.iter().peekable();
        for c in label.chars().flat_map(char::to_lowercase) {
            if wanted.peek() == Some(&&c) {
                wanted.next();
            }
        }
        wanted.peek().is_none()
    };
    let mut matching: Vec<sinfra_ide::Completion> = items.into_iter().filter(|c| fits(&c.label)).collect();
    let incomplete = matching.len() > max;
    matching.truncate(max);
    (matching, incomplete)
}

fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        CompletionKind::Function => lsp::CompletionItemKind::FUNCTION,
        CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Instance => lsp::CompletionItemKind::VALUE,
        CompletionKind::Type => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Module => lsp::CompletionItemKind::MODULE,
        CompletionKind::Platform => lsp::CompletionItemKind::ENUM_MEMBER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_request_is_answered_and_logged() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let response = answer_guarded(RequestId::from(7), "textDocument/hover", &tx, || panic!("boom"));
        let error = response.response_result.expect_err("an error response");
        assert_eq!(error.code, ErrorCode::InternalError as i32);
        assert!(error.message.contains("boom"), "{}", error.message);
        match rx.try_recv() {
            Ok(Task::Log(line)) => assert!(line.contains("`textDocument/hover` panicked: boom"), "{line}"),
            _ => panic!("the panic is logged"),
        }
        // The same guard answers the next request normally.
        let ok = answer_guarded(RequestId::from(8), "textDocument/hover", &tx, || Ok(Json::Null));
        assert!(ok.response_result.is_ok());
    }

    #[test]
    fn long_completion_lists_are_cut_and_narrowed_by_what_is_typed() {
        let item = |label: &str| sinfra_ide::Completion {
            label: label.into(),
            kind: CompletionKind::Variable,
            detail: None,
            doc: None,
            insert: None,
            preselect: false,
        };
        let names: Vec<sinfra_ide::Completion> = (0..500).map(|i| item(&format!("service_{i:03}"))).collect();
        let (shown, incomplete) = first_matches(names.clone(), "", MAX_COMPLETIONS);
        assert_eq!((shown.len(), incomplete), (MAX_COMPLETIONS, true));
        let (shown, incomplete) = first_matches(names.clone(), "s49", MAX_COMPLETIONS);
        let labels: Vec<&str> = shown.iter().map(|c| c.label.as_str()).collect();
        assert!(!incomplete && labels.contains(&"service_499") && labels.contains(&"service_049"), "{labels:?}");
        assert!(labels.iter().all(|l| l.contains('4') && l.contains('9')));
        let (shown, _) = first_matches(vec![item("replicas"), item("Region")], "RE", MAX_COMPLETIONS);
        assert_eq!(shown.len(), 2, "case-insensitive");
        let typed_prefix = sinfra_ide::typed_prefix;
        assert_eq!(typed_prefix("  replicas = rep", 16), "rep");
        assert_eq!(typed_prefix("cache.ho", 8), "ho");
        assert_eq!(typed_prefix("x", 99), "", "an offset past the end types nothing");
    }

    #[test]
    fn a_cancelled_request_is_content_modified() {
        let (tx, _rx) = crossbeam_channel::unbounded();
        let response = answer_guarded(RequestId::from(1), "textDocument/completion", &tx, || {
            std::panic::resume_unwind(Box::new(salsa::Cancelled::PendingWrite))
        });
        assert_eq!(response.response_result.expect_err("an error").code, ErrorCode::ContentModified as i32);
    }
}
