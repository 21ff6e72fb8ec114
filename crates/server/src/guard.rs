//! Protection against other web pages: the API has no authentication, so a page from another origin
//! open in the same browser must not drive it. Requests carrying a foreign `Origin` are refused
//! (cross-site request forgery), and so are requests whose `Host` is a DNS name other than
//! `localhost` (DNS rebinding: an attacker's name resolving to 127.0.0.1).

use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

pub async fn same_origin_only(request: Request, next: Next) -> Response {
    match check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => ApiError::new(StatusCode::FORBIDDEN, refusal.to_string()).into_response(),
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum Refusal {
    #[error("Host {0:?} refused: open the server by its IP address or localhost")]
    Host(String),
    #[error("cross-origin request from {0:?} refused")]
    Origin(String),
}

fn check(headers: &HeaderMap) -> Result<(), Refusal> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(host) = host {
        if !is_local_or_ip(host) {
            return Err(Refusal::Host(host.to_string()));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let authority = origin.split_once("://").map_or("", |(_, a)| a);
        if Some(authority) != host {
            return Err(Refusal::Origin(origin.to_string()));
        }
    }
    Ok(())
}

/// `localhost`, an IPv4 address or a bracketed IPv6 address, with an optional port.
fn is_local_or_ip(host: &str) -> bool {
    if let Some(rest) = host.strip_prefix('[') {
        return rest
            .split_once(']')
            .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv6Addr>().is_ok());
    }
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: Option<&'static str>, origin: Option<&'static str>) -> HeaderMap {
        let mut map = HeaderMap::new();
        if let Some(h) = host {
            map.insert(header::HOST, HeaderValue::from_static(h));
        }
        if let Some(o) = origin {
            map.insert(header::ORIGIN, HeaderValue::from_static(o));
        }
        map
    }

    #[test]
    fn accepts_the_page_itself() {
        assert!(check(&headers(None, None)).is_ok());
        assert!(check(&headers(
            Some("127.0.0.1:8765"),
            Some("http://127.0.0.1:8765")
        ))
        .is_ok());
        assert!(check(&headers(Some("localhost:8765"), None)).is_ok());
        assert!(check(&headers(Some("[::1]:8765"), Some("http://[::1]:8765"))).is_ok());
        assert!(check(&headers(Some("10.0.0.5:8765"), None)).is_ok());
    }

    #[test]
    fn refuses_other_origins_and_rebound_names() {
        let origin = |o: &str| Err(Refusal::Origin(o.into()));
        let host = |h: &str| Err(Refusal::Host(h.into()));
        let local = Some("127.0.0.1:8765");
        let evil = "http://evil.example";
        assert_eq!(check(&headers(local, Some(evil))), origin(evil));
        assert_eq!(check(&headers(local, Some("null"))), origin("null"));
        assert_eq!(
            check(&headers(Some("evil.example:8765"), None)),
            host("evil.example:8765")
        );
        assert_eq!(
            check(&headers(Some("[evil]:8765"), None)),
            host("[evil]:8765")
        );
    }
}
