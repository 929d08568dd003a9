//! Encodings (stdlib.md §7): base64, base32, URLs, xtext, and binary pack/unpack.

use data_encoding::{BASE32, BASE64, BASE64URL, BASE64URL_NOPAD, Encoding};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::{Array, Key, Value};

fn encode_with(encoding: &Encoding, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::from(encoding.encode(args.bytes(0)?)))
}

fn decode_with(encodings: &[&Encoding], args: &Args<'_>) -> Fallible<Value> {
    let input = args.bytes(0)?;
    for encoding in encodings {
        if let Ok(bytes) = encoding.decode(input) {
            return Ok(Value::from(bytes));
        }
    }
    Err(args.value_error("the input is not valid"))
}

fn base64_encode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    encode_with(&BASE64, args)
}

fn base64_decode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    decode_with(&[&BASE64], args)
}

/// Q-LIB-9: URL-safe without padding; decoding accepts both.
fn base64url_encode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    encode_with(&BASE64URL_NOPAD, args)
}

fn base64url_decode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    decode_with(&[&BASE64URL_NOPAD, &BASE64URL], args)
}

fn base32_encode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    encode_with(&BASE32, args)
}

fn base32_decode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    decode_with(&[&BASE32], args)
}

/// RFC 3986: everything but the unreserved characters is percent-encoded.
const URL_RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

fn url_encode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::from(percent_encode(args.bytes(0)?, URL_RESERVED).to_string()))
}

fn url_decode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::from(percent_decode(args.bytes(0)?).collect::<Vec<u8>>()))
}

/// Q-LIB-10: keys scheme, username, password, hostname, port, path, query, fragment; absent parts left out.
fn url_parse(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let _ = args.options(1, &[])?;
    let Ok(text) = std::str::from_utf8(args.bytes(0)?) else { return Ok(Value::None) };
    let Ok(url) = url::Url::parse(text) else { return Ok(Value::None) };
    let mut out = Array::new();
    let data = out.make_mut();
    let mut put = |key: &str, value: Value| data.insert(Key::Str(key.into()), value);
    put("scheme", Value::from(url.scheme()));
    if !url.username().is_empty() {
        put("username", Value::from(url.username()));
    }
    if let Some(password) = url.password() {
        put("password", Value::from(password));
    }
    if let Some(host) = url.host_str() {
        put("hostname", Value::from(host.trim_start_matches('[').trim_end_matches(']')));
    }
    if let Some(port) = written_port(text, &url) {
        put("port", Value::number(f64::from(port)));
    }
    if !url.path().is_empty() {
        put("path", Value::from(url.path()));
    }
    if let Some(query) = url.query() {
        put("query", Value::from(query));
    }
    if let Some(fragment) = url.fragment() {
        put("fragment", Value::from(fragment));
    }
    Ok(Value::Array(out))
}

/// The port as written: the url crate drops a port equal to the scheme's default (`https://x:443/`), but
/// url_parse splits the URL as given, so an explicit port is never left out (stdlib.md §7).
fn written_port(text: &str, url: &url::Url) -> Option<u16> {
    url.port().or_else(|| {
        let default = url.port_or_known_default()?;
        let rest = text.split_once("://")?.1;
        let authority = rest.split(['/', '?', '#']).next()?;
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let after_host = host_port.rsplit_once(']').map_or(host_port, |(_, tail)| tail);
        let (_, digits) = after_host.rsplit_once(':')?;
        (digits.parse::<u16>().ok() == Some(default)).then_some(default)
    })
}

fn xtext_encode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let mut out = Vec::new();
    for &byte in args.bytes(0)? {
        if byte == b'+' || byte == b'=' || !(33..=126).contains(&byte) {
            out.extend_from_slice(format!("+{byte:02X}").as_bytes());
        } else {
            out.push(byte);
        }
    }
    Ok(Value::from(out))
}

fn xtext_decode(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let input = args.bytes(0)?;
    let mut out = Vec::with_capacity(input.len());
    let mut index = 0;
    while index < input.len() {
        if input[index] == b'+' {
            let hex = input.get(index + 1..index + 3).and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(byte) => out.push(byte),
                None => return Err(args.value_error("`+` must be followed by two hex digits")),
            }
            index += 3;
        } else {
            out.push(input[index]);
            index += 1;
        }
    }
    Ok(Value::from(out))
}

