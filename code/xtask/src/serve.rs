//! `cargo xtask serve`: the built book on the loopback interface, and a runner for its listings.
//!
//! The runner executes code, so only the book's own pages may use it. Every request must carry a `Host` that
//! names this server (a page of another site that rebinds its DNS name to 127.0.0.1 sends its own name); a
//! run must come from the book's origin (another page open in the same browser sends its own `Origin`) and
//! carry this launch's secret in a header (which a cross-site request could only send after a CORS preflight,
//! and the server grants none). The secret is written into the HTML pages it serves, which another site cannot
//! read.

use crate::runner::{Limits, Queue, Toolchain};
#[cfg(test)]
use crate::runner::RunOutput;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The header a run must carry, with the launch's secret.
pub const SECRET_HEADER: &str = "X-Course-Runner";
/// The largest program accepted, in bytes: a listing is a few KB.
pub const MAX_BODY: usize = 256 * 1024;

/// Who may use the server: its port and this launch's secret.
#[derive(Clone)]
pub struct Access {
    pub port: u16,
    pub secret: String,
}

/// Why a request was refused (all answered 403, nothing run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Host,
    Origin,
    Secret,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Host => "refused: the Host header does not name this server (127.0.0.1, localhost or [::1] on its port)",
            Refusal::Origin => "refused: a run must come from the book's own pages (Origin)",
            Refusal::Secret => "refused: missing or wrong runner secret (reload the page after restarting the server)",
        }
    }
}

impl Access {
    /// A fresh secret from the operating system's random source.
    pub fn new(port: u16) -> std::io::Result<Access> {
        let mut bytes = [0u8; 24];
        fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
        Ok(Access { port, secret: bytes.iter().map(|b| format!("{b:02x}")).collect() })
    }

    fn hosts(&self) -> [String; 3] {
        let p = self.port;
        [format!("127.0.0.1:{p}"), format!("localhost:{p}"), format!("[::1]:{p}")]
    }

    /// Any request: the Host must be this server.
    pub fn check_host(&self, host: Option<&str>) -> Result<(), Refusal> {
        match host {
            Some(h) if self.hosts().iter().any(|ok| ok.eq_ignore_ascii_case(h)) => Ok(()),
            _ => Err(Refusal::Host),
        }
    }

    /// A run: Host, then Origin (the same host, over http), then the secret.
    pub fn check_run(&self, host: Option<&str>, origin: Option<&str>, secret: Option<&str>) -> Result<(), Refusal> {
        self.check_host(host)?;
        let host = host.unwrap_or_default();
        if origin.is_none_or(|o| !o.eq_ignore_ascii_case(&format!("http://{host}"))) {
            return Err(Refusal::Origin);
        }
        match secret {
            Some(s) if constant_time_eq(s.as_bytes(), self.secret.as_bytes()) => Ok(()),
            _ => Err(Refusal::Secret),
        }
    }
}

/// Compares without stopping at the first difference, so timing does not tell how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The page with the secret in a `<meta>` tag, where the book's runner script reads it.
pub fn inject(html: &str, secret: &str) -> String {
    let tag = format!("<meta name=\"course-runner\" content=\"{secret}\">");
    match html.find("<head>") {
        Some(at) => format!("{}{tag}{}", &html[..at + 6], &html[at + 6..]),
        None => html.to_owned(),
    }
}

/// The file a URL path names under `dir`, or None when it would leave `dir` (`..`, absolute parts) or does not
/// exist. A folder serves its `index.html`; the query and fragment are ignored; `%20`-style escapes decoded.
pub fn static_file(dir: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    let mut out = dir.to_path_buf();
    for part in Path::new(decoded.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    out.is_file().then_some(out)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("json") => "application/json",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// The runner's state: compiling the course's crates at the first start, then ready (or failed, saying why).
pub enum State {
    Preparing,
    Ready(Arc<Queue>),
    Failed(String),
}

/// The answer to a request: status, content type, body. Kept apart from the HTTP library, so it is testable.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Answer {
    fn text(status: u16, text: &str) -> Answer {
        Answer { status, content_type: "text/plain; charset=utf-8", body: text.as_bytes().to_vec() }
    }
    fn json(status: u16, value: &serde_json::Value) -> Answer {
        Answer { status, content_type: "application/json", body: value.to_string().into_bytes() }
    }
}

/// A request, as the handler needs it.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub host: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub secret: Option<&'a str>,
    pub body: &'a [u8],
}

