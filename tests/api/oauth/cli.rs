//! `glue-customers client ...`, the real binary against the app's database: a client it creates
//! gets tokens, and rotating or deleting it takes effect at once on the running server.

use std::process::Command;

use oauth2::AuthType;
use serde_json::Value;

use super::{
    assert_inactive, assert_invalid_client, error_code, inspector, second_public_client, shopper,
    OAuth, Registered,
};
use crate::helpers::{spawn_app, TestApp, PASSWORD};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Exit 0; stdout as JSON.
    #[track_caller]
    fn json(&self) -> Value {
        assert_eq!(self.code, Some(0), "stderr: {}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// `glue-customers client ARGS` with nothing but `PATH` and the app's `DATABASE_URL`.
fn client_command(app: &TestApp, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("working directory");
    let output = Command::new(env!("CARGO_BIN_EXE_glue-customers"))
        .arg("client")
        .args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .output()
        .expect("run the binary");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `client create --json`: the client as its owner configures it.
fn create(app: &TestApp, scopes: &str, auth: &str) -> Registered {
    let run = client_command(
        app,
        &[
            "create", "--name", "Acme ERP", "--scopes", scopes, "--auth", auth, "--json",
        ],
    );
    let created = run.json();
    let text = |name: &str| {
        created[name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} in {created}"))
            .to_owned()
    };
    Registered {
        id: text("client_id"),
        secret: Some(text("client_secret")),
        auth: if auth == "post" {
            AuthType::RequestBody
        } else {
            AuthType::BasicAuth
        },
    }
}

#[tokio::test]
async fn a_client_created_on_the_command_line_gets_tokens_by_its_method() {
    let app = spawn_app().await;
    let oauth = OAuth::new(&app);

    for auth in ["basic", "post"] {
        let acme = create(&app, "customers:read customers:write", auth);

        let tokens = oauth.client_credentials(&acme, &[]).await;

        let tokens = tokens.unwrap_or_else(|e| panic!("--auth {auth}: {e:?}"));
        super::assert_bearer(&tokens, "customers:read customers:write");
        assert!(acme.secret().len() >= 43, "a secret of at least 256 bits");
        let other_way = match acme.auth {
            AuthType::BasicAuth => AuthType::RequestBody,
            _ => AuthType::BasicAuth,
        };
        let result = oauth
            .client_credentials(&acme.with_auth(other_way), &[])
            .await;
        assert_eq!(
            error_code(result),
            "invalid_client",
            "--auth {auth}, the other way"
        );
    }
}

#[tokio::test]
async fn client_list_shows_the_client_without_its_secret() {
    let app = spawn_app().await;
    let acme = create(&app, "tokens:introspect,customers:read", "basic");

    let run = client_command(&app, &["list", "--json"]);

    let listed = run.json();
    let entry = listed
        .as_array()
        .expect("an array")
        .iter()
        .find(|c| c["client_id"] == acme.id.as_str())
        .unwrap_or_else(|| panic!("{} not listed: {listed}", acme.id));
    assert_eq!(entry["name"], "Acme ERP");
    assert_eq!(entry["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(
        entry["grant_types"],
        serde_json::json!(["client_credentials"])
    );
    assert_eq!(
        entry["scopes"],
        serde_json::json!(["customers:read", "tokens:introspect"])
    );
    assert!(
        !run.stdout.contains(acme.secret()),
        "the secret is shown once only"
    );
    let keys: Vec<&String> = entry.as_object().expect("an object").keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("secret") || k.contains("hash")),
        "{keys:?}"
    );
    // The plain listing names it too.
    let plain = client_command(&app, &["list"]);
    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    assert!(plain.stdout.contains(&acme.id));
}

#[tokio::test]
async fn rotating_a_secret_ends_the_old_one_and_the_new_one_works() {
    let app = spawn_app().await;
    let acme = create(&app, "customers:read", "basic");
    let oauth = OAuth::new(&app);

    let rotated = client_command(&app, &["rotate-secret", &acme.id, "--json"]).json();

    assert_eq!(rotated["client_id"], acme.id.as_str());
    let new_secret = rotated["client_secret"].as_str().expect("a new secret");
    assert_ne!(new_secret, acme.secret());
    let old = oauth.client_credentials(&acme, &[]).await;
    assert_eq!(error_code(old), "invalid_client");
    assert_invalid_client(&oauth.last());
    let new = oauth
        .client_credentials(&acme.with_secret(new_secret), &[])
        .await;
    assert!(new.is_ok(), "{new:?}");
}

#[tokio::test]
async fn deleting_a_client_ends_its_tokens_and_its_secret() {
    let app = spawn_app().await;
    let acme = create(&app, "customers:read", "post");
    let watcher = inspector(&app).await;
    let oauth = OAuth::new(&app);
    let token = oauth.partner_token(&acme).await;
    assert_eq!(oauth.introspection(&watcher, &token).await["active"], true);

    let run = client_command(&app, &["delete", &acme.id]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_inactive(
        &oauth.introspection(&watcher, &token).await,
        "a deleted client's token",
    );
    let after = oauth.client_credentials(&acme, &[]).await;
    assert_eq!(error_code(after), "invalid_client");
    assert_invalid_client(&oauth.last());
    let listed = client_command(&app, &["list", "--json"]).json();
    assert!(!listed.to_string().contains(&acme.id), "{listed}");
}

#[tokio::test]
async fn an_unknown_scope_or_client_exits_1_with_a_message_and_changes_nothing() {
    let app = spawn_app().await;
    let mobile = second_public_client(&app, "mobile-app").await;
    let (email, _) = shopper(&app).await;
    let before = client_command(&app, &["list", "--json"]).json();

    for (what, args, message) in [
        (
            "an unknown scope",
            &["create", "--name", "x", "--scopes", "customers:read admin"][..],
            "unknown scope `admin`",
        ),
        (
            "the storefront's own scope",
            &["create", "--name", "x", "--scopes", "customer"],
            "unknown scope `customer`",
        ),
        (
            "an unknown client to rotate",
            &["rotate-secret", "no-such-client"],
            "no client",
        ),
        (
            "an unknown client to delete",
            &["delete", "no-such-client"],
            "no client",
        ),
        (
            "the storefront client",
            &["delete", "frontend"],
            "storefront",
        ),
        (
            "the storefront's secret",
            &["rotate-secret", "frontend"],
            "storefront",
        ),
        (
            "a public client's secret",
            &["rotate-secret", "mobile-app"],
            "public",
        ),
    ] {
        let run = client_command(&app, args);

        assert_eq!(run.code, Some(1), "{what}: {} {}", run.stdout, run.stderr);
        assert!(run.stderr.contains(message), "{what}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{what}: {}", run.stdout);
    }
    assert_eq!(client_command(&app, &["list", "--json"]).json(), before);
    // The public client still logs customers in without a secret.
    let oauth = OAuth::new(&app);
    let login = oauth.password(&mobile, &email, PASSWORD).await;
    assert!(login.is_ok(), "{login:?}");
}

#[tokio::test]
async fn missing_or_malformed_arguments_exit_2_with_the_usage() {
    let app = spawn_app().await;

    for args in [
        &[][..],
        &["create"],
        &["create", "--name", "x"],
        &["create", "--scopes", "customers:read"],
        &["create", "--name"],
        &[
            "create",
            "--name",
            "x",
            "--scopes",
            "customers:read",
            "--auth",
            "jwt",
        ],
        &["rotate-secret"],
        &["delete"],
        &["delete", "a", "b"],
        &["frobnicate"],
    ] {
        let run = client_command(&app, args);

        assert_eq!(run.code, Some(2), "{args:?}: {} {}", run.stdout, run.stderr);
        assert!(run.stderr.contains("usage:"), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    assert_eq!(
        client_command(&app, &["list", "--json"])
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}