/// One `pack`/`unpack` directive: a code and a count (`None` = `*`).
fn directives(format: &[u8]) -> Option<Vec<(u8, Option<usize>)>> {
    let mut out = Vec::new();
    let mut index = 0;
    while index < format.len() {
        let code = format[index];
        if !b"aZHcCnvNVeEx".contains(&code) {
            return None;
        }
        index += 1;
        let count = if format.get(index) == Some(&b'*') {
            index += 1;
            None
        } else {
            let start = index;
            while index < format.len() && format[index].is_ascii_digit() {
                index += 1;
            }
            if start == index { Some(1) } else { std::str::from_utf8(&format[start..index]).ok()?.parse().ok() }
        };
        out.push((code, count));
    }
    Some(out)
}

fn pack(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let Some(directives) = directives(args.bytes(0)?) else { return Ok(Value::None) };
    let mut values = args.values()[1..].iter();
    let mut out = Vec::new();
    for (code, count) in directives {
        match code {
            b'a' | b'Z' | b'H' => {
                let Some(Value::String(text)) = values.next() else { return Ok(Value::None) };
                let bytes = text.as_bytes();
                if code == b'H' {
                    let digits = count.map_or(bytes.len(), |c| c.min(bytes.len()));
                    let mut hex = bytes[..digits].to_vec();
                    if hex.len() % 2 == 1 {
                        hex.push(b'0');
                    }
                    let Ok(decoded) = data_encoding::HEXLOWER_PERMISSIVE.decode(&hex) else { return Ok(Value::None) };
                    out.extend_from_slice(&decoded);
                } else {
                    let length = count.unwrap_or(bytes.len() + usize::from(code == b'Z'));
                    let mut field = bytes[..bytes.len().min(length)].to_vec();
                    field.resize(length, 0);
                    if code == b'Z' && length > 0 {
                        field[length - 1] = 0;
                    }
                    out.extend_from_slice(&field);
                }
            }
            b'x' => out.extend(std::iter::repeat_n(0u8, count.unwrap_or(1))),
            _ => {
                let repeat = count.unwrap_or(values.len());
                for _ in 0..repeat {
                    let Some(Value::Number(number)) = values.next() else { return Ok(Value::None) };
                    let number = number.get();
                    let integer = number as i64; // truncates (and saturates)
                    match code {
                        b'c' | b'C' => out.push(integer as u8),
                        b'n' => out.extend_from_slice(&(integer as u16).to_be_bytes()),
                        b'v' => out.extend_from_slice(&(integer as u16).to_le_bytes()),
                        b'N' => out.extend_from_slice(&(integer as u32).to_be_bytes()),
                        b'V' => out.extend_from_slice(&(integer as u32).to_le_bytes()),
                        b'e' => out.extend_from_slice(&number.to_le_bytes()),
                        _ => out.extend_from_slice(&number.to_be_bytes()),
                    }
                }
            }
        }
        ctx.check_string_size(out.len())?;
    }
    Ok(Value::from(out))
}