/// Everything the server does for one request.
pub fn handle(req: &Request, access: &Access, book: &Path, state: &Mutex<State>, limits: &Limits) -> Answer {
    if let Err(refusal) = access.check_host(req.host) {
        return Answer::text(403, refusal.message());
    }
    match (req.method, req.url.split('?').next().unwrap_or("")) {
        ("POST", "/run") => {
            if let Err(refusal) = access.check_run(req.host, req.origin, req.secret) {
                return Answer::text(403, refusal.message());
            }
            if req.body.len() > MAX_BODY {
                return Answer::text(413, "program too large");
            }
            let request = serde_json::from_slice::<serde_json::Value>(req.body).ok();
            let Some(code) = request.as_ref().and_then(|v| v["code"].as_str().map(str::to_owned)) else {
                return Answer::text(400, "expected JSON {\"code\": \"...\"}");
            };
            // a listing whose shown output is timed is built as that output was (`"optimised": true`)
            let optimised = request.as_ref().is_some_and(|v| v["optimised"] == serde_json::Value::Bool(true));
            let queue = match &*state.lock().unwrap_or_else(|e| e.into_inner()) {
                State::Preparing => {
                    return Answer::json(503, &serde_json::json!({
                        "waiting": "the course's crates are compiling for the runner (the first start takes several minutes; later ones seconds)"
                    }));
                }
                State::Failed(why) => return Answer::json(500, &serde_json::json!({ "error": why })),
                State::Ready(queue) => queue.clone(),
            };
            match queue.run_as(&code, limits, optimised) {
                Ok(output) => Answer::json(200, &output.to_value()),
                Err(busy) => Answer::json(429, &serde_json::json!({ "error": busy })),
            }
        }
        ("GET" | "HEAD", path) => match static_file(book, path) {
            Some(file) => match fs::read(&file) {
                Ok(bytes) => {
                    let content_type = content_type(&file);
                    let body = if content_type.starts_with("text/html") {
                        inject(&String::from_utf8_lossy(&bytes), &access.secret).into_bytes()
                    } else {
                        bytes
                    };
                    Answer { status: 200, content_type, body }
                }
                Err(_) => Answer::text(500, "cannot read the file"),
            },
            None => Answer::text(404, "not found"),
        },
        // no CORS preflight is ever granted, and nothing else is served
        _ => Answer::text(405, "method not allowed"),
    }
}

/// Connections served at once; more are answered 503 at once rather than queued.
const MAX_CONNECTIONS: usize = 32;
/// A connection that sends nothing for this long is dropped (a stalled client must not hold a thread).
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves until stopped: loopback only, a thread per connection (at most `MAX_CONNECTIONS`), one request per
/// connection (`Connection: close`: no keep-alive state that a browser's parallel connections could stall on),
/// requests parsed by `httparse`. The runs themselves are limited by the runner's queue.
pub fn serve(book: PathBuf, access: Access, state: Arc<Mutex<State>>, limits: Limits) -> Result<(), String> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", access.port)).map_err(|e| format!("127.0.0.1:{}: {e}", access.port))?;
    let open = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if open.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            let _ = write_answer(&mut stream, &Answer::text(503, "too many connections; try again"), false);
            continue;
        }
        let (book, access, state, limits, open) = (book.clone(), access.clone(), state.clone(), limits.clone(), open.clone());
        std::thread::spawn(move || {
            let mut head_only = false;
            let answer = match read_request(&mut stream) {
                Ok(raw) => {
                    head_only = raw.method == "HEAD";
                    let req = Request {
                        method: &raw.method,
                        url: &raw.url,
                        host: raw.header("Host"),
                        origin: raw.header("Origin"),
                        secret: raw.header(SECRET_HEADER),
                        body: &raw.body,
                    };
                    handle(&req, &access, &book, &state, &limits)
                }
                Err(status) => Answer::text(status, "bad request"),
            };
            let _ = write_answer(&mut stream, &answer, head_only);
            open.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        });
    }
    Ok(())
}

