//! Who the client is: the peer address, or, when the peer is a trusted proxy, the right-most
//! address in `X-Forwarded-For` that is not itself a trusted proxy. Everything left of that
//! entry was written by the client and proves nothing; without trusted proxies the header is
//! ignored altogether (CONTRACT §5, `GLUE_TRUSTED_PROXIES`).

use std::net::IpAddr;

use actix_web::dev::ServiceRequest;
use actix_web::HttpRequest;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed; registered as app data by `startup`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Comma-separated CIDRs or single addresses (`10.0.0.0/8, 192.168.1.10`).
    pub fn parse(items: &[String]) -> Result<Self, String> {
        items
            .iter()
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{item}` is not an IP address or CIDR"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that arrived from `peer` carrying these `X-Forwarded-For`
    /// values (in header order).
    pub fn client<'a>(&self, peer: IpAddr, forwarded: impl Iterator<Item = &'a str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            // A hop we cannot read ends the chain: what lies beyond it is unverifiable.
            let Some(ip) = parse_hop(hop) else {
                break;
            };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// `1.2.3.4`, `1.2.3.4:567`, `2001:db8::1` or `[2001:db8::1]:567`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<std::net::SocketAddr>()
        .ok()
        .map(|a| canonical(a.ip()))
}

/// IPv4 addresses seen through an IPv6 socket (`::ffff:1.2.3.4`) compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client address of a request (see the module documentation). `None` only when the
/// connection has no peer address (never on TCP).
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok());
    Some(match req.app_data::<TrustedProxies>() {
        Some(trusted) => trusted.client(peer, forwarded),
        None => canonical(peer),
    })
}

/// The client address as an extractor, for handlers that count attempts per address.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl actix_web::FromRequest for ClientIp {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(Self(client_ip(req))))
    }
}

/// [`client_ip`] for middleware, which holds a `ServiceRequest`.
pub fn service_client_ip(req: &ServiceRequest) -> Option<IpAddr> {
    client_ip(req.request())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(items: &[&str]) -> TrustedProxies {
        let items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
        TrustedProxies::parse(&items).expect("valid")
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("10.0.0.1"), ["6.6.6.6"].into_iter()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "192.168.1.10"]);
        let client = |peer: &str, header: &[&str]| trusted.client(ip(peer), header.iter().copied());
        // The client forged the first entry; the proxy appended the real address.
        assert_eq!(
            client("10.0.0.1", &["6.6.6.6, 203.0.113.7"]),
            ip("203.0.113.7")
        );
        // Two proxies in a row, over two header lines.
        assert_eq!(
            client("10.0.0.1", &["6.6.6.6, 203.0.113.7", "192.168.1.10"]),
            ip("203.0.113.7")
        );
        // A peer that is not a trusted proxy is the client, whatever it claims.
        assert_eq!(client("198.51.100.1", &["203.0.113.7"]), ip("198.51.100.1"));
        // Ports and IPv6 brackets; garbage ends the chain.
        assert_eq!(
            client("10.0.0.1", &["[2001:db8::1]:443"]),
            ip("2001:db8::1")
        );
        assert_eq!(client("10.0.0.1", &["203.0.113.7:80"]), ip("203.0.113.7"));
        assert_eq!(client("10.0.0.1", &["6.6.6.6, nonsense"]), ip("10.0.0.1"));
        assert_eq!(
            client("::ffff:10.0.0.1", &["203.0.113.7"]),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(TrustedProxies::parse(&["10.0.0.0/33".to_owned()]).is_err());
        assert!(TrustedProxies::parse(&["proxy.local".to_owned()]).is_err());
    }
}
