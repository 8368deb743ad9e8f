//! A minimal LSP client over a child process's standard input and output:
//! what the end-to-end tests and the benchmark (`sinfra-bench lsp`) use to
//! speak to the real binary. Requests the server sends (capability
//! registration) are accepted; notifications are kept for the caller.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running server and the messages it sent that nobody asked for yet.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications received while waiting for responses, oldest first.
    pub notifications: Vec<Value>,
}

impl Client {
    /// Starts `server` (standard error discarded).
    pub fn start(server: &Path) -> std::io::Result<Client> {
        let mut child =
            Command::new(server).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout = BufReader::new(child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?);
        Ok(Client { child, stdin, stdout, next_id: 1, notifications: Vec::new() })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn send(&mut self, msg: &Value) -> std::io::Result<()> {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())?;
        self.stdin.flush()
    }

    fn read(&mut self) -> std::io::Result<Value> {
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            if self.stdout.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("the server closed its output"));
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse().map_err(std::io::Error::other)?;
            }
        }
        let mut body = vec![0; len];
        self.stdout.read_exact(&mut body)?;
        serde_json::from_slice(&body).map_err(std::io::Error::other)
    }

    /// Reads one message: a request from the server is answered, anything
    /// else is kept in [`Client::notifications`] unless it is the response `id`.
    fn pump(&mut self, id: Option<i64>) -> std::io::Result<Option<Value>> {
        let msg = self.read()?;
        if let Some(id) = id
            && msg.get("id") == Some(&json!(id))
            && msg.get("method").is_none()
        {
            return Ok(Some(msg));
        }
        if msg.get("method").is_some() && msg.get("id").is_some() {
            self.send(&json!({"jsonrpc": "2.0", "id": msg["id"], "result": null}))?;
        } else {
            self.notifications.push(msg);
        }
        Ok(None)
    }

    /// Sends a request and waits for its response (the whole message: `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> std::io::Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        loop {
            if let Some(response) = self.pump(Some(id))? {
                return Ok(response);
            }
        }
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// Waits up to `timeout` for diagnostics of `uri` that satisfy `ok`.
    pub fn diagnostics_until(
        &mut self,
        uri: &str,
        timeout: Duration,
        ok: impl Fn(&Value) -> bool,
    ) -> std::io::Result<Option<Vec<Value>>> {
        let deadline = Instant::now() + timeout;
        loop {
            let pending = std::mem::take(&mut self.notifications);
            let mut found = None;
            for n in pending {
                if found.is_none()
                    && n["method"] == "textDocument/publishDiagnostics"
                    && n["params"]["uri"] == uri
                    && ok(&n["params"])
                {
                    found = Some(n["params"]["diagnostics"].as_array().cloned().unwrap_or_default());
                } else if found.is_some() {
                    self.notifications.push(n);
                }
            }
            if found.is_some() {
                return Ok(found);
            }
            if Instant::now() > deadline {
                return Ok(None);
            }
            self.pump(None)?;
        }
    }

    /// `shutdown`, `exit`, and waits for the process: whether it exited cleanly.
    pub fn shutdown(mut self) -> std::io::Result<bool> {
        self.request("shutdown", Value::Null)?;
        self.notify("exit", Value::Null)?;
        Ok(self.child.wait()?.success())
    }
}

/// The `file:` URI of an absolute path.
pub fn file_uri(path: &Path) -> String {
    url::Url::from_file_path(path).map(|u| u.to_string()).unwrap_or_else(|()| format!("file://{}", path.display()))
}

/// The LSP position of the first `needle` in `text`, moved `delta` bytes right (UTF-16 = bytes for ASCII text).
pub fn position_of(text: &str, needle: &str, delta: usize) -> Value {
    let offset = text.find(needle).map_or(0, |i| i + delta);
    let line = text[..offset].matches('\n').count();
    let col = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}