/// A request as read from the socket.
struct RawRequest {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Reads one request: the head (at most 32 KiB) parsed by httparse, then a body of `Content-Length` bytes (at
/// most `MAX_BODY`). An error is the status to answer with.
fn read_request(stream: &mut std::net::TcpStream) -> Result<RawRequest, u16> {
    stream.set_read_timeout(Some(READ_TIMEOUT)).map_err(|_| 500u16)?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).map_err(|_| 408u16)?;
        if n == 0 {
            return Err(400);
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(&buf) {
            Ok(httparse::Status::Complete(head)) => {
                let headers: Vec<(String, String)> = parsed
                    .headers
                    .iter()
                    .map(|h| (h.name.to_owned(), String::from_utf8_lossy(h.value).into_owned()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
                    .map_or(Ok(0), |(_, v)| v.trim().parse())
                    .map_err(|_| 400u16)?;
                if length > MAX_BODY {
                    return Err(413);
                }
                let mut body = buf[head..].to_vec();
                while body.len() < length {
                    let n = stream.read(&mut chunk).map_err(|_| 408u16)?;
                    if n == 0 {
                        return Err(400);
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
                body.truncate(length);
                let method = parsed.method.unwrap_or_default().to_owned();
                let url = parsed.path.unwrap_or_default().to_owned();
                return Ok(RawRequest { method, url, headers, body });
            }
            Ok(httparse::Status::Partial) if buf.len() < 32 * 1024 => continue,
            _ => return Err(400),
        }
    }
}

/// Writes the answer and nothing after it (the connection closes); a HEAD request gets the head only.
fn write_answer(stream: &mut std::net::TcpStream, answer: &Answer, head_only: bool) -> std::io::Result<()> {
    use std::io::Write;
    let reason = match answer.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.content_type,
        answer.body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&answer.body)?;
    }
    stream.flush()
}

/// Compiles the course's crates for the runner, in the background, and says when it is ready.
pub fn prepare_in_background(root: PathBuf, state: Arc<Mutex<State>>) {
    std::thread::spawn(move || {
        let next = match Toolchain::prepare(&root) {
            Ok(toolchain) => {
                println!("runner ready: listings run against the course's crates");
                State::Ready(Arc::new(Queue::new(toolchain)))
            }
            Err(why) => {
                println!("runner failed to start: {why}");
                State::Failed(why)
            }
        };
        *state.lock().unwrap_or_else(|e| e.into_inner()) = next;
    });
}

/// For tests: the answer of a run, or None.
#[cfg(test)]
pub fn run_json(answer: &Answer) -> Option<RunOutput> {
    RunOutput::from_value(&serde_json::from_slice(&answer.body).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access() -> Access {
        Access { port: 3000, secret: "s3cret".into() }
    }

    #[test]
    fn the_host_must_be_this_server() {
        let a = access();
        for ok in ["127.0.0.1:3000", "localhost:3000", "[::1]:3000", "LOCALHOST:3000"] {
            assert_eq!(a.check_host(Some(ok)), Ok(()), "{ok}");
        }
        for bad in [None, Some("evil.example:3000"), Some("127.0.0.1:3001"), Some("127.0.0.1"), Some("localhost.evil:3000")] {
            assert_eq!(a.check_host(bad), Err(Refusal::Host), "{bad:?}");
        }
    }

    #[test]
    fn a_run_needs_the_books_origin_and_the_secret() {
        let a = access();
        let host = Some("127.0.0.1:3000");
        assert_eq!(a.check_run(host, Some("http://127.0.0.1:3000"), Some("s3cret")), Ok(()));
        assert_eq!(a.check_run(host, Some("http://evil.example"), Some("s3cret")), Err(Refusal::Origin));
        assert_eq!(a.check_run(host, Some("http://localhost:3000"), Some("s3cret")), Err(Refusal::Origin), "origin must match host");
        assert_eq!(a.check_run(host, None, Some("s3cret")), Err(Refusal::Origin));
        assert_eq!(a.check_run(host, Some("http://127.0.0.1:3000"), None), Err(Refusal::Secret));
        assert_eq!(a.check_run(host, Some("http://127.0.0.1:3000"), Some("s3crex")), Err(Refusal::Secret));
        assert_eq!(a.check_run(Some("evil.example"), Some("http://evil.example"), Some("s3cret")), Err(Refusal::Host));
    }

    #[test]
    fn static_files_stay_inside_the_book() {
        let dir = std::env::temp_dir().join(format!("serve-test-{}", std::process::id()));
        fs::create_dir_all(dir.join("arrays")).unwrap();
        fs::write(dir.join("index.html"), "<html><head></head></html>").unwrap();
        fs::write(dir.join("arrays/a b.html"), "x").unwrap();
        assert_eq!(static_file(&dir, "/"), Some(dir.join("index.html")));
        assert_eq!(static_file(&dir, "/arrays/a%20b.html?x=1#top"), Some(dir.join("arrays/a b.html")));
        assert_eq!(static_file(&dir, "/../../etc/passwd"), None);
        assert_eq!(static_file(&dir, "/arrays/%2e%2e/%2e%2e/etc/passwd"), None);
        assert_eq!(static_file(&dir, "/missing.html"), None);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pages_carry_the_secret_and_other_files_do_not() {
        assert_eq!(inject("<html><head><title>x</title>", "ab"), "<html><head><meta name=\"course-runner\" content=\"ab\"><title>x</title>");
        let dir = std::env::temp_dir().join(format!("serve-inject-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "<html><head></head></html>").unwrap();
        fs::write(dir.join("book.js"), "<head>").unwrap();
        let state = Mutex::new(State::Preparing);
        let get = |url: &'static str, host: &'static str| {
            let req = Request { method: "GET", url, host: Some(host), origin: None, secret: None, body: b"" };
            handle(&req, &access(), &dir, &state, &Limits::default())
        };
        assert!(String::from_utf8_lossy(&get("/", "127.0.0.1:3000").body).contains("content=\"s3cret\""));
        assert_eq!(get("/book.js", "127.0.0.1:3000").body, b"<head>");
        // a page fetched through another name (DNS rebinding) is refused: the secret stays unread
        let rebound = get("/", "evil.example:3000");
        assert_eq!(rebound.status, 403);
        assert!(!String::from_utf8_lossy(&rebound.body).contains("s3cret"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refused_runs_run_nothing() {
        // the runner is not even ready: a refused request must be refused before the state is looked at
        let dir = std::env::temp_dir();
        let state = Mutex::new(State::Failed("must not be reached".into()));
        let marker = std::env::temp_dir().join(format!("serve-marker-{}", std::process::id()));
        let code = format!("fn main() {{ std::fs::write({:?}, \"ran\").unwrap(); }}", marker);
        let body = serde_json::json!({ "code": code }).to_string();
        let cases = [
            (Some("evil.example:3000"), Some("http://127.0.0.1:3000"), Some("s3cret"), "Host"),
            (Some("127.0.0.1:3000"), Some("http://evil.example"), Some("s3cret"), "Origin"),
            (Some("127.0.0.1:3000"), Some("http://127.0.0.1:3000"), None, "secret"),
            (Some("127.0.0.1:3000"), Some("http://127.0.0.1:3000"), Some("guess"), "secret"),
        ];
        for (host, origin, secret, why) in cases {
            let req = Request { method: "POST", url: "/run", host, origin, secret, body: body.as_bytes() };
            let answer = handle(&req, &access(), &dir, &state, &Limits::default());
            assert_eq!(answer.status, 403, "{why}");
            assert!(String::from_utf8_lossy(&answer.body).contains(why), "{why}: {}", String::from_utf8_lossy(&answer.body));
        }
        // a preflight is never granted
        let req = Request { method: "OPTIONS", url: "/run", host: Some("127.0.0.1:3000"), origin: Some("http://evil.example"), secret: None, body: b"" };
        assert_eq!(handle(&req, &access(), &dir, &state, &Limits::default()).status, 405);
        assert!(!marker.exists(), "a refused request ran the program");
    }

    #[test]
    fn the_committed_benchmark_has_a_row_per_listing_and_the_stamp() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = fs::read_to_string(root.join("figures/study/runner.md")).unwrap();
        let rows = text.lines().filter(|l| l.starts_with("| [")).count();
        assert_eq!(rows, BENCH_LISTINGS.len(), "rerun `cargo xtask runner-bench`:\n{text}");
        assert!(text.contains("*Measured on ") && text.contains("rustc"), "{text}");
    }

    /// A raw HTTP/1.1 request to the server; the status code and body of its answer.
    fn http(port: u16, head: &str, body: &str) -> (u16, String) {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        // one write: a server that refuses a bad head answers and closes at once, and a request still being
        // written in pieces would then fail with a broken pipe instead of reading the answer
        let request = format!("{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default())
    }

    #[test]
    fn the_server_runs_the_books_requests_and_refuses_the_others() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("serve-http-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "<html><head></head><body>book</body></html>").unwrap();
        let access = Access { port, secret: "launch-secret".into() };
        let queue = Queue::new(Toolchain::std_only().unwrap());
        let state = Arc::new(Mutex::new(State::Ready(Arc::new(queue))));
        let (d, a) = (dir.clone(), access.clone());
        std::thread::spawn(move || serve(d, a, state, Limits::default()));
        std::thread::sleep(std::time::Duration::from_millis(200));
        let host = format!("Host: 127.0.0.1:{port}\r\n");
        let (status, page) = http(port, &format!("GET / HTTP/1.1\r\n{host}"), "");
        assert_eq!(status, 200);
        assert!(page.contains("content=\"launch-secret\"") && page.contains("book"), "{page}");
        let code = serde_json::json!({ "code": "fn main() { println!(\"{}\", 6 * 7); }" }).to_string();
        let run_head = |secret: &str, origin: &str| {
            format!("POST /run HTTP/1.1\r\n{host}Origin: {origin}\r\nX-Course-Runner: {secret}\r\nContent-Type: application/json\r\n")
        };
        let (status, body) = http(port, &run_head("launch-secret", &format!("http://127.0.0.1:{port}")), &code);
        assert_eq!(status, 200, "{body}");
        let out = run_json(&Answer { status, content_type: "", body: body.into_bytes() }).unwrap();
        assert_eq!(out.stdout, "42\n");
        // a timed listing asks for an optimised build, as its shown output was made; anything else is a debug build
        let build = |extra: &str| {
            let code = format!(r#"{{"code": "fn main() {{ println!(\"{{}}\", cfg!(debug_assertions)); }}"{extra}}}"#);
            let (status, body) = http(port, &run_head("launch-secret", &format!("http://127.0.0.1:{port}")), &code);
            assert_eq!(status, 200, "{body}");
            run_json(&Answer { status, content_type: "", body: body.into_bytes() }).unwrap().stdout
        };
        assert_eq!(build(r#", "optimised": true"#), "false\n");
        assert_eq!(build(""), "true\n");
        assert_eq!(build(r#", "optimised": "yes""#), "true\n", "only the JSON true asks for it");
        assert_eq!(http(port, &run_head("wrong", &format!("http://127.0.0.1:{port}")), &code).0, 403);
        assert_eq!(http(port, &run_head("launch-secret", "http://evil.example"), &code).0, 403);
        let rebound = format!("POST /run HTTP/1.1\r\nHost: evil.example:{port}\r\nOrigin: http://evil.example:{port}\r\nX-Course-Runner: launch-secret\r\n");
        assert_eq!(http(port, &rebound, &code).0, 403);
        let (status, body) = http(port, &format!("HEAD / HTTP/1.1\r\n{host}"), "");
        assert_eq!((status, body.as_str()), (200, ""), "a HEAD answer has no body");
        assert_eq!(http(port, "NOT HTTP AT ALL\r\n", "").0, 400);
        // the server answers on loopback only
        let addresses: Vec<std::net::IpAddr> = local_addresses().into_iter().filter(|ip| !ip.is_loopback()).collect();
        for ip in addresses {
            assert!(std::net::TcpStream::connect((ip, port)).is_err(), "the server answers on {ip}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    /// This machine's own addresses, from the kernel's table of local routes (Linux).
    fn local_addresses() -> Vec<std::net::IpAddr> {
        let text = fs::read_to_string("/proc/net/fib_trie").unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Vec::new();
        for pair in lines.windows(2) {
            if pair[1].contains("/32 host LOCAL") {
                if let Some(ip) = pair[0].trim().trim_start_matches("|-- ").parse().ok() {
                    out.push(ip);
                }
            }
        }
        out
    }

    #[test]
    fn a_run_while_preparing_says_what_it_waits_for() {
        let state = Mutex::new(State::Preparing);
        let body = br#"{"code": "fn main() {}"}"#;
        let req = Request { method: "POST", url: "/run", host: Some("127.0.0.1:3000"), origin: Some("http://127.0.0.1:3000"), secret: Some("s3cret"), body };
        let answer = handle(&req, &access(), Path::new("/nonexistent"), &state, &Limits::default());
        assert_eq!(answer.status, 503);
        assert!(String::from_utf8_lossy(&answer.body).contains("compiling"));
        let bad = Request { body: b"not json", ..req };
        assert_eq!(handle(&bad, &access(), Path::new("/nonexistent"), &state, &Limits::default()).status, 400);
    }
}

/// The listings the runner benchmark times: (what it uses, a text only that listing holds). One per kind of
/// dependency a reader meets: plain ndarray, polars, plotters.
pub const BENCH_LISTINGS: &[(&str, &str)] = &[
    ("ndarray", "println!(\"sum = {}\", a.sum());"),
    ("ndarray", "let standardized = (&data - &mean) / &std;"),
    ("polars", "\"body_mass_g\" => [3750.0, 5000.0, 3800.0, 3500.0]"),
    ("polars", "let heavy_gentoos = df"),
    ("plotters", "fundamentals-empty.svg"),
];

/// Runs of each listing in the benchmark (after one untimed run, which warms the file cache).
pub const BENCH_RUNS: usize = 5;

/// The benchmark's table: per listing, the median, min and max time from the request to the answer.
pub fn bench_table(rows: &[(String, String, Vec<std::time::Duration>)], stamp: &str) -> String {
    let secs = |d: &std::time::Duration| format!("{:.2} s", d.as_secs_f64());
    let mut s = String::from("<!-- Generated by `cargo xtask runner-bench` (code/xtask/src/serve.rs). Do not edit by hand. -->\n");
    s.push_str("| listing | uses | median | min | max |\n|:--|:--|--:|--:|--:|\n");
    for (listing, uses, times) in rows {
        let mut t = times.clone();
        t.sort();
        let median = t[t.len() / 2];
        s.push_str(&format!("| {listing} | {uses} | {} | {} | {} |\n", secs(&median), secs(&t[0]), secs(&t[t.len() - 1])));
    }
    s.push_str(&format!(
        "\n*Time from Run to output at the runner (compile against the course's already compiled crates, debug build, then run), {BENCH_RUNS} runs each after one untimed run.*\n*{stamp}*\n"
    ));
    s
}
