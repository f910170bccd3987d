//! `glue-customers client ...`: register and manage partner clients from the command line.
//!
//! ```text
//! client create --name NAME --scopes "customers:read customers:write" [--auth basic|post] [--json]
//! client list [--json]
//! client rotate-secret ID [--json]
//! client delete ID
//! ```

use serde_json::json;

use super::model::{AuthMethod, Client};
use super::repo;
use super::service::{self, ClientError, ClientSpec, Credentials};
use crate::db::{Db, DbConnection};
use crate::error::ApiError;
use crate::settings::Settings;

pub const USAGE: &str = "usage: glue-customers client create --name NAME --scopes \"SCOPE ...\" \
[--auth basic|post] [--json] | client list [--json] | client rotate-secret ID [--json] | \
client delete ID";

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}\n{USAGE}")]
    Usage(String),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("database: {0}")]
    Db(String),
}

impl From<ApiError> for CliError {
    fn from(err: ApiError) -> Self {
        Self::Db(match err {
            ApiError::Internal(cause) | ApiError::Unavailable(cause) => cause,
            other => other.to_string(),
        })
    }
}

/// Runs one command; returns what to print.
pub fn run(args: &[String], settings: &Settings) -> Result<String, CliError> {
    let (command, rest) = args
        .split_first()
        .ok_or_else(|| CliError::Usage("a client command is missing".to_owned()))?;
    let options = Options::parse(rest)?;
    let db = Db::connect(&settings.database.url, 1).map_err(|e| CliError::Db(e.to_string()))?;
    let storefront = settings.oauth.storefront_client_id.clone();
    // Each command is one transaction; its own errors travel inside the Ok of the database's.
    let run = |f: &dyn Fn(&mut DbConnection) -> Result<String, CliError>| {
        db.run_now(|conn| Ok(f(conn)))?
    };
    match command.as_str() {
        "create" => {
            let spec = ClientSpec {
                name: options.value("--name")?.to_owned(),
                scopes: options
                    .value("--scopes")?
                    .split([' ', ','])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                auth_method: match options.optional("--auth").unwrap_or("basic") {
                    "basic" => AuthMethod::Basic,
                    "post" => AuthMethod::Post,
                    other => return Err(CliError::Usage(format!("--auth {other}: basic or post"))),
                },
            };
            let json = options.flag("--json");
            run(&|conn| {
                let credentials = service::create(conn, &spec)?;
                Ok(show_credentials(&credentials, json))
            })
        }
        "list" => {
            let json = options.flag("--json");
            run(&|conn| {
                let clients = repo::list(conn).map_err(ClientError::from)?;
                Ok(show_list(&clients, json))
            })
        }
        "rotate-secret" => {
            let id = options.positional()?;
            let json = options.flag("--json");
            run(&|conn| {
                let credentials = service::rotate_secret(conn, &id, &storefront)?;
                Ok(show_credentials(&credentials, json))
            })
        }
        "delete" => {
            let id = options.positional()?;
            run(&|conn| {
                service::delete(conn, &id, &storefront)?;
                Ok(format!("deleted client {id}"))
            })
        }
        other => Err(CliError::Usage(format!("unknown client command `{other}`"))),
    }
}

fn show_credentials(credentials: &Credentials, json: bool) -> String {
    if json {
        json!({"client_id": credentials.client_id, "client_secret": credentials.client_secret})
            .to_string()
    } else {
        format!(
            "client_id:     {}\nclient_secret: {}\n(the secret is shown this once: store it now)",
            credentials.client_id, credentials.client_secret
        )
    }
}

fn show_list(clients: &[Client], json: bool) -> String {
    if json {
        let items: Vec<_> = clients
            .iter()
            .map(|c| {
                json!({"client_id": c.id, "name": c.name, "token_endpoint_auth_method": c.auth_method,
                       "grant_types": c.grant_types.split(' ').collect::<Vec<_>>(),
                       "scopes": c.scopes().collect::<Vec<_>>()})
            })
            .collect();
        return serde_json::Value::Array(items).to_string();
    }
    clients
        .iter()
        .map(|c| {
            format!(
                "{}  {}  {}  [{}]  {}",
                c.id, c.auth_method, c.grant_types, c.scopes, c.name
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `--name VALUE`, `--json`, and at most one positional argument.
struct Options {
    pairs: Vec<(String, Option<String>)>,
    positional: Vec<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, CliError> {
        let mut pairs = Vec::new();
        let mut positional = Vec::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if arg == "--json" {
                pairs.push((arg.clone(), None));
            } else if arg.starts_with("--") {
                let value = iter
                    .next()
                    .ok_or_else(|| CliError::Usage(format!("{arg} needs a value")))?;
                pairs.push((arg.clone(), Some(value.clone())));
            } else {
                positional.push(arg.clone());
            }
        }
        Ok(Self { pairs, positional })
    }

    fn optional(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn value(&self, name: &str) -> Result<&str, CliError> {
        self.optional(name)
            .ok_or_else(|| CliError::Usage(format!("{name} is required")))
    }

    fn flag(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }

    fn positional(&self) -> Result<String, CliError> {
        match self.positional.as_slice() {
            [id] => Ok(id.clone()),
            _ => Err(CliError::Usage("one client id is required".to_owned())),
        }
    }
}
