//! Creating customers as a partner (issue 15 item 3): the storefront's validation without
//! terms; a password, an imported bcrypt hash (EverShop's `$2a$10$`, upgraded at the first
//! login) or neither (an invitation email with a set-password link); one email, one customer,
//! even when the creates race.

use bcrypt::Version;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{
    admin, attributes, create, created, customer_document, default_group, fetch, id_of,
    storefront_login,
};
use crate::helpers::{spawn_app, spawn_app_with, PASSWORD};
use crate::smtp_sink::SmtpSink;

#[tokio::test]
async fn a_customer_created_with_a_password_is_confirmed_and_logs_in_on_the_storefront() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let default = default_group(&app, &token).await;
    let mut wanted = attributes("Marta.Kovac@Example.com", "Marta", "Kovač");
    wanted["dateOfBirth"] = json!("1990-04-01");
    wanted["acceptedMarketing"] = json!(true);

    let response = create(&app, &token, &customer_document(wanted, None)).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let data = &response.body["data"];
    let reference = id_of(data);
    assert_eq!(data["type"], "customers");
    assert_eq!(response.header("location"), data["links"]["self"].as_str());
    assert!(response.header("etag").is_some_and(|t| t.starts_with('"')));
    let attributes = &data["attributes"];
    for (name, value) in [
        ("email", json!("Marta.Kovac@Example.com")),
        ("firstName", json!("Marta")),
        ("lastName", json!("Kovač")),
        ("salutation", json!("Ms")),
        ("gender", json!("Female")),
        ("dateOfBirth", json!("1990-04-01")),
        ("status", json!("active")),
        ("acceptedMarketing", json!(true)),
        ("lastLoginAt", Value::Null),
    ] {
        assert_eq!(attributes[name], value, "{name}: {}", response.text);
    }
    assert!(attributes["confirmedAt"].is_string(), "{}", response.text);
    assert!(
        !response.text.to_lowercase().contains("password"),
        "{}",
        response.text
    );
    assert_eq!(
        data["relationships"]["group"]["data"],
        json!({"type": "customer-groups", "id": default})
    );

    let (access, _) = storefront_login(&app, "marta.kovac@example.com", PASSWORD).await;
    let own = app
        .get(&format!("/customers/{reference}"))
        .bearer(&access)
        .send()
        .await;
    assert_eq!(
        own.status,
        StatusCode::OK,
        "the storefront's identity: {}",
        own.text
    );
    assert_eq!(own.body["data"]["id"], json!(reference));
    let seen = fetch(&app, &token, &reference).await;
    assert!(seen["attributes"]["lastLoginAt"].is_string(), "{seen}");
}

#[tokio::test]
async fn an_imported_bcrypt_hash_logs_in_and_is_upgraded_to_the_configured_cost_at_the_first_login()
{
    let app = spawn_app_with(&[("GLUE_BCRYPT_COST", "11")]).await;
    let token = admin(&app).await;

    for (i, version, prefix) in [
        (0, Version::TwoA, "$2a$10$"),
        (1, Version::TwoB, "$2b$10$"),
        (2, Version::TwoY, "$2y$10$"),
    ] {
        // EverShop (bcryptjs) writes `$2a$10$`; PHP platforms `$2y$`.
        let hash = bcrypt::hash_with_result(PASSWORD, 10)
            .expect("hash")
            .format_for_version(version);
        assert!(hash.starts_with(prefix));
        let email = format!("imported{i}@example.com");
        let mut wanted = attributes(&email, "Imported", "Shopper");
        let object = wanted.as_object_mut().expect("attributes");
        object.remove("password");
        object.remove("confirmPassword");
        object.insert("passwordHash".into(), json!(hash));

        let response = create(&app, &token, &customer_document(wanted, None)).await;

        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{prefix}: {}",
            response.text
        );
        let reference = id_of(&response.body["data"]);
        assert_eq!(
            app.customer_row(&reference).await.password_hash,
            Some(hash.clone())
        );
        app.login(&email, "Wrong-Password-1!")
            .await
            .assert_error(401, Some("003"));
        assert_eq!(
            app.customer_row(&reference).await.password_hash,
            Some(hash.clone())
        );

        storefront_login(&app, &email, PASSWORD).await;

        let upgraded = app
            .customer_row(&reference)
            .await
            .password_hash
            .expect("a hash");
        assert!(upgraded.starts_with("$2b$11$"), "{prefix}: {upgraded}");
        assert!(bcrypt::verify(PASSWORD, &upgraded).expect("verifies"));
        storefront_login(&app, &email, PASSWORD).await;
        assert_eq!(
            app.customer_row(&reference).await.password_hash,
            Some(upgraded)
        );
    }
}

