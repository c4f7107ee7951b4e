//! Which address a request comes from, behind reverse proxies that the
//! configuration names (`trusted_proxies`).
//!
//! Without trusted proxies the address is the socket's peer, whatever
//! headers say: anyone can write `X-Forwarded-For`. With them, a request
//! whose peer is a trusted proxy takes its address from
//! `X-Forwarded-For`, read from the right (the entry the nearest proxy
//! added) past every trusted proxy: the first address that is not one of
//! them is the client. An address the client wrote itself at the left end
//! is never reached while a proxy it does not control stands between.

use std::net::IpAddr;

/// An address or a network (`10.0.0.0/8`, `::1`, `192.0.2.7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Reads `ADDR` or `ADDR/PREFIX`; the error says what is wrong.
    pub fn parse(s: &str) -> Result<Network, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{s}` is not an IP address or network (e.g. `10.0.0.0/8`)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => {
                    return Err(format!(
                        "`{s}`: the prefix must be a number from 0 to {max}"
                    ));
                }
            },
        };
        Ok(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 peer may arrive mapped into IPv6 (`::ffff:a.b.c.d`).
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let bits = |a: IpAddr| -> u128 {
            match a {
                IpAddr::V4(v) => u128::from(u32::from(v)),
                IpAddr::V6(v) => u128::from(v),
            }
        };
        if self.addr.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        let width: u32 = if ip.is_ipv4() { 32 } else { 128 };
        let shift = width.saturating_sub(u32::from(self.prefix));
        let mask = if shift >= 128 {
            0
        } else {
            (u128::MAX << shift) & (u128::MAX >> (128 - width))
        };
        bits(self.addr) & mask == bits(ip) & mask
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy,
/// the nearest untrusted address of `X-Forwarded-For`.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[Network],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            // A hop that is not an address: stop at the last one known.
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_contain_their_addresses() {
        let n = Network::parse("10.0.0.0/8").unwrap();
        assert!(n.contains(ip("10.1.2.3")));
        assert!(!n.contains(ip("11.0.0.1")));
        assert!(n.contains(ip("::ffff:10.9.9.9")), "mapped IPv4");
        assert!(Network::parse("::1").unwrap().contains(ip("::1")));
        assert!(!Network::parse("::1").unwrap().contains(ip("127.0.0.1")));
        assert!(Network::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Network::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(
            Network::parse("10.0.0.0/33")
                .unwrap_err()
                .contains("0 to 32")
        );
        assert!(
            Network::parse("proxy.local")
                .unwrap_err()
                .contains("not an IP")
        );
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop() {
        let trusted = [Network::parse("10.0.0.0/8").unwrap()];
        let peer = ip("10.0.0.5");
        assert_eq!(
            client_ip(peer, ["203.0.113.9, 10.0.0.7"].into_iter(), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(peer, ["1.1.1.1, 203.0.113.9"].into_iter(), &trusted),
            ip("203.0.113.9"),
            "what the client wrote at the left is not believed"
        );
        assert_eq!(
            client_ip(ip("198.51.100.1"), ["1.1.1.1"].into_iter(), &trusted),
            ip("198.51.100.1"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(client_ip(peer, std::iter::empty(), &trusted), peer);
        assert_eq!(client_ip(peer, ["junk"].into_iter(), &trusted), peer);
        assert_eq!(client_ip(peer, ["10.0.0.1"].into_iter(), &[]), peer);
    }
}
