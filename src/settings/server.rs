//! Where the service listens and how it names itself.

use super::source::{base_url, Source};
use super::SettingsError;
use crate::net::TrustedProxies;

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub listen: String,
    /// Base of every `links.self` and `Location`.
    pub public_url: String,
    /// HTTP worker threads.
    pub workers: usize,
    /// Exact origins allowed to call from a browser (CONTRACT §3 item 26).
    pub cors_allowed_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` names the client (for logs and per-address limits).
    pub trusted_proxies: TrustedProxies,
}

impl ServerSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        let listen = src.parsed("GLUE_LISTEN", "127.0.0.1:8080".to_owned(), |v| {
            v.parse::<std::net::SocketAddr>()
                .map(|_| v.to_owned())
                .map_err(|_| "expected host:port, e.g. 127.0.0.1:8080".to_owned())
        })?;
        let public_url = src.parsed("GLUE_PUBLIC_URL", format!("http://{listen}"), base_url)?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            workers: src.number("GLUE_WORKERS", cores, 1..=1024)?,
            cors_allowed_origins: src
                .list("GLUE_CORS_ALLOWED_ORIGINS")
                .into_iter()
                .map(|o| origin(o.trim_end_matches('/')))
                .collect::<Result<_, _>>()
                .map_err(|reason| SettingsError::invalid("GLUE_CORS_ALLOWED_ORIGINS", reason))?,
            trusted_proxies: TrustedProxies::parse(&src.list("GLUE_TRUSTED_PROXIES"))
                .map_err(|reason| SettingsError::invalid("GLUE_TRUSTED_PROXIES", reason))?,
            listen,
            public_url,
        })
    }

    /// The public URL a listen address implies when `GLUE_PUBLIC_URL` is not set.
    pub fn implicit_public_url(&self) -> String {
        format!("http://{}", self.listen)
    }
}

/// An origin as browsers send it: `scheme://host[:port]`, nothing after, the host in lower case
/// and no default port (browsers send `https://shop.example`, never `https://Shop.Example:443`),
/// so that a listed origin always matches the `Origin` header it means.
fn origin(value: &str) -> Result<String, String> {
    let lower = value.to_ascii_lowercase();
    let (scheme, rest, default_port) = if let Some(rest) = lower.strip_prefix("https://") {
        ("https", rest, ":443")
    } else if let Some(rest) = lower.strip_prefix("http://") {
        ("http", rest, ":80")
    } else {
        return Err(format!("`{value}` is not an http(s) origin"));
    };
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '*', '@']) {
        return Err(format!(
            "`{value}` is not an origin (scheme://host[:port], no path)"
        ));
    }
    let host = rest.strip_suffix(default_port).unwrap_or(rest);
    Ok(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn origins_are_written_the_way_browsers_send_them() {
        assert_eq!(
            origin("https://Shop.Example.com:443").as_deref(),
            Ok("https://shop.example.com")
        );
        assert_eq!(
            origin("http://localhost:80").as_deref(),
            Ok("http://localhost")
        );
        assert_eq!(
            origin("http://localhost:3000").as_deref(),
            Ok("http://localhost:3000")
        );
        for bad in [
            "shop.example",
            "https://shop.example/path",
            "https://*.example",
            "ftp://x",
        ] {
            assert!(origin(bad).is_err(), "{bad}");
        }
    }
}
