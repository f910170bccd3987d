//! The emails the service sends, each as plain text and HTML, rendered from the askama templates
//! under `templates/mail/`. askama compiles them into the binary and checks them at build time:
//! a missing template or a misspelt field fails the build, not a delivery, and nothing is read
//! from a relative path at run time.
//!
//! The `.html` templates escape every value (askama's default for that extension); the `.txt`
//! templates leave values as they are, since a plain-text part is never interpreted as markup.
//! Nothing is marked `|safe`.

use askama::Template;

/// One email, ready for the outbox: subject and both bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Shop name and the four subject lines (configurable by the operator elsewhere).
#[derive(Debug, Clone)]
pub struct Branding {
    pub shop_name: String,
    pub subjects: Subjects,
}

/// The subject line of each email, used as given.
#[derive(Debug, Clone)]
pub struct Subjects {
    pub confirmation: String,
    pub password_reset: String,
    pub password_changed: String,
    pub registration_attempt: String,
    pub invitation: String,
}

impl Default for Subjects {
    fn default() -> Self {
        Self {
            confirmation: "Please confirm your email address".to_owned(),
            password_reset: "Reset your password".to_owned(),
            password_changed: "Your password was changed".to_owned(),
            registration_attempt: "Someone tried to register with your email address".to_owned(),
            invitation: "Your new account: choose your password".to_owned(),
        }
    }
}

/// An email to send, with the values it needs. `name` is the customer's display name, or `None`
/// for a greeting without one.
#[derive(Debug, Clone, Copy)]
pub enum Email<'a> {
    /// Double opt-in (contract §3.10): the link confirms the address.
    Confirmation {
        name: Option<&'a str>,
        link: &'a str,
    },
    /// Forgotten password (contract §3.15): the link sets a new password.
    PasswordReset {
        name: Option<&'a str>,
        link: &'a str,
        valid_hours: u64,
    },
    /// After a password change or reset; every session was signed out (contract §3.18).
    PasswordChanged { name: Option<&'a str> },
    /// Registration with an email that already has an account (contract §3.14): the link is a
    /// password-reset link, as the vague 422 text promises.
    RegistrationAttempt {
        name: Option<&'a str>,
        link: &'a str,
    },
    /// A partner created the account without a password: the link sets one (a restore key).
    Invitation {
        name: Option<&'a str>,
        link: &'a str,
        valid_hours: u64,
    },
}

impl Email<'_> {
    /// A short stable name for the kind ("confirmation", "password_reset", ...), for the outbox
    /// and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Email::Confirmation { .. } => "confirmation",
            Email::PasswordReset { .. } => "password_reset",
            Email::PasswordChanged { .. } => "password_changed",
            Email::RegistrationAttempt { .. } => "registration_attempt",
            Email::Invitation { .. } => "invitation",
        }
    }

    /// Renders subject, plain text and HTML. Fails only if a value's `Display` fails, which none
    /// of ours (strings and numbers) do.
    pub fn render(&self, branding: &Branding) -> Result<RenderedEmail, askama::Error> {
        let shop = branding.shop_name.as_str();
        let subject = self.subject(&branding.subjects);
        let (text, html) = match *self {
            Email::Confirmation { name, link } => {
                ConfirmationText { shop, name, link }.render_parts(subject)?
            }
            Email::PasswordReset {
                name,
                link,
                valid_hours,
            } => {
                let validity = &validity(valid_hours);
                PasswordResetText {
                    shop,
                    name,
                    link,
                    validity,
                }
                .render_parts(subject)?
            }
            Email::PasswordChanged { name } => {
                PasswordChangedText { shop, name }.render_parts(subject)?
            }
            Email::RegistrationAttempt { name, link } => {
                RegistrationAttemptText { shop, name, link }.render_parts(subject)?
            }
            Email::Invitation {
                name,
                link,
                valid_hours,
            } => {
                let validity = &validity(valid_hours);
                InvitationText {
                    shop,
                    name,
                    link,
                    validity,
                }
                .render_parts(subject)?
            }
        };
        Ok(RenderedEmail {
            subject: subject.to_owned(),
            text: with_final_newline(text),
            html: with_final_newline(html),
        })
    }

    fn subject<'s>(&self, subjects: &'s Subjects) -> &'s str {
        match self {
            Email::Confirmation { .. } => &subjects.confirmation,
            Email::PasswordReset { .. } => &subjects.password_reset,
            Email::PasswordChanged { .. } => &subjects.password_changed,
            Email::RegistrationAttempt { .. } => &subjects.registration_attempt,
            Email::Invitation { .. } => &subjects.invitation,
        }
    }
}

