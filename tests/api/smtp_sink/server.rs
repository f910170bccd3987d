//! The SMTP dialogue (RFC 5321), just enough for lettre and for tests that misbehave on purpose.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use super::{ReceivedEmail, State};

/// The name the sink gives itself in its greeting and EHLO reply.
const NAME: &str = "sink.localhost";

pub(super) fn serve(
    listener: std::net::TcpListener,
    state: Arc<Mutex<State>>,
    stop: oneshot::Receiver<()>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("SMTP sink runtime");
    runtime.block_on(async move {
        let listener = TcpListener::from_std(listener).expect("tokio listener");
        tokio::select! {
            _ = stop => {}
            () = accept(listener, state) => {}
        }
    });
    // Dropping the runtime cancels the sessions still open, which closes their sockets.
}

async fn accept(listener: TcpListener, state: Arc<Mutex<State>>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(session(stream, state.clone()));
            }
            // Out of file descriptors, or a connection reset before it was accepted: keep going.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// What a command line asks the connection to do next.
enum Next {
    Reply(Cow<'static, str>),
    ReadData,
    Close,
}

/// The state of one SMTP session (RFC 5321 §4.1.4 ordering): greeted, then one transaction.
#[derive(Default)]
struct Session {
    greeted: bool,
    from: Option<String>,
    to: Vec<String>,
}

/// Any I/O error or end of stream ends the session; a message whose final dot never came is
/// dropped with it.
async fn session(stream: TcpStream, state: Arc<Mutex<State>>) {
    let _ = converse(BufReader::new(stream), &state).await;
}

async fn converse(mut stream: BufReader<TcpStream>, state: &Mutex<State>) -> std::io::Result<()> {
    let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
    reply(&mut stream, &format!("220 {NAME} ESMTP test sink")).await?;
    let mut session = Session::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        lock().commands.push(command.to_owned());
        match session.command(command) {
            Next::Reply(text) => reply(&mut stream, &text).await?,
            Next::Close => return reply(&mut stream, "221 Bye").await,
            Next::ReadData => {
                reply(&mut stream, "354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(data) = read_data(&mut stream).await? else {
                    return Ok(());
                };
                let (from, to) = (
                    session.from.take().unwrap_or_default(),
                    session.to.split_off(0),
                );
                // A slow server: the message is in the client's hands until the reply comes.
                let delay = {
                    let mut state = lock();
                    state.in_hand += 1;
                    state.reply_delay
                };
                tokio::time::sleep(delay).await;
                let answer = {
                    let mut state = lock();
                    state.in_hand -= 1;
                    state.deliver(from, to, &data)
                };
                reply(&mut stream, &answer).await?;
            }
        }
    }
}

async fn reply(stream: &mut BufReader<TcpStream>, text: &str) -> std::io::Result<()> {
    stream
        .get_mut()
        .write_all(format!("{text}\r\n").as_bytes())
        .await
}

/// The message up to the line holding a single dot, with the dots that the client doubled at the
/// start of lines removed (RFC 5321 §4.5.2); `None` if the client went away before the end.
async fn read_data(stream: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(data));
        }
        data.extend_from_slice(line.strip_prefix(b".").unwrap_or(&line));
    }
}

impl Session {
    fn command(&mut self, line: &str) -> Next {
        let (verb, argument) = line.split_once(' ').unwrap_or((line, ""));
        let argument = argument.trim();
        let text = match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if argument.is_empty() => "501 Syntax: EHLO domain",
            "EHLO" => {
                self.greeted = true;
                self.reset();
                // Advertises no extension the sink would have to honour (no STARTTLS, AUTH,
                // PIPELINING, 8BITMIME): lettre then sends 7-bit MIME in plain SMTP.
                return Next::Reply(format!("250-{NAME} greets {argument}\r\n250 HELP").into());
            }
            "HELO" => {
                self.greeted = true;
                self.reset();
                return Next::Reply(format!("250 {NAME}").into());
            }
            "MAIL" if !self.greeted => "503 Send EHLO or HELO first",
            "MAIL" if self.from.is_some() => "503 A transaction is already open",
            "MAIL" => match path(argument, "FROM:") {
                Some(address) => {
                    self.from = Some(address);
                    "250 OK"
                }
                None => "501 Syntax: MAIL FROM:<address>",
            },
            "RCPT" if self.from.is_none() => "503 Send MAIL first",
            "RCPT" => match path(argument, "TO:").filter(|a| !a.is_empty()) {
                Some(address) => {
                    self.to.push(address);
                    "250 OK"
                }
                None => "501 Syntax: RCPT TO:<address>",
            },
            "DATA" if self.to.is_empty() => "503 Send MAIL and RCPT first",
            "DATA" if !argument.is_empty() => "501 DATA takes no argument",
            "DATA" => return Next::ReadData,
            "RSET" => {
                self.reset();
                "250 OK"
            }
            "NOOP" => "250 OK",
            "HELP" => "214 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT",
            "QUIT" => return Next::Close,
            _ => "502 Command not implemented",
        };
        Next::Reply(text.into())
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }
}

/// The address in `FROM:<a@b> PARAMS`; ESMTP parameters are ignored. `<>` gives "".
fn path(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start().strip_prefix('<')?;
    let (address, _parameters) = rest.split_once('>')?;
    Some(address.to_owned())
}

impl State {
    /// The reply to a message's final dot.
    fn deliver(&mut self, from: String, to: Vec<String>, data: &[u8]) -> String {
        if let Some(code) = self.refusals.pop_front() {
            self.refused += 1;
            return format!("{code} Refused on purpose by the test");
        }
        self.messages.push(ReceivedEmail::parse(from, to, data));
        "250 OK queued".to_owned()
    }
}
