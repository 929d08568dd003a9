//! Mail-format helpers (stdlib.md §11): pure parsing of envelope addresses and header values.

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::{Array, Key, Value};

fn record(pairs: &[(&str, Value)]) -> Value {
    Value::Array(Array::from_pairs(pairs.iter().map(|(k, v)| (Key::Str((*k).into()), v.clone()))))
}

/// Splits `local@domain` at the last `@` outside quotes; unquotes the local part.
fn split_address(text: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let text = text.strip_prefix(b"<").and_then(|t| t.strip_suffix(b">")).unwrap_or(text);
    let mut quoted = false;
    let mut escaped = false;
    let mut at = None;
    for (index, &byte) in text.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match byte {
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b'@' if !quoted => at = Some(index),
            _ => {}
        }
    }
    if quoted {
        return None;
    }
    let at = at?;
    let (local, domain) = (&text[..at], &text[at + 1..]);
    if domain.is_empty() || domain.iter().any(|b| b.is_ascii_whitespace() || *b == b'@' || *b == b'<' || *b == b'>') {
        return None;
    }
    let local = if local.first() == Some(&b'"') && local.last() == Some(&b'"') && local.len() >= 2 {
        let mut out = Vec::new();
        let mut escaped = false;
        for &byte in &local[1..local.len() - 1] {
            if escaped || byte != b'\\' {
                out.push(byte);
                escaped = false;
            } else {
                escaped = true;
            }
        }
        out
    } else {
        if local.is_empty() || local.iter().any(|b| b.is_ascii_whitespace() || b"\"(),:;<>@[\\]".contains(b)) {
            return None;
        }
        local.to_vec()
    };
    Some((local, domain.to_vec()))
}

fn envelope_address_parse(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(match split_address(args.bytes(0)?) {
        Some((local, domain)) => record(&[("localpart", Value::from(local)), ("domain", Value::from(domain))]),
        None => Value::None,
    })
}

/// Whether a local part is a dot-atom (RFC 5321) and needs no quotes.
fn is_dot_atom(local: &[u8]) -> bool {
    let atext = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(b) || *b >= 0x80;
    !local.is_empty() && local.split(|b| *b == b'.').all(|part| !part.is_empty() && part.iter().all(atext))
}

