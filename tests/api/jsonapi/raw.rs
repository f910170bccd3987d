//! Requests over a raw socket, for what reqwest cannot send: no `Accept` header, a chunked
//! body of a chosen size.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{assert_valid_json_api, TestApp, JSON_API};

/// A response read off a raw socket.
pub(super) struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts this status and a valid JSON:API document as the body; returns the document.
    #[track_caller]
    pub(super) fn assert_json_api(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), Some(JSON_API));
        let body: Value = serde_json::from_slice(&self.body).expect("a JSON body");
        assert_valid_json_api(&body);
        body
    }
}

/// The request head `{request_line}` with `Host`, these extra header lines (each ending in
/// `\r\n`) and `Connection: close`.
pub(super) fn request_head(app: &TestApp, request_line: &str, headers: &str) -> String {
    format!(
        "{request_line} HTTP/1.1\r\nHost: {}\r\n{headers}Connection: close\r\n\r\n",
        app.address.trim_start_matches("http://")
    )
}

/// Sends `head` and then `body` on a fresh connection, writing on its own thread so that an
/// early answer (413) is read even while the body is still being written.
pub(super) async fn raw_exchange(app: &TestApp, head: String, body: Vec<u8>) -> RawResponse {
    let address = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        let mut writer = stream.try_clone().expect("clone socket");
        let sender = std::thread::spawn(move || {
            // The server may answer and close before it has read everything: ignore write errors.
            let _ = writer.write_all(head.as_bytes());
            let _ = writer.write_all(&body);
            let _ = writer.flush();
        });
        let mut received = Vec::new();
        let mut buffer = [0u8; 16 * 1024];
        let response = loop {
            if let Some(response) = parse_raw_response(&received) {
                break response;
            }
            match stream.read(&mut buffer) {
                Ok(0) => panic!(
                    "connection closed before a whole response: {:?}",
                    String::from_utf8_lossy(&received)
                ),
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                Err(err) => panic!(
                    "reading the response: {err}; got {:?}",
                    String::from_utf8_lossy(&received)
                ),
            }
        };
        drop(stream);
        let _ = sender.join();
        response
    })
    .await
    .expect("raw exchange")
}

/// A complete response with a `Content-Length` body, or `None` if more bytes are needed.
fn parse_raw_response(bytes: &[u8]) -> Option<RawResponse> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split(' ').nth(1)?.parse().expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().expect("content length"));
    let body = bytes.get(end + 4..end + 4 + length)?.to_vec();
    Some(RawResponse {
        status,
        headers,
        body,
    })
}
