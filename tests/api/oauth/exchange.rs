//! The oauth2 crate's side: its HTTP client, a configured client per registration, and one
//! method per exchange.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use oauth2::basic::{
    BasicClient, BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenResponse,
};
use oauth2::{
    AccessToken, AsyncHttpClient, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    HttpClientError, HttpRequest, HttpResponse, IntrospectionUrl, RefreshToken, RequestTokenError,
    ResourceOwnerPassword, ResourceOwnerUsername, RevocationUrl, Scope, StandardRevocableToken,
    TokenUrl,
};
use reqwest::Method;
use serde_json::Value;

use super::{assert_no_store_json, secret_of, Registered, FORM};
use crate::helpers::{Request, TestApp, TestResponse, PASSWORD};

// ---------------------------------------------------------------------------------------------
// The HTTP client the oauth2 crate sends through.
// ---------------------------------------------------------------------------------------------

/// `oauth2::reqwest::Client` (no redirects) that also keeps the last answer, so that a test can
/// assert on the status and headers the crate does not expose. oauth2 refuses a revocation
/// URL that is not `https` (RFC 7009 §2); the test server speaks plain HTTP on loopback, so
/// the revocation client is given `https://127.0.0.1:port/...` and this client sends it as
/// `http://`.
pub struct Wire {
    client: oauth2::reqwest::Client,
    last: Mutex<Option<TestResponse>>,
}

impl Wire {
    fn new() -> Self {
        Self {
            client: oauth2::reqwest::Client::builder()
                .redirect(oauth2::reqwest::redirect::Policy::none())
                .build()
                .expect("HTTP client"),
            last: Mutex::new(None),
        }
    }

    fn record(&self, response: &HttpResponse) {
        let text = String::from_utf8_lossy(response.body()).into_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_ne!(response.status().as_u16(), 500, "a 500: {text}");
        *self.last.lock().expect("last response") = Some(TestResponse {
            status: response.status(),
            headers: response.headers().clone(),
            text,
            body,
        });
    }
}

impl<'c> AsyncHttpClient<'c> for Wire {
    type Error = HttpClientError<oauth2::reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + 'c>>;

    fn call(&'c self, mut request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            if let Some(rest) = request.uri().to_string().strip_prefix("https://") {
                *request.uri_mut() = format!("http://{rest}")
                    .parse()
                    .map_err(|e| HttpClientError::Other(format!("{e}")))?;
            }
            let response = AsyncHttpClient::call(&self.client, request).await?;
            self.record(&response);
            Ok(response)
        })
    }
}

pub type Configured =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointSet, EndpointSet, EndpointSet>;
pub type Failure<E> = RequestTokenError<HttpClientError<oauth2::reqwest::Error>, E>;
pub type TokenResult = Result<BasicTokenResponse, Failure<BasicErrorResponse>>;
pub type RevokeResult = Result<(), Failure<BasicRevocationErrorResponse>>;
pub type IntrospectResult = Result<BasicTokenIntrospectionResponse, Failure<BasicErrorResponse>>;

// ---------------------------------------------------------------------------------------------
// Exchanges through the oauth2 crate.
// ---------------------------------------------------------------------------------------------

/// One app's OAuth endpoints as a client library reaches them.
pub struct OAuth<'a> {
    pub app: &'a TestApp,
    pub wire: Wire,
}

impl<'a> OAuth<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            wire: Wire::new(),
        }
    }

    pub fn client(&self, who: &Registered) -> Configured {
        let url = |path: &str| format!("{}{path}", self.app.address);
        let revocation = url("/token/revoke").replacen("http://", "https://", 1);
        let mut client = BasicClient::new(ClientId::new(who.id.clone()))
            .set_auth_type(who.auth.clone())
            .set_token_uri(TokenUrl::new(url("/token")).expect("token URL"))
            .set_introspection_url(
                IntrospectionUrl::new(url("/token/introspect")).expect("introspection URL"),
            )
            .set_revocation_url(RevocationUrl::new(revocation).expect("revocation URL"));
        if let Some(secret) = &who.secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        client
    }

    /// The answer of the last exchange, as it came over the wire.
    pub fn last(&self) -> TestResponse {
        self.wire
            .last
            .lock()
            .expect("last response")
            .take()
            .expect("an exchange happened")
    }

    pub async fn password(&self, who: &Registered, username: &str, password: &str) -> TokenResult {
        let (username, password) = (
            ResourceOwnerUsername::new(username.to_owned()),
            ResourceOwnerPassword::new(password.to_owned()),
        );
        self.client(who)
            .exchange_password(&username, &password)
            .request_async(&self.wire)
            .await
    }

    /// The storefront's password grant, which must succeed.
    pub async fn log_in(&self, email: &str) -> BasicTokenResponse {
        self.password(&Registered::storefront(), email, PASSWORD)
            .await
            .expect("password grant")
    }

    pub async fn refresh(&self, who: &Registered, token: &str) -> TokenResult {
        self.refresh_with(who, token, &[]).await
    }

    pub async fn refresh_with(
        &self,
        who: &Registered,
        token: &str,
        scopes: &[&str],
    ) -> TokenResult {
        let token = RefreshToken::new(token.to_owned());
        self.client(who)
            .exchange_refresh_token(&token)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&self.wire)
            .await
    }

    pub async fn client_credentials(&self, who: &Registered, scopes: &[&str]) -> TokenResult {
        self.client(who)
            .exchange_client_credentials()
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&self.wire)
            .await
    }

    /// A client_credentials token of all the partner's scopes, which must be issued.
    pub async fn partner_token(&self, who: &Registered) -> String {
        secret_of(&self.client_credentials(who, &[]).await)
    }

    pub async fn revoke(&self, who: &Registered, token: StandardRevocableToken) -> RevokeResult {
        self.client(who)
            .revoke_token(token)
            .expect("revocation request")
            .request_async(&self.wire)
            .await
    }

    pub async fn introspect(&self, who: &Registered, token: &str) -> IntrospectResult {
        let token = AccessToken::new(token.to_owned());
        self.client(who)
            .introspect(&token)
            .request_async(&self.wire)
            .await
    }

    /// Introspection by `who`, answered 200: the JSON body as sent.
    pub async fn introspection(&self, who: &Registered, token: &str) -> Value {
        self.introspect(who, token).await.expect("introspection");
        let response = self.last();
        assert_no_store_json(&response, 200);
        response.body
    }

    /// A raw form POST to `path` (for what the oauth2 crate never sends).
    pub fn form(&self, path: &str, body: &str) -> Request<'a> {
        self.app
            .request(Method::POST, path)
            .header("content-type", FORM)
            .raw_body(body.to_owned())
    }
}
