//! Network addresses and domains (stdlib.md §10).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::Value;

fn parse_ip(bytes: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(bytes).ok()?.trim().parse().ok()
}

fn as_u128(ip: IpAddr) -> (u128, u32) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    }
}

/// Whether `ip` is in `network`: CIDR, `a-b` range or one address. `None` when either does not parse.
fn includes(ip: &[u8], network: &[u8]) -> Option<bool> {
    let ip = parse_ip(ip)?;
    let network = std::str::from_utf8(network).ok()?.trim();
    let (value, bits) = as_u128(ip);
    if let Some((base, prefix)) = network.split_once('/') {
        let base: IpAddr = base.parse().ok()?;
        let prefix: u32 = prefix.parse().ok()?;
        let (base_value, base_bits) = as_u128(base);
        if prefix > base_bits {
            return None;
        }
        if base_bits != bits {
            return Some(false);
        }
        let mask = if prefix == 0 { 0 } else { (!0u128 << (128 - prefix)) >> (128 - base_bits) };
        return Some(value & mask == base_value & mask);
    }
    if let Some((low, high)) = network.split_once('-') {
        let (low, high): (IpAddr, IpAddr) = (low.trim().parse().ok()?, high.trim().parse().ok()?);
        let ((low, low_bits), (high, high_bits)) = (as_u128(low), as_u128(high));
        if low_bits != high_bits {
            return None;
        }
        return Some(low_bits == bits && (low..=high).contains(&value));
    }
    let single: IpAddr = network.parse().ok()?;
    Some(single == ip)
}

fn inet_includes(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(includes(args.bytes(0)?, args.bytes(1)?).map_or(Value::None, Value::bool))
}

fn inet_pton(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(match parse_ip(args.bytes(0)?) {
        Some(IpAddr::V4(v4)) => Value::from(v4.octets().to_vec()),
        Some(IpAddr::V6(v6)) => Value::from(v6.octets().to_vec()),
        None => Value::None,
    })
}

fn inet_ntop(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let bytes = args.bytes(0)?;
    Ok(if let Ok(octets) = <[u8; 4]>::try_from(bytes) {
        Value::from(Ipv4Addr::from(octets).to_string())
    } else if let Ok(octets) = <[u8; 16]>::try_from(bytes) {
        Value::from(Ipv6Addr::from(octets).to_string())
    } else {
        Value::None
    })
}

fn inet_reverse(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let Some(ip) = parse_ip(args.bytes(0)?) else { return Ok(Value::None) };
    let zone = args.opt_string(1)?.map(|z| z.to_str_lossy().trim_start_matches('.').to_string());
    let (labels, arpa) = match ip {
        IpAddr::V4(v4) => (v4.octets().iter().rev().map(u8::to_string).collect::<Vec<_>>(), "in-addr.arpa"),
        IpAddr::V6(v6) => (
            v6.octets().iter().rev().flat_map(|b| [format!("{:x}", b & 0xf), format!("{:x}", b >> 4)]).collect(),
            "ip6.arpa",
        ),
    };
    Ok(Value::from(format!("{}.{}", labels.join("."), zone.as_deref().unwrap_or(arpa))))
}

fn idna_encode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let Ok(text) = std::str::from_utf8(args.bytes(0)?) else { return Ok(Value::None) };
    Ok(idna::domain_to_ascii(text).map_or(Value::None, Value::from))
}

fn idna_decode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let Ok(text) = std::str::from_utf8(args.bytes(0)?) else { return Ok(Value::None) };
    let (decoded, result) = idna::domain_to_unicode(text);
    Ok(if result.is_ok() { Value::from(decoded) } else { Value::None })
}

/// `sub` equals `domain` or is below it; a leading `.` on `domain` matches proper subdomains only.
fn domain_includes(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let _ = args.options(2, &[])?;
    let sub = args.bytes(0)?.to_ascii_lowercase();
    let domain = args.bytes(1)?.to_ascii_lowercase();
    let sub = sub.strip_suffix(b".").unwrap_or(&sub);
    let domain = domain.strip_suffix(b".").unwrap_or(&domain);
    let result = if let Some(parent) = domain.strip_prefix(b".") {
        sub.len() > parent.len() + 1 && sub.ends_with(parent) && sub[sub.len() - parent.len() - 1] == b'.'
    } else {
        sub == domain
            || (sub.len() > domain.len() && sub.ends_with(domain) && sub[sub.len() - domain.len() - 1] == b'.')
    };
    Ok(Value::bool(result))
}

