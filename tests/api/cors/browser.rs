//! CORS in a real browser: Debian's chromium, headless, loads a page from a second listener
//! (another port, so another origin) whose script registers, logs in and reads the customer
//! against the test server, and writes the outcome into the DOM, which `--dump-dom` prints.
//! Chromium is installed on first use (tests/browser/ensure-chromium.sh); a machine where it
//! cannot be installed fails these tests rather than skipping them. And Swagger UI under
//! `/docs/` must render in chromium despite its Content-Security-Policy.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use super::SHOP;
use crate::helpers::{spawn_app, spawn_app_with, TestApp, PASSWORD};

/// The page: reads the API's address and the customer to register from its query string.
const STOREFRONT_PAGE: &str = r#"<!doctype html>
<html>
<head><meta charset="utf-8"><title>Storefront</title></head>
<body>
<pre id="result">pending</pre>
<script>
const params = new URLSearchParams(location.search);
const api = params.get("api");
const email = params.get("email");
const password = params.get("password");
const JSON_API = "application/vnd.api+json";
let step = "start";

async function call(method, path, body, token) {
  const headers = { "Accept": JSON_API };
  if (body !== undefined) headers["Content-Type"] = JSON_API;
  if (token !== undefined) headers["Authorization"] = "Bearer " + token;
  const response = await fetch(api + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

async function run() {
  step = "register";
  const registered = await call("POST", "/customers", { data: { type: "customers", attributes: {
    email, password, confirmPassword: password, gender: "Female", salutation: "Mrs",
    firstName: "Sonia", lastName: "Wagner", acceptedTerms: true } } });
  if (registered.status !== 201) throw new Error("registration answered " + registered.status);
  const reference = registered.body.data.id;

  step = "login";
  const login = await call("POST", "/access-tokens", { data: { type: "access-tokens",
    attributes: { username: email, password } } });
  if (login.status !== 201) throw new Error("login answered " + login.status);
  const token = login.body.data.attributes.accessToken;

  step = "read";
  const read = await call("GET", "/customers/" + encodeURIComponent(reference), undefined, token);
  if (read.status !== 200) throw new Error("read answered " + read.status);

  step = "refused";
  const refused = await call("GET", "/customers/" + encodeURIComponent(reference), undefined, "not.a.token");

  return {
    outcome: "ok",
    reference: read.body.data.id,
    email: read.body.data.attributes.email,
    location: registered.headers.get("Location"),
    requestId: read.headers.get("X-Request-Id"),
    refusedStatus: refused.status,
    refusedCode: refused.body.errors[0].code,
    challenge: refused.headers.get("WWW-Authenticate"),
  };
}

run().then(
  (outcome) => { document.getElementById("result").textContent = JSON.stringify(outcome); },
  (error) => { document.getElementById("result").textContent =
    JSON.stringify({ outcome: "error", step, name: error.name, message: error.message }); });
</script>
</body>
</html>
"#;

// ---------------------------------------------------------------------------------------------
// Chromium.
// ---------------------------------------------------------------------------------------------

/// The chromium binary, installed by tests/browser/ensure-chromium.sh on first use (once per
/// test process; the script serializes installs across processes).
fn chromium() -> PathBuf {
    static PATH: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = PATH.get_or_init(|| {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/ensure-chromium.sh");
        let started = Instant::now();
        let output = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!(
                "{} failed ({}): {stderr}",
                script.display(),
                output.status
            ));
        }
        let path = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
        if stderr.contains("installing") {
            eprintln!(
                "chromium installed in {:.1} s: {}",
                started.elapsed().as_secs_f64(),
                path.display()
            );
        }
        Ok(path)
    });
    match found {
        Ok(path) => path.clone(),
        Err(reason) => panic!("chromium is required for the browser tests: {reason}"),
    }
}

/// What chromium printed.
struct Dump {
    dom: String,
    log: String,
}