fn unpack(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let Some(directives) = directives(args.bytes(0)?) else { return Ok(Value::None) };
    let data = args.bytes(1)?;
    let offset = args.opt_number(2, 0.0)?;
    if offset < 0.0 || offset as usize > data.len() {
        return Ok(Value::None);
    }
    let mut position = offset as usize;
    let mut out = Vec::new();
    for (code, count) in directives {
        let rest = &data[position..];
        match code {
            b'a' | b'Z' => {
                let length = count.unwrap_or(rest.len());
                if length > rest.len() {
                    return Ok(Value::None);
                }
                let mut field = &rest[..length];
                if code == b'Z'
                    && let Some(end) = field.iter().position(|b| *b == 0)
                {
                    field = &field[..end];
                }
                out.push(Value::from(field.to_vec()));
                position += length;
            }
            b'H' => {
                let digits = count.unwrap_or(rest.len() * 2);
                let bytes = digits.div_ceil(2);
                if bytes > rest.len() {
                    return Ok(Value::None);
                }
                let mut hex = data_encoding::HEXLOWER.encode(&rest[..bytes]);
                hex.truncate(digits);
                out.push(Value::from(hex));
                position += bytes;
            }
            b'x' => position += count.unwrap_or(1).min(rest.len()),
            _ => {
                let width = match code {
                    b'c' | b'C' => 1,
                    b'n' | b'v' => 2,
                    b'N' | b'V' => 4,
                    _ => 8,
                };
                let repeat = count.unwrap_or(rest.len() / width);
                for index in 0..repeat {
                    let Some(bytes) = rest.get(index * width..(index + 1) * width) else { return Ok(Value::None) };
                    let number = match code {
                        b'c' => f64::from(bytes[0] as i8),
                        b'C' => f64::from(bytes[0]),
                        b'n' => f64::from(u16::from_be_bytes([bytes[0], bytes[1]])),
                        b'v' => f64::from(u16::from_le_bytes([bytes[0], bytes[1]])),
                        b'N' => f64::from(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])),
                        b'V' => f64::from(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])),
                        b'e' => f64::from_le_bytes(bytes.try_into().unwrap_or([0; 8])),
                        _ => f64::from_be_bytes(bytes.try_into().unwrap_or([0; 8])),
                    };
                    out.push(Value::number(number));
                }
                position += repeat * width;
            }
        }
    }
    Ok(Value::Array(Array::from_values(out)))
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "base64_encode",
        signature: "base64_encode(string s) → string",
        summary: "Standard base64 with padding.",
        example: "echo base64_encode(\"hi\"); // aGk=",
        min: 1,
        max: 1,
        func: base64_encode,
    },
    NativeDef {
        name: "base64_decode",
        signature: "base64_decode(string s) → string",
        summary: "Decodes standard base64; invalid input is an error.",
        example: "echo base64_decode(\"aGk=\"); // hi",
        min: 1,
        max: 1,
        func: base64_decode,
    },
    NativeDef {
        name: "base64url_encode",
        signature: "base64url_encode(string s) → string",
        summary: "URL-safe base64 without padding.",
        example: "echo base64url_encode(\"\\xff\\xfe\"); // __4",
        min: 1,
        max: 1,
        func: base64url_encode,
    },
    NativeDef {
        name: "base64url_decode",
        signature: "base64url_decode(string s) → string",
        summary: "Decodes URL-safe base64, padded or not.",
        example: "echo base64url_decode(\"aGk\"); // hi",
        min: 1,
        max: 1,
        func: base64url_decode,
    },
    NativeDef {
        name: "base32_encode",
        signature: "base32_encode(string s) → string",
        summary: "RFC 4648 base32.",
        example: "echo base32_encode(\"hi\"); // NBUQ====",
        min: 1,
        max: 1,
        func: base32_encode,
    },
    NativeDef {
        name: "base32_decode",
        signature: "base32_decode(string s) → string",
        summary: "RFC 4648 base32 decoding.",
        example: "echo base32_decode(\"NBUQ====\"); // hi",
        min: 1,
        max: 1,
        func: base32_decode,
    },
    NativeDef {
        name: "url_encode",
        signature: "url_encode(string s) → string",
        summary: "RFC 3986 percent-encoding (unreserved characters kept).",
        example: "echo url_encode(\"a b\"); // a%20b",
        min: 1,
        max: 1,
        func: url_encode,
    },
    NativeDef {
        name: "url_decode",
        signature: "url_decode(string s) → string",
        summary: "RFC 3986 percent-decoding.",
        example: "echo url_decode(\"a%20b\"); // a b",
        min: 1,
        max: 1,
        func: url_decode,
    },
    NativeDef {
        name: "url_parse",
        signature: "url_parse(string url, array? options) → array|none",
        summary: "Splits a URL into scheme, username, password, hostname, port, path, query, fragment.",
        example: "echo url_parse(\"https://x.example:8443/p?q\")[\"port\"]; // 8443",
        min: 1,
        max: 2,
        func: url_parse,
    },
    NativeDef {
        name: "xtext_encode",
        signature: "xtext_encode(string s) → string",
        summary: "RFC 1891 xtext.",
        example: "echo xtext_encode(\"a+b\"); // a+2Bb",
        min: 1,
        max: 1,
        func: xtext_encode,
    },
    NativeDef {
        name: "xtext_decode",
        signature: "xtext_decode(string s) → string",
        summary: "Decodes RFC 1891 xtext.",
        example: "echo xtext_decode(\"a+2Bb\"); // a+b",
        min: 1,
        max: 1,
        func: xtext_decode,
    },
    NativeDef {
        name: "pack",
        signature: "pack(string format, any ...args) → string|none",
        summary: "Binary packing (codes a Z H c C n v N V e E x, each with a count or *).",
        example: "echo pack(\"n\", 258); // \"\\x01\\x02\"",
        min: 1,
        max: crate::module::VARIADIC,
        func: pack,
    },
    NativeDef {
        name: "unpack",
        signature: "unpack(string format, string data, number offset = 0) → array|none",
        summary: "Binary unpacking into a list of values.",
        example: "echo unpack(\"H*\", \"\\x01\\xab\")[0]; // 01ab",
        min: 2,
        max: 3,
        func: unpack,
    },
];

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::stdlib::testing::{call, error_kind};
    use crate::value::Value;

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    fn show(name: &str, args: &[Value]) -> String {
        call(name, args).unwrap().to_display_string()
    }

    #[test]
    fn base64_family() {
        assert_eq!(show("base64_encode", &[s("hi")]), "aGk=");
        assert_eq!(show("base64_decode", &[s("aGk=")]), "hi");
        assert_eq!(error_kind(call("base64_decode", &[s("a*")])), ErrorKind::Value);
        assert_eq!(show("base64url_encode", &[Value::from(vec![0xff, 0xfe])]), "__4");
        assert_eq!(show("base64url_decode", &[s("aGk=")]), "hi");
        assert_eq!(show("base32_decode", &[s("NBUQ====")]), "hi");
    }

    #[test]
    fn urls_and_xtext() {
        assert_eq!(show("url_encode", &[s("a b/é~")]), "a%20b%2F%C3%A9~");
        assert_eq!(show("url_decode", &[s("a%20b")]), "a b");
        assert_eq!(
            show("url_parse", &[s("https://u:p@x.example:8443/p?q=1#f")]),
            r#"["scheme"=>"https","username"=>"u","password"=>"p","hostname"=>"x.example","port"=>8443,"path"=>"/p","query"=>"q=1","fragment"=>"f"]"#
        );
        assert!(call("url_parse", &[s("not a url")]).unwrap().is_none());
        // an explicit default port is kept; none written, none reported
        assert_eq!(
            show("url_parse", &[s("https://u@[::1]:443/")]),
            r#"["scheme"=>"https","username"=>"u","hostname"=>"::1","port"=>443,"path"=>"/"]"#
        );
        assert_eq!(
            show("url_parse", &[s("http://x.example/a:80")]),
            r#"["scheme"=>"http","hostname"=>"x.example","path"=>"/a:80"]"#
        );
        assert_eq!(show("xtext_encode", &[s("a+b=c d")]), "a+2Bb+3Dc+20d");
        assert_eq!(show("xtext_decode", &[s("a+2Bb")]), "a+b");
    }

    #[test]
    fn pack_round_trips() {
        let packed = call("pack", &[s("nCa3Z*"), Value::number(258.0), Value::number(7.0), s("ab"), s("zz")]).unwrap();
        assert_eq!(packed.as_str().unwrap().as_bytes(), b"\x01\x02\x07ab\0zz\0");
        assert_eq!(show("unpack", &[s("nCa3Z*"), packed]), r#"[0=>258,1=>7,2=>"ab\0",3=>"zz"]"#.replace("\\0", "\0"));
        assert_eq!(show("unpack", &[s("H*"), Value::from(vec![0x01, 0xab])]), r#"[0=>"01ab"]"#);
        assert_eq!(show("unpack", &[s("CC"), Value::from(vec![1, 2, 3]), Value::number(1.0)]), "[0=>2,1=>3]");
        assert!(call("unpack", &[s("N"), s("ab")]).unwrap().is_none());
        assert!(call("pack", &[s("q"), Value::number(1.0)]).unwrap().is_none());
    }
}
