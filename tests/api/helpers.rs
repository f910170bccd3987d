//! `spawn_app()`: the real server on a free port with a fresh database (a SQLite file in a
//! temp dir, or a new PostgreSQL database when `TEST_DATABASE_URL` is set), and a client that
//! checks every JSON:API body it receives against the JSON:API 1.1 schema.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use diesel::{Connection, PgConnection, RunQueryDsl};
use glue_customers::auth::tokens::create_key_file;
use glue_customers::settings::Settings;
use glue_customers::startup::Application;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const JSON_API: &str = "application/vnd.api+json";
/// The attributes of a `customers` resource, in Spryker's order (reference §2.1).
pub const CUSTOMER_ATTRIBUTES: [&str; 8] = [
    "firstName",
    "lastName",
    "email",
    "gender",
    "dateOfBirth",
    "salutation",
    "createdAt",
    "updatedAt",
];
/// Satisfies the default password policy.
pub const PASSWORD: &str = "Kx9!vTq2#mWz";

pub struct TestApp {
    pub address: String,
    /// The app's own database, for asserting on rows.
    pub database_url: String,
    pub client: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
    _database: TestDatabase,
    _dir: tempfile::TempDir,
}

/// A PostgreSQL database made for one test and dropped with it.
pub enum TestDatabase {
    Sqlite,
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn);
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The command is sent at once; the server's own thread carries it out.
        drop(self.handle.stop(false));
    }
}

/// Keys made once per test process (RSA key generation is slow): `server` is the one every
/// test server signs with unless told otherwise, `foreign` one no server trusts.
pub fn key_file(name: &str) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    static KEYS: OnceLock<std::sync::Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temp dir for keys"));
    let mut keys = KEYS.get_or_init(Default::default).lock().expect("key lock");
    keys.entry(name.to_owned())
        .or_insert_with(|| {
            let path = dir.path().join(format!("{name}.pem"));
            create_key_file(&path).expect("test key");
            path
        })
        .clone()
}

/// The private key the test servers sign with, for forging tokens in tests.
pub fn signing_key_pem() -> String {
    std::fs::read_to_string(key_file("server")).expect("read key")
}

/// Another RSA key, which the servers do not trust.
pub fn foreign_key_pem() -> String {
    std::fs::read_to_string(key_file("foreign")).expect("read key")
}

/// A fresh, empty database (a SQLite file in `dir`, or a new PostgreSQL database when
/// `TEST_DATABASE_URL` is set) and the guard that drops it.
pub fn fresh_database(dir: &std::path::Path) -> (String, TestDatabase) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => create_postgres_database(&admin_url),
        _ => (
            format!("sqlite://{}", dir.join("glue.db").display()),
            TestDatabase::Sqlite,
        ),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts a server with extra settings (environment-variable names and values).
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    glue_customers::telemetry::init("warn", false);
    let dir = tempfile::tempdir().expect("temp dir");
    let (database_url, database) = fresh_database(dir.path());
    let mut env: HashMap<String, String> = [
        ("DATABASE_URL", database_url.as_str()),
        ("GLUE_LISTEN", "127.0.0.1:0"),
        ("GLUE_BCRYPT_COST", "4"),
        ("GLUE_WORKERS", "1"),
        ("GLUE_DB_POOL_SIZE", "3"),
        // Most tests log in right after registering; the email tests switch double opt-in
        // back on (its default) with a real SMTP server to receive the confirmation.
        ("GLUE_DOUBLE_OPT_IN", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    env.insert(
        "GLUE_JWT_KEY_FILE".into(),
        key_file("server").display().to_string(),
    );
    env.insert(
        "GLUE_MAIL_DIR".into(),
        dir.path().join("mail").display().to_string(),
    );
    for (k, v) in overrides {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let settings = Settings::from_sources(&env).expect("valid test settings");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match Application::build(settings) {
                Ok(app) => {
                    let _ = tx.send(Ok((app.port(), app.handle())));
                    let _ = app.run_until_stopped().await;
                }
                Err(err) => {
                    let _ = tx.send(Err(err.to_string()));
                }
            }
        });
    });
    let (port, handle) = rx
        .recv()
        .expect("server thread")
        .expect("application starts");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        database_url: env["DATABASE_URL"].clone(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        handle,
        _database: database,
        _dir: dir,
    }
}

fn create_postgres_database(admin_url: &str) -> (String, TestDatabase) {
    let name = format!("glue_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(admin_url).expect("connect to TEST_DATABASE_URL");
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .expect("create test database");
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    (
        format!("{prefix}/{name}{query}"),
        TestDatabase::Postgres {
            admin_url: admin_url.to_owned(),
            name,
        },
    )
}

/// A response as the tests see it. A JSON:API body has already passed the schema.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first error object's member, e.g. `error("code")`.
    pub fn error(&self, member: &str) -> Value {
        self.body["errors"][0][member].clone()
    }

    /// Asserts a JSON:API error document with this status and (if given) code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert!(
            self.header("content-type").is_some_and(|ct| ct == JSON_API),
            "{:?}",
            self.headers
        );
        assert!(
            self.body.get("data").is_none(),
            "errors and data never coexist"
        );
        let errors = self.body["errors"].as_array().expect("errors array");
        assert!(!errors.is_empty());
        assert!(
            errors
                .iter()
                .any(|e| e["status"] == json!(status.to_string())),
            "{}",
            self.text
        );
        if let Some(code) = code {
            assert_eq!(self.error("code"), json!(code), "body: {}", self.text);
        }
    }
}