#[tokio::test]
async fn a_customer_created_without_a_password_is_invited_by_email_to_choose_one() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = spawn_app_with(&[
        ("GLUE_SMTP_URL", url.as_str()),
        ("GLUE_MAIL_RETRY_DELAY_MS", "50"),
        ("GLUE_MAIL_POLL_INTERVAL_MS", "50"),
        ("GLUE_STOREFRONT_URL", "https://shop.example"),
    ])
    .await;
    let token = admin(&app).await;
    let email = "invited@example.com";
    let mut wanted = attributes(email, "Ida", "Invited");
    let object = wanted.as_object_mut().expect("attributes");
    object.remove("password");
    object.remove("confirmPassword");

    let response = create(&app, &token, &customer_document(wanted, None)).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let invitation = sink
        .wait_for(1, std::time::Duration::from_secs(15))
        .await
        .remove(0);
    assert_eq!(invitation.envelope_to, [email]);
    let link = invitation.link("/password/restore");
    assert!(
        link.starts_with("https://shop.example/password/restore?token="),
        "{link}"
    );
    assert!(invitation.text.contains("Ida"), "{}", invitation.text);
    app.login(email, PASSWORD)
        .await
        .assert_error(401, Some("003"));

    let key = invitation.token("/password/restore");
    let restore = |password: &str| {
        json!({"data": {"type": "customer-restore-password", "attributes": {
            "restorePasswordKey": key, "password": password, "confirmPassword": password}}})
    };
    let chosen = app
        .patch("/customer-restore-password/mine", &restore(PASSWORD))
        .send()
        .await;
    assert_eq!(chosen.status, StatusCode::NO_CONTENT, "{}", chosen.text);

    storefront_login(&app, email, PASSWORD).await;
    app.patch(
        "/customer-restore-password/mine",
        &restore("Another!One-2027"),
    )
    .send()
    .await
    .assert_error(422, Some("415"));
}

#[tokio::test]
async fn create_validates_like_the_storefront_without_terms_and_creates_nothing_on_error() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    created(&app, &token, "taken@example.com", "Taken", "Already").await;
    let evershop = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
    let with = |changes: &[(&str, Value)]| {
        let mut a = attributes("new@example.com", "New", "Customer");
        for (name, value) in changes {
            if value.is_null() {
                a.as_object_mut().expect("object").remove(*name);
            } else {
                a[*name] = value.clone();
            }
        }
        a
    };
    let no_password = [("password", Value::Null), ("confirmPassword", Value::Null)];
    let hash = |h: &str| {
        let mut changes = no_password.to_vec();
        changes.push(("passwordHash", json!(h)));
        with(&changes)
    };

    // (attributes, status, code, the attribute a 901 points at)
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (with(&[("email", Value::Null)]), 422, "901", Some("email")),
        (
            with(&[("email", json!("not-an-email"))]),
            422,
            "901",
            Some("email"),
        ),
        (
            with(&[("firstName", Value::Null)]),
            422,
            "901",
            Some("firstName"),
        ),
        (
            with(&[("lastName", json!(""))]),
            422,
            "901",
            Some("lastName"),
        ),
        (
            with(&[("gender", json!("Other"))]),
            422,
            "901",
            Some("gender"),
        ),
        (
            with(&[("salutation", json!("Sir"))]),
            422,
            "901",
            Some("salutation"),
        ),
        (
            with(&[("dateOfBirth", json!("01.04.1990"))]),
            422,
            "901",
            Some("dateOfBirth"),
        ),
        (
            with(&[("acceptedMarketing", json!("yes"))]),
            422,
            "901",
            Some("acceptedMarketing"),
        ),
        (hash("not-a-hash"), 422, "901", Some("passwordHash")),
        (
            hash(&evershop.replacen("$2a$10", "$2a$03", 1)),
            422,
            "901",
            Some("passwordHash"),
        ),
        (
            hash(&evershop.replacen("$2a$", "$2x$", 1)),
            422,
            "901",
            Some("passwordHash"),
        ),
        (hash(&evershop[..59]), 422, "901", Some("passwordHash")),
        (
            hash("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"),
            422,
            "901",
            Some("passwordHash"),
        ),
        (
            with(&[("passwordHash", json!(evershop))]),
            422,
            "901",
            Some("passwordHash"),
        ),
        (
            with(&[("confirmPassword", json!("Other!Password-9"))]),
            422,
            "406",
            None,
        ),
        (
            with(&[("email", json!("TAKEN@example.com"))]),
            422,
            "400",
            None,
        ),
    ];
    for (attributes, status, code, pointer) in cases {
        let response = create(&app, &token, &customer_document(attributes.clone(), None)).await;

        response.assert_error(status, Some(code));
        if let Some(field) = pointer {
            let pointers: Vec<&Value> = response.body["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .map(|e| &e["source"]["pointer"])
                .collect();
            assert!(
                pointers.contains(&&json!(format!("/data/attributes/{field}"))),
                "{attributes}: {}",
                response.text
            );
        }
    }
    let everyone = super::listed(&app, &token, &[]).await;
    assert_eq!(everyone.len(), 1, "nothing was created: {everyone:?}");
    // No terms needed; a short password is the policy's error.
    let short = create(
        &app,
        &token,
        &customer_document(
            with(&[
                ("password", json!("short")),
                ("confirmPassword", json!("short")),
            ]),
            None,
        ),
    )
    .await;
    assert!(short.status.is_client_error(), "{}", short.text);
}

#[tokio::test]
async fn concurrent_creates_of_one_email_make_one_customer_and_answer_the_others_400() {
    let app = spawn_app().await;
    let token = admin(&app).await;

    let creates = (0..6).map(|i| {
        let email = if i % 2 == 0 {
            "Same@example.com"
        } else {
            "same@EXAMPLE.com"
        };
        let mut wanted = attributes(email, "Same", "Person");
        if i >= 3 {
            // Invited: no hashing before the write, so the writes overlap the more.
            let object = wanted.as_object_mut().expect("attributes");
            object.remove("password");
            object.remove("confirmPassword");
        }
        let document = customer_document(wanted, None);
        let (app, token) = (&app, &token);
        async move { create(app, token, &document).await }
    });
    let answers = futures_util::future::join_all(creates).await;

    let made = answers
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        made,
        1,
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for refused in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
        refused.assert_error(422, Some("400"));
    }
    assert_eq!(super::listed(&app, &token, &[]).await.len(), 1);
}
