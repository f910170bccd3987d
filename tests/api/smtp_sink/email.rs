//! What the sink stores for each accepted message: the envelope, the raw DATA and the fields a
//! test asserts on, decoded by mail-parser (quoted-printable, base64, encoded words, multipart).

use mail_parser::{MessageParser, PartType};

#[derive(Clone, Debug, Default)]
pub struct ReceivedEmail {
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    /// The DATA content, dot-unstuffed, CRLF line endings as sent.
    pub raw: String,
    pub subject: String,
    /// `Name <address>` with the display name decoded, or the bare address.
    pub from: String,
    /// Without the angle brackets.
    pub message_id: Option<String>,
    /// Decoded text/plain part ("" if none), line endings `\n` so that it compares with templates.
    pub text: String,
    /// Decoded text/html part ("" if none), line endings `\n`.
    pub html: String,
}

impl ReceivedEmail {
    pub fn parse(envelope_from: String, envelope_to: Vec<String>, data: &[u8]) -> ReceivedEmail {
        let mut email = ReceivedEmail {
            envelope_from,
            envelope_to,
            raw: String::from_utf8_lossy(data).into_owned(),
            ..ReceivedEmail::default()
        };
        let Some(message) = MessageParser::default().parse(data) else {
            return email;
        };
        email.subject = message.subject().unwrap_or_default().to_owned();
        email.message_id = message.message_id().map(str::to_owned);
        if let Some(from) = message.from().and_then(|from| from.first()) {
            email.from = match (from.name(), from.address()) {
                (Some(name), Some(address)) => format!("{name} <{address}>"),
                (name, address) => address.or(name).unwrap_or_default().to_owned(),
            };
        }
        // mail-parser offers a text/plain part as the HTML body (and the reverse) when a message
        // lacks one; only a part of the type asked for counts here.
        let part = |ids: &[u32], html: bool| {
            ids.iter()
                .filter_map(|&id| message.parts.get(id as usize))
                .find_map(|part| match (&part.body, html) {
                    (PartType::Text(text), false) | (PartType::Html(text), true) => {
                        Some(text.replace("\r\n", "\n"))
                    }
                    _ => None,
                })
                .unwrap_or_default()
        };
        email.text = part(&message.text_body, false);
        email.html = part(&message.html_body, true);
        email
    }

    /// The first http(s) URL in the text part that contains `path` (e.g. "/password/restore").
    pub fn link(&self, path: &str) -> String {
        self.text
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .filter_map(|word| {
                let start = word.find("http://").or_else(|| word.find("https://"))?;
                // Punctuation that ends a sentence or closes a bracket is not part of the URL.
                Some(word[start..].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']))
            })
            .find(|url| url.contains(path))
            .map(str::to_owned)
            .unwrap_or_else(|| {
                panic!(
                    "no http(s) link containing {path:?} in the text part:\n{}",
                    self.text
                )
            })
    }

    /// The `token` query parameter of that link, decoded as the app's query extractor decodes it
    /// (percent-escapes, and `+` as a space).
    pub fn token(&self, path: &str) -> String {
        let link = self.link(path);
        let query = link.split_once('?').map_or("", |(_, query)| query);
        let query = query.split('#').next().unwrap_or_default();
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "token")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_else(|| panic!("no token parameter in {link}"))
    }
}
