//! The rules for OAuth clients: registration (with the scopes the service knows), secrets shown
//! once and kept as hashes, and authentication at the token endpoints.

use subtle::ConstantTimeEq;

use super::model::{AuthMethod, Client};
use super::repo::{self, NewClient};
use crate::credentials::keys;
use crate::db::{now, DbConnection};
use crate::error::ApiError;

/// Scopes a partner client may hold (CONTRACT §4; the partner API enforces them).
pub const PARTNER_SCOPES: &[&str] = &[
    "customers:read",
    "customers:write",
    "customer-groups:write",
    "tokens:introspect",
];

/// The grants of the storefront client, and its one scope.
pub const STOREFRONT_GRANTS: &str = "password refresh_token";

/// What `client create` asks for.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    pub name: String,
    pub scopes: Vec<String>,
    pub auth_method: AuthMethod,
}

/// A new client's credentials: the secret is shown this once.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("unknown scope `{0}` (known: {known})", known = PARTNER_SCOPES.join(", "))]
    UnknownScope(String),
    #[error("a client needs at least one scope")]
    NoScopes,
    #[error("a client needs a name")]
    NoName,
    #[error("a partner client authenticates with client_secret_basic or client_secret_post")]
    PublicPartner,
    #[error("no client `{0}`")]
    NotFound(String),
    #[error("the storefront client `{0}` cannot be changed here")]
    Storefront(String),
    #[error("client `{0}` is public: it has no secret to rotate")]
    PublicClient(String),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<diesel::result::Error> for ClientError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Api(err.into())
    }
}

/// Registers a confidential client for the client_credentials grant.
pub fn create(conn: &mut DbConnection, spec: &ClientSpec) -> Result<Credentials, ClientError> {
    let name = spec.name.trim();
    if name.is_empty() {
        return Err(ClientError::NoName);
    }
    if spec.auth_method == AuthMethod::None {
        return Err(ClientError::PublicPartner);
    }
    if spec.scopes.is_empty() {
        return Err(ClientError::NoScopes);
    }
    if let Some(unknown) = spec
        .scopes
        .iter()
        .find(|s| !PARTNER_SCOPES.contains(&s.as_str()))
    {
        return Err(ClientError::UnknownScope(unknown.clone()));
    }
    let mut scopes = spec.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let client_id = uuid::Uuid::new_v4().simple().to_string();
    let client_secret = keys::new_key();
    repo::insert(
        conn,
        &NewClient {
            id: &client_id,
            name,
            secret_hash: Some(&keys::key_hash(&client_secret)),
            auth_method: spec.auth_method.as_str(),
            grant_types: "client_credentials",
            scopes: &scopes.join(" "),
            now: now(),
        },
    )?;
    Ok(Credentials {
        client_id,
        client_secret,
    })
}

/// A new secret; the old one stops working at once.
pub fn rotate_secret(
    conn: &mut DbConnection,
    id: &str,
    storefront: &str,
) -> Result<Credentials, ClientError> {
    if id == storefront {
        return Err(ClientError::Storefront(id.to_owned()));
    }
    let client = repo::find(conn, id)?.ok_or_else(|| ClientError::NotFound(id.to_owned()))?;
    // A public client authenticates with no secret: giving it one would lock it out for good
    // (`authenticate` accepts no secret only from a client without a hash, and a secret only
    // by a secret method), and the secret printed would open nothing.
    if client.auth_method() == AuthMethod::None {
        return Err(ClientError::PublicClient(id.to_owned()));
    }
    let client_secret = keys::new_key();
    if !repo::set_secret_hash(conn, id, &keys::key_hash(&client_secret), now())? {
        return Err(ClientError::NotFound(id.to_owned()));
    }
    Ok(Credentials {
        client_id: id.to_owned(),
        client_secret,
    })
}

/// Deletes a client; its access tokens stop working with it (their check finds no client).
pub fn delete(conn: &mut DbConnection, id: &str, storefront: &str) -> Result<(), ClientError> {
    if id == storefront {
        return Err(ClientError::Storefront(id.to_owned()));
    }
    if repo::delete(conn, id)? {
        Ok(())
    } else {
        Err(ClientError::NotFound(id.to_owned()))
    }
}

/// The storefront client exists with its grants (at every start: its id is a setting).
pub fn ensure_storefront(conn: &mut DbConnection, id: &str) -> Result<(), ApiError> {
    if repo::find(conn, id)?.is_none() {
        repo::insert(
            conn,
            &NewClient {
                id,
                name: "Storefront",
                secret_hash: None,
                auth_method: AuthMethod::None.as_str(),
                grant_types: STOREFRONT_GRANTS,
                scopes: crate::auth::tokens::CUSTOMER_SCOPE,
                now: now(),
            },
        )?;
    }
    Ok(())
}

/// How a request presented its client (parsed by the token endpoints).
#[derive(Debug, Clone)]
pub struct Presented {
    pub client_id: String,
    pub secret: Option<String>,
    pub method: AuthMethod,
}

/// The client, if the presented credentials are its, by the method it was registered with.
/// Unknown ids, wrong secrets and wrong methods are all the same `None`; the hash comparison
/// takes the same time wherever the hashes differ.
pub fn authenticate(client: Option<Client>, presented: &Presented) -> Option<Client> {
    let client = client?;
    if client.auth_method() != presented.method {
        return None;
    }
    match (&client.secret_hash, &presented.secret) {
        (None, None) => Some(client),
        (Some(stored), Some(secret)) => {
            let matches: bool = keys::key_hash(secret)
                .as_bytes()
                .ct_eq(stored.as_bytes())
                .into();
            matches.then_some(client)
        }
        _ => None,
    }
}