/// The public suffix (publicsuffix.org list, embedded by the `psl` crate); none without a known suffix.
fn domain_publicsuffix(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let domain = args.bytes(0)?.to_ascii_lowercase();
    let domain = domain.strip_suffix(b".").unwrap_or(&domain);
    Ok(match psl::suffix(domain) {
        Some(suffix) if suffix.is_known() => Value::from(suffix.as_bytes().to_vec()),
        _ => Value::None,
    })
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "domain_publicsuffix",
        signature: "domain_publicsuffix(string domain) → string|none",
        summary: "The public suffix of a domain; none when it has no known suffix.",
        example: "echo domain_publicsuffix(\"www.example.co.uk\"); // co.uk",
        min: 1,
        max: 1,
        func: domain_publicsuffix,
    },
    NativeDef {
        name: "inet_includes",
        signature: "inet_includes(string ip, string network) → boolean|none",
        summary: "Whether ip is in a CIDR network, an a-b range or equals an address; none on bad input.",
        example: "echo inet_includes(\"10.1.2.3\", \"10.0.0.0/8\"); // true",
        min: 2,
        max: 2,
        func: inet_includes,
    },
    NativeDef {
        name: "inet_pton",
        signature: "inet_pton(string ip) → string|none",
        summary: "Printable address to 4 or 16 raw bytes.",
        example: "echo length(inet_pton(\"::1\")); // 16",
        min: 1,
        max: 1,
        func: inet_pton,
    },
    NativeDef {
        name: "inet_ntop",
        signature: "inet_ntop(string bytes) → string|none",
        summary: "4 or 16 raw bytes to a printable address.",
        example: "echo inet_ntop(\"\\x7f\\x00\\x00\\x01\"); // 127.0.0.1",
        min: 1,
        max: 1,
        func: inet_ntop,
    },
    NativeDef {
        name: "inet_reverse",
        signature: "inet_reverse(string ip, string? zone) → string|none",
        summary: "The reverse-DNS name; a zone replaces the arpa suffix (DNSBL style).",
        example: "echo inet_reverse(\"192.0.2.5\"); // 5.2.0.192.in-addr.arpa",
        min: 1,
        max: 2,
        func: inet_reverse,
    },
    NativeDef {
        name: "idna_encode",
        signature: "idna_encode(string domain) → string|none",
        summary: "Unicode domain to punycode.",
        example: "echo idna_encode(\"bücher.example\"); // xn--bcher-kva.example",
        min: 1,
        max: 1,
        func: idna_encode,
    },
    NativeDef {
        name: "idna_decode",
        signature: "idna_decode(string domain) → string|none",
        summary: "Punycode domain to Unicode.",
        example: "echo idna_decode(\"xn--bcher-kva.example\");",
        min: 1,
        max: 1,
        func: idna_decode,
    },
    NativeDef {
        name: "domain_includes",
        signature: "domain_includes(string sub, string domain, array? options) → boolean",
        summary: "Whether sub equals domain or is below it (a leading dot matches only subdomains).",
        example: "echo domain_includes(\"mx.example.com\", \"example.com\"); // true",
        min: 2,
        max: 3,
        func: domain_includes,
    },
];

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::call;
    use crate::value::Value;

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn networks() {
        assert!(call("inet_includes", &[s("10.1.2.3"), s("10.0.0.0/8")]).unwrap().truthy());
        assert!(!call("inet_includes", &[s("11.1.2.3"), s("10.0.0.0/8")]).unwrap().truthy());
        assert!(call("inet_includes", &[s("2001:db8::1"), s("2001:db8::/32")]).unwrap().truthy());
        assert!(!call("inet_includes", &[s("10.0.0.1"), s("2001:db8::/32")]).unwrap().truthy());
        assert!(call("inet_includes", &[s("192.0.2.7"), s("192.0.2.1-192.0.2.9")]).unwrap().truthy());
        assert!(call("inet_includes", &[s("bad"), s("10.0.0.0/8")]).unwrap().is_none());
        assert!(call("inet_includes", &[s("0.0.0.1"), s("0.0.0.0/0")]).unwrap().truthy());
    }

    #[test]
    fn conversions() {
        assert_eq!(call("inet_ntop", &[call("inet_pton", &[s("::1")]).unwrap()]).unwrap().to_display_string(), "::1");
        assert_eq!(
            call("inet_reverse", &[s("192.0.2.5"), s("zen.example")]).unwrap().to_display_string(),
            "5.2.0.192.zen.example"
        );
        assert!(
            call("inet_reverse", &[s("2001:db8::1")])
                .unwrap()
                .to_display_string()
                .ends_with("8.b.d.0.1.0.0.2.ip6.arpa")
        );
        assert_eq!(call("idna_encode", &[s("bücher.example")]).unwrap().to_display_string(), "xn--bcher-kva.example");
        assert_eq!(call("idna_decode", &[s("xn--bcher-kva.example")]).unwrap().to_display_string(), "bücher.example");
    }

    #[test]
    fn public_suffixes() {
        assert_eq!(call("domain_publicsuffix", &[s("www.Example.co.uk")]).unwrap().to_display_string(), "co.uk");
        assert_eq!(call("domain_publicsuffix", &[s("example.com.")]).unwrap().to_display_string(), "com");
        assert!(call("domain_publicsuffix", &[s("example.notatld")]).unwrap().is_none());
    }

    #[test]
    fn domains() {
        assert!(call("domain_includes", &[s("mx.Example.com"), s("example.com")]).unwrap().truthy());
        assert!(call("domain_includes", &[s("example.com"), s("example.com")]).unwrap().truthy());
        assert!(!call("domain_includes", &[s("example.com"), s(".example.com")]).unwrap().truthy());
        assert!(!call("domain_includes", &[s("badexample.com"), s("example.com")]).unwrap().truthy());
    }
}