/// `chromium --headless ... --dump-dom <url>`, with a fresh profile, killed after 90 s.
fn dump_dom(url: &str) -> Dump {
    use std::os::unix::process::CommandExt;

    let binary = chromium();
    let profile = tempfile::tempdir().expect("a profile directory");
    let mut child = Command::new(&binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Console messages (and CSP reports) go to stderr, for the failure messages.
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--virtual-time-budget=15000", "--dump-dom", url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so that a hung chromium goes with all its children.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let stdout = read_in_background(child.stdout.take().expect("piped stdout"));
    let stderr = read_in_background(child.stderr.take().expect("piped stderr"));
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => break status,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            None => {
                let group = format!("-{}", child.id());
                let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
                let _ = child.wait();
                let log = stderr
                    .recv_timeout(Duration::from_secs(5))
                    .unwrap_or_default();
                panic!(
                    "chromium did not finish within 90 s on {url}\n{}",
                    tail(&log)
                );
            }
        }
    };
    let dom = stdout
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_default();
    let log = stderr
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_default();
    assert!(
        status.success() && !dom.is_empty(),
        "chromium failed ({status}) on {url}\n{}",
        tail(&log)
    );
    Dump { dom, log }
}

fn read_in_background(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

/// The last lines of a log, for failure messages.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Runs `dump_dom` off the test's runtime.
async fn load(url: String) -> Dump {
    tokio::task::spawn_blocking(move || dump_dom(&url))
        .await
        .expect("chromium thread")
}

/// What the page wrote into `<pre id="result">`, as JSON.
fn outcome(dump: &Dump) -> Value {
    let start = dump
        .dom
        .find(r#"<pre id="result">"#)
        .unwrap_or_else(|| panic!("no result element in\n{}", dump.dom))
        + r#"<pre id="result">"#.len();
    let end = start
        + dump.dom[start..]
            .find("</pre>")
            .expect("the result element closes");
    let text = dump.dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|_| {
        panic!(
            "the page did not finish (result {text:?})\nchromium log:\n{}",
            tail(&dump.log)
        )
    })
}

// ---------------------------------------------------------------------------------------------
// The storefront's own origin: a tiny HTTP server on another port.
// ---------------------------------------------------------------------------------------------

/// Serves `STOREFRONT_PAGE` at `/` (and 404 elsewhere) on 127.0.0.1, from a thread; stops
/// when dropped. Records the request lines it saw.
struct PageServer {
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl PageServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the page server");
        let port = listener.local_addr().expect("page server address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, seen) = (Arc::clone(&stop), Arc::clone(&seen));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(stream, &seen);
                    }
                }
            })
        };
        Self {
            port,
            stop,
            seen,
            thread: Some(thread),
        }
    }

    /// The page's origin, as the browser sends it in `Origin`.
    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The page's URL, telling its script which API to call and whom to register.
    fn url(&self, app: &TestApp, email: &str) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("api", app.address.as_str()),
                ("email", email),
                ("password", PASSWORD),
            ])
            .finish();
        format!("{}/?{query}", self.origin())
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let request_line = head.lines().next().unwrap_or_default().to_owned();
    if let Ok(mut seen) = seen.lock() {
        seen.push(request_line.clone());
    }
    let target = request_line.split(' ').nth(1).unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default();
    let (status, body) = if request_line.starts_with("GET ") && path == "/" {
        ("200 OK", STOREFRONT_PAGE)
    } else {
        ("404 Not Found", "not here\n")
    };
    let content_type = if status.starts_with("200") {
        "text/html; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

fn new_email() -> String {
    format!("browser-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// Chromium says why the fetch failed: the preflight's answer lacked the CORS header (not,
/// say, a refused connection).
#[track_caller]
fn assert_blocked_by_cors(dump: &Dump) {
    assert!(
        dump.log
            .lines()
            .any(|l| l.contains("blocked by CORS policy")
                && l.contains("preflight")
                && l.contains("No 'Access-Control-Allow-Origin' header")),
        "chromium log:\n{}",
        tail(&dump.log)
    );
}

/// No customer has this email (normalized as the service stores it).
async fn assert_not_registered(app: &TestApp, email: &str) {
    let normalized = email.to_ascii_lowercase();
    let row = app
        .db()
        .read(move |conn| {
            Ok(glue_customers::customers::repo::find_by_email(
                conn,
                &normalized,
            )?)
        })
        .await
        .expect("query");
    assert!(row.is_none(), "{email} was registered: {row:?}");
    let login = app.login(email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED, "{}", login.text);
}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn chromium_on_an_allowed_origin_registers_logs_in_and_reads_the_customer() {
    let page = PageServer::start();
    let origins = page.origin();
    let app = spawn_app_with(&[("GLUE_CORS_ALLOWED_ORIGINS", origins.as_str())]).await;
    let email = new_email();

    let dump = load(page.url(&app, &email)).await;
    let result = outcome(&dump);

    assert_eq!(
        result["outcome"],
        "ok",
        "{result}\nchromium log:\n{}",
        tail(&dump.log)
    );
    let reference = result["reference"]
        .as_str()
        .expect("a reference")
        .to_owned();
    assert_eq!(result["email"], email.as_str());
    // The exposed headers are readable from script; the 401 too, with its challenge.
    let location = result["location"].as_str().expect("Location readable");
    assert_eq!(location, format!("{}/customers/{reference}", app.address));
    assert!(
        result["requestId"].is_string(),
        "X-Request-Id readable: {result}"
    );
    assert_eq!(result["refusedStatus"], 401, "{result}");
    assert_eq!(result["refusedCode"], "001", "{result}");
    assert!(
        result["challenge"]
            .as_str()
            .is_some_and(|c| c.starts_with("Bearer")),
        "WWW-Authenticate readable: {result}"
    );
    // And the server really has the customer the page registered.
    let row = app.customer_row(&reference).await;
    assert_eq!(row.email, email);
    assert_eq!(
        page.seen().first().map(|l| l.starts_with("GET /?")),
        Some(true)
    );
}

#[tokio::test]
async fn chromium_cannot_call_a_server_without_cors_and_nothing_is_registered() {
    let page = PageServer::start();
    let app = spawn_app().await;
    let email = new_email();

    let dump = load(page.url(&app, &email)).await;
    let result = outcome(&dump);

    // The preflight (Content-Type: application/vnd.api+json) gets no CORS header: the
    // browser refuses to send the POST and the fetch rejects with a TypeError.
    assert_eq!(result["outcome"], "error", "{result}");
    assert_eq!(result["step"], "register", "{result}");
    assert_eq!(result["name"], "TypeError", "{result}");
    assert_blocked_by_cors(&dump);
    assert_not_registered(&app, &email).await;
}

#[tokio::test]
async fn chromium_on_an_unlisted_origin_is_refused_when_others_are_listed() {
    let page = PageServer::start();
    let app = spawn_app_with(&[("GLUE_CORS_ALLOWED_ORIGINS", SHOP)]).await;
    let email = new_email();

    let dump = load(page.url(&app, &email)).await;
    let result = outcome(&dump);

    assert_eq!(result["outcome"], "error", "{result}");
    assert_eq!(result["step"], "register", "{result}");
    assert_eq!(result["name"], "TypeError", "{result}");
    assert_blocked_by_cors(&dump);
    assert_not_registered(&app, &email).await;
}

#[tokio::test]
async fn swagger_ui_renders_in_chromium_under_its_content_security_policy() {
    let app = spawn_app().await;
    let dump = load(format!("{}/docs/", app.address)).await;

    let rendered = dump.dom.matches("opblock-summary-path").count();
    assert!(
        dump.dom.contains("class=\"opblock ") && rendered > 10,
        "Swagger UI did not render its operations ({rendered} paths)\nDOM start: {}\nchromium log:\n{}",
        &dump.dom[..dump.dom.len().min(2000)],
        tail(&dump.log)
    );
    assert!(
        dump.dom
            .contains(r#"data-path="/customers/{customerReference}""#),
        "the customer resource's operations are listed"
    );
    assert!(
        dump.dom.contains(r#"data-path="/token""#),
        "the OAuth operations are listed"
    );
    // Nothing was blocked on the way (Chromium logs each violation to the console).
    let violations: Vec<&str> = dump
        .log
        .lines()
        .filter(|l| l.contains("Content Security Policy") || l.contains("Refused to"))
        .collect();
    assert!(violations.is_empty(), "CSP violations: {violations:#?}");
}
