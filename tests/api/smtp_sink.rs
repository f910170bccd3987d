//! An SMTP server inside the test process: the app sends real SMTP over real TCP to it, tests read
//! what it captured and follow the links, and it refuses messages on purpose to show retries.
//! It runs on its own thread with its own tokio runtime, because a `#[tokio::test]` runtime only
//! runs while the test awaits, and the app under test sends from yet another thread.

mod email;
mod server;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

pub use email::ReceivedEmail;

pub struct SmtpSink {
    port: u16,
    state: Arc<Mutex<State>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct State {
    messages: Vec<ReceivedEmail>,
    /// One reply code per DATA transaction still to refuse.
    refusals: VecDeque<u16>,
    refused: usize,
    commands: Vec<String>,
    /// How long the reply to a message's final dot waits.
    reply_delay: Duration,
    /// Messages whose final dot arrived and whose reply has not gone out yet.
    in_hand: usize,
}

impl SmtpSink {
    /// Listens on 127.0.0.1:0.
    pub fn start() -> SmtpSink {
        SmtpSink::start_on(0)
    }

    /// Listens on this port, e.g. one the app was pointed at while nothing listened there.
    pub fn start_on(port: u16) -> SmtpSink {
        // Bound on the caller's thread: a taken port fails the test right here, and connections
        // are queued by the kernel before the sink's thread gets to run.
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("SMTP sink cannot listen on 127.0.0.1:{port}: {e}"));
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("sink address").port();
        let state = Arc::<Mutex<State>>::default();
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("smtp-sink-{port}"))
            .spawn({
                let state = state.clone();
                move || server::serve(listener, state, stop)
            })
            .expect("spawn the SMTP sink thread");
        SmtpSink {
            port,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// What the app's GLUE_SMTP_URL points at: plain SMTP, no TLS.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The next `count` messages are refused with `code` (451 transient, 550 permanent) in reply
    /// to their final dot, and not stored. Calls add up: each queues `count` more refusals.
    pub fn refuse_next(&self, count: usize, code: u16) {
        assert!(
            (400..600).contains(&code),
            "a refusal is a 4xx or 5xx code, not {code}"
        );
        self.state()
            .refusals
            .extend(std::iter::repeat_n(code, count));
    }

    /// From now on the reply to each message's final dot comes `delay` late: a slow server,
    /// to catch a client with a message in hand.
    pub fn delay_replies(&self, delay: Duration) {
        self.state().reply_delay = delay;
    }

    /// Messages sent in full whose reply has not gone out yet.
    pub fn in_hand(&self) -> usize {
        self.state().in_hand
    }

    /// Everything accepted so far, in arrival order.
    pub fn messages(&self) -> Vec<ReceivedEmail> {
        self.state().messages.clone()
    }

    /// How many DATA transactions `refuse_next` refused: shows that a retry happened.
    pub fn refused(&self) -> usize {
        self.state().refused
    }

    /// Every command line received (DATA content excluded), all sessions, in arrival order.
    pub fn commands(&self) -> Vec<String> {
        self.state().commands.clone()
    }

    /// Waits until at least `count` messages arrived and returns them all. Sleeps between polls
    /// rather than blocking the thread, so that other tasks on the test's runtime keep running.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedEmail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            if Instant::now() >= deadline {
                let subjects: Vec<&str> = messages.iter().map(|m| m.subject.as_str()).collect();
                panic!(
                    "SMTP sink: expected at least {count} message(s) within {timeout:?}, got {} \
                     {subjects:?} ({} refused)",
                    messages.len(),
                    self.refused()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while the lock was held must not hide what was captured.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // Joined so that the port is free once the sink is gone: a test may listen there again.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// The self-tests drive the sink with lettre's own async client, as the app will.

fn transport(sink: &SmtpSink) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .build()
}

fn mailbox(text: &str) -> Mailbox {
    text.parse().expect("mailbox")
}

fn email(subject: &str) -> Message {
    Message::builder()
        .from(mailbox("Glüe Shop <no-reply@shop.example>"))
        .to(mailbox("Sonia Wagner <sonia@example.com>"))
        .subject(subject)
        .body("Hello".to_owned())
        .expect("message")
}

const RESET_LINK: &str = "http://localhost:3000/password/restore?token=abc%2Bdef&utm_source=email&utm_campaign=password-reset";

#[tokio::test]
async fn smtp_sink_captures_a_quoted_printable_multipart_message_sent_by_lettre() {
    let sink = SmtpSink::start();
    let text = format!(
        "Hallo Sönke,\n\nchoose a new password within 15 minutes, here: {RESET_LINK}.\n\nGrüße\n"
    );
    let html =
        format!("<p>Hallo Sönke,</p>\n<p><a href=\"{RESET_LINK}\">Passwort wählen</a></p>\n");
    let message = Message::builder()
        .from(mailbox("Glüe Shop <no-reply@shop.example>"))
        .to(mailbox("Sonia Wagner <sonia@example.com>"))
        .bcc(mailbox("audit@shop.example"))
        .subject("Passwort zurücksetzen")
        .message_id(Some("<reset-1@shop.example>".to_owned()))
        .multipart(MultiPart::alternative_plain_html(
            text.clone(),
            html.clone(),
        ))
        .expect("message");

    transport(&sink).send(message).await.expect("sent");

    let [email] = <[ReceivedEmail; 1]>::try_from(sink.messages()).expect("one message");
    assert_eq!(email.envelope_from, "no-reply@shop.example");
    assert_eq!(
        email.envelope_to,
        ["sonia@example.com", "audit@shop.example"]
    );
    assert_eq!(email.subject, "Passwort zurücksetzen");
    assert_eq!(email.from, "Glüe Shop <no-reply@shop.example>");
    assert_eq!(email.message_id.as_deref(), Some("reset-1@shop.example"));
    assert_eq!(email.text, text);
    assert_eq!(email.html, html);
    // The long line was wrapped on the wire: only decoding puts the link back together.
    assert!(
        email
            .raw
            .contains("Content-Transfer-Encoding: quoted-printable"),
        "{}",
        email.raw
    );
    assert!(!email.raw.contains(RESET_LINK), "{}", email.raw);
    assert_eq!(email.link("/password/restore"), RESET_LINK);
    assert_eq!(email.token("/password/restore"), "abc+def");
    assert_eq!(sink.refused(), 0);
    // lettre's dialogue: EHLO with the machine's host name, one RCPT per envelope recipient, and a
    // connection per message, closed with QUIT (the `pool` feature is off).
    let commands = sink.commands();
    assert!(commands[0].starts_with("EHLO "), "{commands:?}");
    assert_eq!(
        commands[1..],
        [
            "MAIL FROM:<no-reply@shop.example>",
            "RCPT TO:<sonia@example.com>",
            "RCPT TO:<audit@shop.example>",
            "DATA",
            "QUIT"
        ]
    );
}

#[tokio::test]
async fn smtp_sink_refuses_with_a_transient_error_then_accepts_the_retry() {
    let sink = SmtpSink::start();
    sink.refuse_next(1, 451);
    let transport = transport(&sink);

    let error = transport
        .send(email("first try"))
        .await
        .expect_err("refused");
    assert!(error.is_transient(), "{error:?}");
    assert!(sink.messages().is_empty());
    transport.send(email("retry")).await.expect("accepted");

    let messages = sink.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].subject, "retry");
    assert_eq!(sink.refused(), 1);
    // After the refusal lettre sends no RSET: it quits, and the retry is a new connection.
    let verbs: Vec<String> = sink.commands().iter().map(|c| c[..4].to_owned()).collect();
    assert_eq!(verbs, ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"].repeat(2));
}

#[tokio::test]
async fn smtp_sink_refuses_with_a_permanent_error() {
    let sink = SmtpSink::start();
    sink.refuse_next(1, 550);

    let error = transport(&sink)
        .send(email("never"))
        .await
        .expect_err("refused");

    assert!(error.is_permanent(), "{error:?}");
    assert!(sink.messages().is_empty());
    assert_eq!(sink.refused(), 1);
}

#[tokio::test]
async fn smtp_sink_comes_up_later_on_a_reserved_port_and_frees_it_when_dropped() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("reserve a port")
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
        .expect("url")
        .build();
    let error = transport
        .send(email("too early"))
        .await
        .expect_err("nothing listens yet");
    assert!(!error.is_transient() && !error.is_permanent(), "{error:?}");

