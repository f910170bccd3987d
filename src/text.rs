//! Characters that must not pass through unchanged: control characters and bidirectional
//! overrides, which can forge log lines or disguise text, and invisible characters, which make
//! a blank value look filled in.

use std::borrow::Cow;
use std::fmt::Write;

/// C0 and C1 control characters and DEL (CR, LF and TAB included).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they
/// reorder how the text around them is displayed.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that display as nothing: zero-width spaces and joiners, word joiners and
/// invisible operators, the byte-order mark, the soft hyphen, and fillers that render empty.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    )
}

/// True when nothing visible is left: only whitespace and invisible characters.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// `s` with every control and bidirectional character written as `\u{..}`, for a client's
/// value that goes into a log line or an error detail: it can then neither end the line nor
/// recolour or reorder what follows.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_control(c) || is_bidi_control(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_control(c) || is_bidi_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_untouched() {
        assert!(matches!(escape_controls("fields[a]"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\nINFO fake\u{1b}[31m\u{202E}x"),
            "a\\u{a}INFO fake\\u{1b}[31m\\u{202e}x"
        );
        assert_eq!(escape_controls("\u{85}\u{7f}\t"), "\\u{85}\\u{7f}\\u{9}");
    }

    #[test]
    fn invisible_only_counts_as_blank() {
        assert!(is_blank("\u{200B}\u{FEFF} \u{2060}"));
        assert!(is_blank(""));
        assert!(!is_blank("\u{200B}a"));
    }
}