/// "2 hours", "1 hour". Callers should round the key's lifetime down, so that the email never
/// promises more time than the key has; under an hour then reads "less than an hour", not
/// "0 hours".
fn validity(hours: u64) -> String {
    match hours {
        0 => "less than an hour".to_owned(),
        1 => "1 hour".to_owned(),
        n => format!("{n} hours"),
    }
}

/// askama drops the template file's last line break; a message body ends with one.
fn with_final_newline(mut body: String) -> String {
    if !body.ends_with('\n') {
        body.push('\n');
    }
    body
}

/// Declares the plain-text and the HTML template of one email. The HTML part is built from the
/// text part's fields, so the two cannot be given different data; it also gets the subject, for
/// its `<title>`.
macro_rules! email_templates {
    (
        $text:ident = $text_path:tt,
        $html:ident = $html_path:tt { $($field:ident: $ty:ty),* $(,)? }
    ) => {
        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a> {
            shop: &'a str,
            name: Option<&'a str>,
            $($field: $ty,)*
        }

        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a> {
            subject: &'a str,
            shop: &'a str,
            name: Option<&'a str>,
            $($field: $ty,)*
        }

        impl<'a> $text<'a> {
            /// Renders (text, HTML).
            fn render_parts(&self, subject: &'a str) -> Result<(String, String), askama::Error> {
                let html = $html {
                    subject,
                    shop: self.shop,
                    name: self.name,
                    $($field: self.$field,)*
                };
                Ok((self.render()?, html.render()?))
            }
        }
    };
}