fn schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = include_str!("jsonapi-schema-1.1.json");
        let schema: Value = serde_json::from_str(text).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("schema compiles")
    })
}

/// Every JSON:API document must validate against the schema, plus the rules the schema's
/// `dependencies` may not enforce (JSON:API: no `data` with `errors`, no `included` without
/// `data`).
#[track_caller]
pub fn assert_valid_json_api(body: &Value) {
    let errors: Vec<String> = schema()
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "not a valid JSON:API document: {errors:?}\n{body:#}"
    );
    assert!(!(body.get("data").is_some() && body.get("errors").is_some()));
    assert!(!(body.get("included").is_some() && body.get("data").is_none()));
    assert_eq!(body["jsonapi"]["version"], json!("1.1"));
}

pub struct Request<'a> {
    app: &'a TestApp,
    builder: reqwest::RequestBuilder,
}

impl Request<'_> {
    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self.builder.bearer_auth(token);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// A JSON body sent as `application/vnd.api+json`.
    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self
            .builder
            .header("content-type", JSON_API)
            .body(serde_json::to_vec(body).expect("serialize"));
        self
    }

    pub fn raw_body(mut self, body: impl Into<reqwest::Body>) -> Self {
        self.builder = self.builder.body(body);
        self
    }

    pub async fn send(self) -> TestResponse {
        let _ = self.app;
        let response = self
            .builder
            .send()
            .await
            .expect("request reaches the server");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let is_json_api = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with(JSON_API));
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        if is_json_api {
            assert_valid_json_api(&body);
        }
        if status.is_client_error() || status.is_server_error() {
            assert!(
                is_json_api
                    || headers
                        .get("content-type")
                        .is_some_and(|v| v == "application/json"),
                "error response without a JSON body: {status} {text}"
            );
        }
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "a 500: {text}");
        TestResponse {
            status,
            headers,
            text,
            body,
        }
    }
}

/// A customer registered and logged in.
pub struct Customer {
    pub reference: String,
    pub email: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str) -> Request<'_> {
        Request {
            app: self,
            builder: self
                .client
                .request(method, format!("{}{path}", self.address)),
        }
    }

    /// A connection pool on the app's database, to check what a request changed.
    pub fn db(&self) -> glue_customers::db::Db {
        let url = glue_customers::settings::DatabaseUrl::parse(&self.database_url).expect("url");
        glue_customers::db::Db::connect(&url, 1).expect("connect to the test database")
    }

    /// The customer row behind a reference, read straight from the database.
    pub async fn customer_row(
        &self,
        reference: &str,
    ) -> glue_customers::customers::model::Customer {
        let reference = reference.to_owned();
        self.db()
            .read(move |conn| {
                Ok(glue_customers::customers::repo::find_by_reference(
                    conn, &reference,
                )?)
            })
            .await
            .expect("query")
            .expect("customer row exists")
    }

    pub fn get(&self, path: &str) -> Request<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str, body: &Value) -> Request<'_> {
        self.request(Method::POST, path).json(body)
    }

    pub fn patch(&self, path: &str, body: &Value) -> Request<'_> {
        self.request(Method::PATCH, path).json(body)
    }

    pub fn delete(&self, path: &str) -> Request<'_> {
        self.request(Method::DELETE, path)
    }

    pub async fn register_with(&self, attributes: Value) -> TestResponse {
        self.post(
            "/customers",
            &json!({"data": {"type": "customers", "attributes": attributes}}),
        )
        .send()
        .await
    }

    /// Registers `email` with valid attributes; returns the customerReference.
    pub async fn register(&self, email: &str, password: &str) -> String {
        let response = self.register_with(registration(email, password)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.body["data"]["id"].as_str().expect("id").to_owned()
    }

    pub async fn login(&self, username: &str, password: &str) -> TestResponse {
        self.post(
            "/access-tokens",
            &json!({"data": {"type": "access-tokens", "attributes": {"username": username, "password": password}}}),
        )
        .send()
        .await
    }

    /// Registers and logs in a new customer with a unique email.
    pub async fn customer(&self) -> Customer {
        let email = format!("shopper-{}@example.com", uuid::Uuid::new_v4().simple());
        let reference = self.register(&email, PASSWORD).await;
        let login = self.login(&email, PASSWORD).await;
        assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
        let attributes = &login.body["data"]["attributes"];
        Customer {
            reference,
            email,
            password: PASSWORD.to_owned(),
            access_token: attributes["accessToken"]
                .as_str()
                .expect("access token")
                .to_owned(),
            refresh_token: attributes["refreshToken"]
                .as_str()
                .expect("refresh token")
                .to_owned(),
        }
    }
}

/// Valid registration attributes.
pub fn registration(email: &str, password: &str) -> Value {
    json!({
        "email": email,
        "gender": "Female",
        "salutation": "Mrs",
        "firstName": "Sonia",
        "lastName": "Wagner",
        "password": password,
        "confirmPassword": password,
        "acceptedTerms": true
    })
}
