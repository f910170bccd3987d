//! Sending one email: over SMTP with lettre's async transport, or, without `GLUE_SMTP_URL`, into
//! a `.eml` file whose links are logged so that a developer can click through.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::outbox::OutboxMessage;
use crate::settings::MailSettings;

/// Why a send failed, and whether trying again may help.
#[derive(Debug)]
pub enum SendError {
    /// A down server, a timeout, a 4xx answer: retried with backoff.
    Transient(String),
    /// A 5xx answer or a message that cannot be built: failed at once.
    Permanent(String),
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

#[derive(Debug, thiserror::Error)]
#[error("mail settings: {0}")]
pub struct TransportError(String);

impl TransportError {
    pub fn new(reason: String) -> Self {
        Self(reason)
    }
}

impl Transport {
    pub fn from_settings(settings: &MailSettings) -> Result<Self, TransportError> {
        match &settings.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| TransportError(format!("GLUE_SMTP_URL: {e}")))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build();
                Ok(Self::Smtp(transport))
            }
            None => Ok(Self::Files(settings.dir.clone())),
        }
    }

    pub async fn send(&self, from: &Mailbox, message: &OutboxMessage) -> Result<(), SendError> {
        let email = build(from, message)?;
        match self {
            Self::Smtp(smtp) => smtp.send(email).await.map(|_| ()).map_err(|err| {
                if err.is_permanent() {
                    SendError::Permanent(err.to_string())
                } else {
                    SendError::Transient(err.to_string())
                }
            }),
            Self::Files(dir) => write_file(dir, message, &email).await,
        }
    }
}

fn build(from: &Mailbox, message: &OutboxMessage) -> Result<Message, SendError> {
    let to: Mailbox = message
        .recipient
        .parse()
        .map_err(|e| SendError::Permanent(format!("recipient: {e}")))?;
    // The outbox id makes the Message-ID: a message delivered twice (an instance that died
    // between the server's 250 and marking it sent) is recognisably the same one.
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(format!("<{}@{domain}>", message.id)))
        .date_now()
        .multipart(MultiPart::alternative_plain_html(
            message.text_body.clone(),
            message.html_body.clone(),
        ))
        .map_err(|e| SendError::Permanent(format!("message: {e}")))
}

async fn write_file(dir: &Path, message: &OutboxMessage, email: &Message) -> Result<(), SendError> {
    let dir = dir.to_path_buf();
    let path = dir.join(format!("{}.eml", message.id));
    let bytes = email.formatted();
    let target = path.clone();
    actix_web::web::block(move || write_private(&dir, &target, &bytes))
        .await
        .map_err(|e| SendError::Transient(e.to_string()))?
        .map_err(|e| SendError::Transient(format!("{}: {e}", path.display())))?;
    // Development only (no SMTP server): the links, keys included, go to the log so that a
    // newcomer can follow them (CONTRACT §5). With GLUE_SMTP_URL set, nothing of a body is logged.
    let links: Vec<&str> = message
        .text_body
        .split_whitespace()
        .filter(|word| word.starts_with("http://") || word.starts_with("https://"))
        .collect();
    tracing::info!(path = %path.display(), kind = %message.kind, ?links, "email written to a file (GLUE_SMTP_URL is not set)");
    Ok(())
}

/// The mail directory and files are private: the emails carry single-use keys.
#[cfg(unix)]
fn write_private(
    dir: &std::path::Path,
    path: &std::path::Path,
    bytes: &[u8],
) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(
    dir: &std::path::Path,
    path: &std::path::Path,
    bytes: &[u8],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(path, bytes)
}