email_templates!(
    ConfirmationText = "mail/confirmation.txt",
    ConfirmationHtml = "mail/confirmation.html" { link: &'a str }
);
email_templates!(
    PasswordResetText = "mail/password_reset.txt",
    PasswordResetHtml = "mail/password_reset.html" { link: &'a str, validity: &'a str }
);
email_templates!(
    InvitationText = "mail/invitation.txt",
    InvitationHtml = "mail/invitation.html" { link: &'a str, validity: &'a str }
);
email_templates!(
    PasswordChangedText = "mail/password_changed.txt",
    PasswordChangedHtml = "mail/password_changed.html" {}
);
email_templates!(
    RegistrationAttemptText = "mail/registration_attempt.txt",
    RegistrationAttemptHtml = "mail/registration_attempt.html" { link: &'a str }
);

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: Option<&str> = Some("Sonia Wagner");
    const CONFIRM_LINK: &str = "https://shop.example/register/confirm?token=Zt4kQ9xLr2";
    const RESTORE_LINK: &str = "https://shop.example/password/restore?token=Hq7wV3mNp8";
    const HOSTILE_NAME: &str = r#"<script>alert(1)</script> & "Tom""#;
    const HOSTILE_SHOP: &str = "Tom & Jerry's <Shop>";
    const AMPERSAND_LINK: &str = "https://shop.example/password/restore?token=abc&lang=de";

    fn branding(shop: &str) -> Branding {
        Branding {
            shop_name: shop.to_owned(),
            subjects: Subjects::default(),
        }
    }

    fn render(email: Email<'_>) -> RenderedEmail {
        render_for(email, &branding("Example Shop"))
    }

    fn render_for(email: Email<'_>, branding: &Branding) -> RenderedEmail {
        email.render(branding).expect("renders")
    }

    fn all_kinds<'a>(name: Option<&'a str>, link: &'a str) -> [Email<'a>; 4] {
        [
            Email::Confirmation { name, link },
            Email::PasswordReset {
                name,
                link,
                valid_hours: 2,
            },
            Email::PasswordChanged { name },
            Email::RegistrationAttempt { name, link },
        ]
    }

    /// All three parts in one snapshot, so that a review sees them side by side.
    fn snapshot(email: &RenderedEmail) -> String {
        format!(
            "subject: {}\n--- text ---\n{}--- html ---\n{}",
            email.subject, email.text, email.html
        )
    }

    #[test]
    fn confirmation_email() {
        let email = render(Email::Confirmation {
            name: NAME,
            link: CONFIRM_LINK,
        });
        insta::assert_snapshot!("confirmation", snapshot(&email));
    }

    #[test]
    fn password_reset_email() {
        let email = render(Email::PasswordReset {
            name: NAME,
            link: RESTORE_LINK,
            valid_hours: 2,
        });
        insta::assert_snapshot!("password_reset", snapshot(&email));
    }

    #[test]
    fn password_changed_email() {
        let email = render(Email::PasswordChanged { name: NAME });
        insta::assert_snapshot!("password_changed", snapshot(&email));
    }

    #[test]
    fn registration_attempt_email() {
        let email = render(Email::RegistrationAttempt {
            name: NAME,
            link: RESTORE_LINK,
        });
        insta::assert_snapshot!("registration_attempt", snapshot(&email));
    }

    #[test]
    fn name_and_shop_are_escaped_in_html_and_verbatim_in_text() {
        for email in all_kinds(Some(HOSTILE_NAME), CONFIRM_LINK) {
            let rendered = render_for(email, &branding(HOSTILE_SHOP));
            let kind = email.kind();
            // askama writes numeric character references (`&#60;` for `<`), which HTML
            // treats exactly like the named ones (`&lt;`).
            assert!(
                rendered.html.contains(
                    "Hello &#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;Tom&#34;,"
                ),
                "{kind}: {}",
                rendered.html
            );
            assert!(
                rendered
                    .html
                    .contains("Tom &#38; Jerry&#39;s &#60;Shop&#62;"),
                "{kind}"
            );
            assert!(!rendered.html.contains("<script>"), "{kind}");
            assert!(!rendered.html.contains("<Shop>"), "{kind}");
            assert_every_ampersand_starts_a_reference(&rendered.html, kind);

            assert!(
                rendered
                    .text
                    .starts_with(&format!("Hello {HOSTILE_NAME},\n")),
                "{kind}"
            );
            assert!(rendered.text.contains(HOSTILE_SHOP), "{kind}");
            assert!(!rendered.text.contains("&#"), "{kind}");
        }
    }

    #[test]
    fn link_is_escaped_in_html_and_stands_alone_on_its_line_in_text() {
        for email in all_kinds(NAME, AMPERSAND_LINK) {
            if matches!(email, Email::PasswordChanged { .. }) {
                continue; // carries no link
            }
            let rendered = render(email);
            let kind = email.kind();
            let escaped = "https://shop.example/password/restore?token=abc&#38;lang=de";
            assert!(
                rendered.html.contains(&format!(
                    r#"<a href="{escaped}" style="color:#1a5fb4;">{escaped}</a>"#
                )),
                "{kind}: {}",
                rendered.html
            );
            assert_every_ampersand_starts_a_reference(&rendered.html, kind);
            assert!(
                rendered.text.lines().any(|line| line == AMPERSAND_LINK),
                "{kind}: {}",
                rendered.text
            );
        }
    }

    #[test]
    fn no_name_gives_a_neutral_greeting() {
        for email in all_kinds(None, CONFIRM_LINK) {
            let rendered = render(email);
            let kind = email.kind();
            assert!(rendered.text.starts_with("Hello,\n"), "{kind}");
            assert!(rendered.html.contains("<p>Hello,</p>"), "{kind}");
            assert!(!rendered.text.contains("None"), "{kind}");
        }
    }

    #[test]
    fn reset_email_states_how_long_the_link_is_valid() {
        for (valid_hours, expected) in [
            (3, "valid for 3 hours"),
            (1, "valid for 1 hour)"),
            (0, "valid for less than an hour"),
        ] {
            let rendered = render(Email::PasswordReset {
                name: NAME,
                link: RESTORE_LINK,
                valid_hours,
            });
            assert!(rendered.text.contains(expected), "{}", rendered.text);
            assert!(rendered.html.contains(expected), "{}", rendered.html);
        }
    }

    #[test]
    fn subject_comes_from_branding_and_kind_names_are_stable() {
        let mut branding = branding("Example Shop");
        branding.subjects.password_changed = "Passwort geändert".to_owned();
        let rendered = render_for(Email::PasswordChanged { name: NAME }, &branding);
        assert_eq!(rendered.subject, "Passwort geändert");
        assert!(rendered.html.contains("<title>Passwort geändert</title>"));

        let kinds = all_kinds(NAME, CONFIRM_LINK).map(|email| email.kind());
        assert_eq!(
            kinds,
            [
                "confirmation",
                "password_reset",
                "password_changed",
                "registration_attempt"
            ]
        );
    }

    /// A bare `&` in HTML would mean a value slipped through unescaped.
    fn assert_every_ampersand_starts_a_reference(html: &str, kind: &str) {
        for (at, _) in html.match_indices('&') {
            assert!(html[at..].starts_with("&#"), "{kind}: bare & at {at}");
        }
    }
}