    let sink = SmtpSink::start_on(port);
    assert_eq!((sink.port(), sink.url()), (port, url));
    transport.send(email("on time")).await.expect("sent");
    assert_eq!(sink.messages()[0].subject, "on time");

    drop(sink);
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
}

#[tokio::test]
#[should_panic(expected = "expected at least 2 message(s)")]
async fn smtp_sink_wait_for_panics_naming_the_count_it_waited_for() {
    let sink = SmtpSink::start();
    transport(&sink)
        .send(email("only one"))
        .await
        .expect("sent");
    sink.wait_for(2, Duration::from_millis(100)).await;
}

/// A hand-written client, for what lettre never sends.
struct RawClient(BufReader<TcpStream>);

impl RawClient {
    async fn connect(sink: &SmtpSink) -> RawClient {
        let stream = TcpStream::connect(("127.0.0.1", sink.port()))
            .await
            .expect("connect");
        let mut client = RawClient(BufReader::new(stream));
        assert!(client.reply().await.starts_with("220 "));
        client
    }

    async fn write(&mut self, bytes: &[u8]) {
        self.0.get_mut().write_all(bytes).await.expect("write");
    }

    /// Sends one line (or several, CRLF-separated), checks the reply code, returns the reply.
    async fn say(&mut self, lines: &str, code: u16) -> String {
        self.write(format!("{lines}\r\n").as_bytes()).await;
        let reply = self.reply().await;
        assert!(
            reply.starts_with(&code.to_string()),
            "{lines:?} got {reply}"
        );
        reply
    }

