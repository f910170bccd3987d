//! An OAuth client as stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::clients;

/// How a client proves who it is at the token endpoint (RFC 7591 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// A public client: no secret (the storefront).
    None,
    /// HTTP Basic with the client id and secret.
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Basic => "client_secret_basic",
            Self::Post => "client_secret_post",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "none" => Some(Self::None),
            "client_secret_basic" => Some(Self::Basic),
            "client_secret_post" => Some(Self::Post),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clients)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub secret_hash: Option<String>,
    pub auth_method: String,
    pub grant_types: String,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Client {
    pub fn auth_method(&self) -> AuthMethod {
        // A value the code did not write is treated as the strictest: no way in.
        AuthMethod::parse(&self.auth_method).unwrap_or(AuthMethod::Basic)
    }

    pub fn allows_grant(&self, grant_type: &str) -> bool {
        self.grant_types.split(' ').any(|g| g == grant_type)
    }

    pub fn scopes(&self) -> impl Iterator<Item = &str> + Clone {
        self.scopes.split(' ').filter(|s| !s.is_empty())
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }
}
