//! A registration with the email of an existing account (CONTRACT §3 item 14): Spryker's
//! answer, and, as its text promises, a reset link to the existing account.

use reqwest::StatusCode;

use super::{mail_app, redacted, register_confirmed, restore, wait_for_email_to};
use crate::helpers::PASSWORD;
use crate::smtp_sink::SmtpSink;

#[tokio::test]
async fn registering_a_taken_email_answers_400_and_mails_the_owner_a_reset_link() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[]).await;
    register_confirmed(&app, &sink, "sonia@example.com").await;
    let sent = sink.messages().len();

    let again = app
        .register_with(crate::helpers::registration("SONIA@example.com", PASSWORD))
        .await;
    again.assert_error(422, Some("400"));
    assert!(again
        .error("detail")
        .as_str()
        .expect("detail")
        .starts_with("If this email address is already in use"));

    let email = wait_for_email_to(&sink, "sonia@example.com", sent).await;
    insta::assert_snapshot!(
        "registration_attempt_email",
        redacted(&email, "/password/restore")
    );
    let key = email.token("/password/restore");
    let restored = restore(&app, &key, "Fresh!Start-2027").await;
    assert_eq!(restored.status, StatusCode::NO_CONTENT, "{}", restored.text);
    assert_eq!(
        app.login("sonia@example.com", "Fresh!Start-2027")
            .await
            .status,
        StatusCode::CREATED
    );
}