    async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let start = reply.len();
            if self.0.read_line(&mut reply).await.expect("read") == 0 {
                return reply;
            }
            // The last line of a reply has a space after the code, the others a dash.
            if reply.as_bytes().get(start + 3) != Some(&b'-') {
                return reply;
            }
        }
    }
}

#[tokio::test]
async fn smtp_sink_checks_the_command_sequence_and_survives_a_client_that_disconnects() {
    let sink = SmtpSink::start();
    let mut quitter = RawClient::connect(&sink).await;
    let mut client = RawClient::connect(&sink).await;

    quitter.say("MAIL FROM:<a@x.example>", 503).await;
    let ehlo = quitter.say("ehlo client.example", 250).await;
    assert!(
        ehlo.starts_with("250-") && ehlo.ends_with("250 HELP\r\n"),
        "{ehlo}"
    );
    for extension in ["STARTTLS", "AUTH", "PIPELINING", "8BITMIME"] {
        assert!(!ehlo.contains(extension), "{ehlo}");
    }
    quitter.say("RCPT TO:<b@x.example>", 503).await;
    quitter.say("DATA", 503).await;
    quitter.say("VRFY b@x.example", 502).await;
    quitter.say("STARTTLS", 502).await;
    quitter.say("mail from:<a@x.example>", 250).await;
    quitter.say("MAIL FROM:<a@x.example>", 503).await;
    quitter.say("Rcpt To:<b@x.example>", 250).await;
    quitter.say("data", 354).await;
    quitter.write(b"Subject: cut off\r\n\r\nhalf a").await;
    drop(quitter);

    client.say("HELO client.example", 250).await;
    client.say("MAIL FROM:<>", 250).await;
    client.say("RSET", 250).await;
    client.say("RCPT TO:<b@x.example>", 503).await;
    client.say("NOOP", 250).await;
    client.say("MAIL FROM:<> BODY=7BIT", 250).await;
    client.say("RCPT TO:<b@x.example>", 250).await;
    client.say("RCPT TO:<c@x.example>", 250).await;
    client.say("DATA", 354).await;
    client
        .say("Subject: dots\r\n\r\n..leading dot\r\n.", 250)
        .await;
    client.say("QUIT", 221).await;
    assert_eq!(client.reply().await, "", "closed after QUIT");

    let [email] = <[ReceivedEmail; 1]>::try_from(sink.messages()).expect("one message");
    assert_eq!(email.envelope_from, "");
    assert_eq!(email.envelope_to, ["b@x.example", "c@x.example"]);
    assert_eq!(email.raw, "Subject: dots\r\n\r\n.leading dot\r\n");
    assert_eq!(
        (email.text.as_str(), email.html.as_str()),
        (".leading dot\n", "")
    );
    assert!(sink.commands().contains(&"VRFY b@x.example".to_owned()));
}