fn quote(text: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &byte in text {
        if byte == b'"' || byte == b'\\' {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b'"');
    out
}

fn envelope_localpart_escape(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let local = args.bytes(0)?;
    Ok(Value::from(if is_dot_atom(local) { local.to_vec() } else { quote(local) }))
}

/// One mailbox of an address list.
struct Mailbox {
    name: Vec<u8>,
    address: Vec<u8>,
}

/// Parses an RFC 5322 address list: display names (quoted or not), `<angle addresses>`, bare addresses,
/// comments and groups. `None` when the text is not a list of addresses.
fn address_list(text: &[u8]) -> Option<Vec<Mailbox>> {
    let mut out = Vec::new();
    let mut phrase: Vec<u8> = Vec::new();
    let mut comment_name: Vec<u8> = Vec::new();
    let mut index = 0;
    let mut in_group = false;
    let flush = |phrase: &mut Vec<u8>, comment: &mut Vec<u8>, out: &mut Vec<Mailbox>| -> Option<()> {
        let bare = String::from_utf8_lossy(phrase).trim().to_string();
        phrase.clear();
        if bare.is_empty() {
            comment.clear();
            return Some(());
        }
        let (local, domain) = split_address(bare.as_bytes())?;
        let mut address = local;
        address.push(b'@');
        address.extend_from_slice(&domain);
        let name = String::from_utf8_lossy(comment).trim().as_bytes().to_vec();
        comment.clear();
        out.push(Mailbox { name, address });
        Some(())
    };
    while index < text.len() {
        match text[index] {
            b'"' => {
                let mut end = index + 1;
                let mut value = Vec::new();
                while end < text.len() && text[end] != b'"' {
                    if text[end] == b'\\' && end + 1 < text.len() {
                        end += 1;
                    }
                    value.push(text[end]);
                    end += 1;
                }
                if end >= text.len() {
                    return None;
                }
                // A quoted local part stays quoted; a quoted display name loses its quotes.
                if text.get(end + 1) == Some(&b'@') {
                    phrase.extend_from_slice(&text[index..=end]);
                } else {
                    phrase.extend_from_slice(&value);
                }
                index = end + 1;
            }
            b'(' => {
                let mut depth = 0;
                let start = index;
                while index < text.len() {
                    match text[index] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    index += 1;
                }
                if index >= text.len() {
                    return None;
                }
                comment_name = text[start + 1..index].to_vec();
                index += 1;
            }
            b'<' => {
                let end = text[index..].iter().position(|b| *b == b'>')? + index;
                let (local, domain) = split_address(&text[index + 1..end])?;
                let mut address = local;
                address.push(b'@');
                address.extend_from_slice(&domain);
                let name = String::from_utf8_lossy(&phrase).trim().as_bytes().to_vec();
                phrase.clear();
                comment_name.clear();
                out.push(Mailbox { name, address });
                index = end + 1;
            }
            b':' if !in_group => {
                phrase.clear();
                in_group = true;
                index += 1;
            }
            b';' if in_group => {
                flush(&mut phrase, &mut comment_name, &mut out)?;
                in_group = false;
                index += 1;
            }
            b',' => {
                flush(&mut phrase, &mut comment_name, &mut out)?;
                index += 1;
            }
            byte => {
                phrase.push(byte);
                index += 1;
            }
        }
    }
    flush(&mut phrase, &mut comment_name, &mut out)?;
    Some(out)
}

fn strip_field(value: &[u8], field: bool) -> &[u8] {
    if !field {
        return value;
    }
    match value.iter().position(|b| *b == b':') {
        Some(colon) => &value[colon + 1..],
        None => value,
    }
}

fn unfold(value: &[u8]) -> Vec<u8> {
    value.iter().map(|b| if *b == b'\r' || *b == b'\n' { b' ' } else { *b }).collect()
}

fn header_addresslist_extract(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let options = args.options(1, &["field", "name"])?;
    let value = unfold(strip_field(args.bytes(0)?, options.boolean("field", false)?));
    let with_names = options.boolean("name", false)?;
    let Some(list) = address_list(&value) else { return Ok(Value::None) };
    Ok(Value::Array(Array::from_values(list.into_iter().map(|mailbox| {
        if with_names {
            record(&[("name", Value::from(mailbox.name)), ("address", Value::from(mailbox.address))])
        } else {
            Value::from(mailbox.address)
        }
    }))))
}

fn header_addresslist_compile(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let list = args.array(0)?;
    let mut parts = Vec::new();
    for item in list.values() {
        let (name, address) = match item {
            Value::String(address) => (Vec::new(), address.as_bytes().to_vec()),
            Value::Array(entry) => {
                let get = |key: &str| match entry.get(crate::value::KeyRef::Str(key.as_bytes())) {
                    Some(Value::String(text)) => Some(text.as_bytes().to_vec()),
                    _ => None,
                };
                match get("address") {
                    Some(address) => (get("name").unwrap_or_default(), address),
                    None => return Err(args.value_error("each entry needs an \"address\"")),
                }
            }
            _ => return Err(args.type_error(0, "an array of addresses or [\"name\" => …, \"address\" => …] entries")),
        };
        let mut part = Vec::new();
        if name.is_empty() {
            part.extend_from_slice(&address);
        } else {
            let plain = name.iter().all(|b| b.is_ascii_alphanumeric() || b" !#$%&'*+-/=?^_`{|}~".contains(b));
            part.extend_from_slice(&if plain { name } else { quote(&name) });
            part.extend_from_slice(b" <");
            part.extend_from_slice(&address);
            part.push(b'>');
        }
        parts.push(part);
    }
    Ok(Value::from(parts.join(&b", "[..])))
}

/// `tag=value; tag=value` (DKIM-Signature, ARC, DMARC records), whitespace removed; none on error.
fn header_dkim_decode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let options = args.options(1, &["field"])?;
    let value = unfold(strip_field(args.bytes(0)?, options.boolean("field", false)?));
    let mut out = Array::new();
    for part in value.split(|b| *b == b';') {
        if part.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Some(equals) = part.iter().position(|b| *b == b'=') else { return Ok(Value::None) };
        let tag: Vec<u8> = part[..equals].iter().filter(|b| !b.is_ascii_whitespace()).copied().collect();
        if tag.is_empty() || !tag.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            return Ok(Value::None);
        }
        let value: Vec<u8> = part[equals + 1..].iter().filter(|b| !b.is_ascii_whitespace()).copied().collect();
        // RFC 6376 §3.2: a tag name that occurs twice makes the whole tag-list invalid.
        let key = Key::from_str_key(tag.into());
        if out.contains_key(key.as_ref()) {
            return Ok(Value::None);
        }
        out.make_mut().insert(key, Value::from(value));
    }
    Ok(Value::Array(out))
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "envelope_address_parse",
        signature: "envelope_address_parse(string addr) → array|none",
        summary: "Splits an envelope address into localpart and domain; none on error.",
        example: "echo envelope_address_parse(\"a@example.com\")[\"domain\"]; // example.com",
        min: 1,
        max: 1,
        func: envelope_address_parse,
    },
    NativeDef {
        name: "envelope_localpart_escape",
        signature: "envelope_localpart_escape(string lp) → string",
        summary: "Quotes a local part when it is not a plain dot-atom.",
        example: "echo envelope_localpart_escape(\"a b\"); // \"a b\"",
        min: 1,
        max: 1,
        func: envelope_localpart_escape,
    },
    NativeDef {
        name: "header_addresslist_extract",
        signature: "header_addresslist_extract(string value, array? options) → array|none",
        summary: "The addresses of an address-list header value (options field, name).",
        example: "echo header_addresslist_extract(\"Ann <a@x.example>, b@y.example\");",
        min: 1,
        max: 2,
        func: header_addresslist_extract,
    },
    NativeDef {
        name: "header_addresslist_compile",
        signature: "header_addresslist_compile(array list) → string",
        summary: "Formats addresses or [\"name\" => …, \"address\" => …] entries into a header value.",
        example: "echo header_addresslist_compile([[\"name\" => \"Ann\", \"address\" => \"a@x.example\"]]);",
        min: 1,
        max: 1,
        func: header_addresslist_compile,
    },
    NativeDef {
        name: "header_dkim_decode",
        signature: "header_dkim_decode(string value, array? options) → array|none",
        summary: "Parses a tag=value; list (DKIM style); none on error. Option field.",
        example: "echo header_dkim_decode(\"v=1; d=example.com\")[\"d\"]; // example.com",
        min: 1,
        max: 2,
        func: header_dkim_decode,
    },
];

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::call;
    use crate::value::{Array, Key, Value};

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    fn show(name: &str, args: &[Value]) -> String {
        call(name, args).unwrap().to_display_string()
    }

    #[test]
    fn envelope_addresses() {
        assert_eq!(
            show("envelope_address_parse", &[s("user@example.com")]),
            r#"["localpart"=>"user","domain"=>"example.com"]"#
        );
        assert_eq!(
            show("envelope_address_parse", &[s("\"a b\"@example.com")]),
            r#"["localpart"=>"a b","domain"=>"example.com"]"#
        );
        assert_eq!(
            show("envelope_address_parse", &[s("<x@y.example>")]),
            r#"["localpart"=>"x","domain"=>"y.example"]"#
        );
        assert!(call("envelope_address_parse", &[s("no-at-sign")]).unwrap().is_none());
        assert!(call("envelope_address_parse", &[s("a b@example.com")]).unwrap().is_none());
        assert_eq!(show("envelope_localpart_escape", &[s("first.last")]), "first.last");
        assert_eq!(show("envelope_localpart_escape", &[s("a b")]), "\"a b\"");
        assert_eq!(show("envelope_localpart_escape", &[s("a\"b")]), "\"a\\\"b\"");
    }

    #[test]
    fn address_lists() {
        let value = s("\"Doe, Jane\" <jane@example.com>, bob@example.org (Bob), Team: c@x.example, d@y.example;");
        assert_eq!(
            show("header_addresslist_extract", std::slice::from_ref(&value)),
            r#"[0=>"jane@example.com",1=>"bob@example.org",2=>"c@x.example",3=>"d@y.example"]"#
        );
        let names = Value::Array(Array::from_pairs([(Key::Str("name".into()), Value::bool(true))]));
        let named = show("header_addresslist_extract", &[value, names]);
        assert!(named.starts_with(r#"[0=>["name"=>"Doe, Jane","address"=>"jane@example.com"],1=>["name"=>"Bob","address"=>"bob@example.org"]"#), "{named}");
        let field = Value::Array(Array::from_pairs([(Key::Str("field".into()), Value::bool(true))]));
        assert_eq!(show("header_addresslist_extract", &[s("To: a@b.example"), field]), r#"[0=>"a@b.example"]"#);
        assert!(call("header_addresslist_extract", &[s("not an address")]).unwrap().is_none());
        let list = Value::Array(Array::from_values([
            Value::Array(Array::from_pairs([
                (Key::Str("name".into()), s("Doe, Jane")),
                (Key::Str("address".into()), s("jane@example.com")),
            ])),
            s("bob@example.org"),
        ]));
        assert_eq!(show("header_addresslist_compile", &[list]), "\"Doe, Jane\" <jane@example.com>, bob@example.org");
    }

    #[test]
    fn dkim_tags() {
        let value = s("v=1; a=rsa-sha256; d=example.com;\r\n s=sel; b=abc\r\n def;");
        assert_eq!(
            show("header_dkim_decode", &[value]),
            r#"["v"=>"1","a"=>"rsa-sha256","d"=>"example.com","s"=>"sel","b"=>"abcdef"]"#
        );
        assert!(call("header_dkim_decode", &[s("v=1; broken")]).unwrap().is_none());
        assert!(call("header_dkim_decode", &[s("v=1; d=a.example; v=2")]).unwrap().is_none());
    }
}
