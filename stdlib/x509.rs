//! The `X509` class (stdlib.md §13.1) on x509-parser. Objects and `X509Resource`s keep the DER bytes; each
//! method parses them again, which keeps values small and `Send + Sync`.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::objects::{oid_registry, oid2sn};
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use crate::error::{ErrorKind, Fallible, RuntimeError};
use crate::module::{Args, NativeClass, NativeCtx, NativeDef, NativeMethodDef};
use crate::value::{Array, Key, Object, Resource, Value};

/// The DER of one certificate.
#[derive(Clone, Debug)]
pub struct X509Der(pub Vec<u8>);

/// The resource type name scripts see.
pub const RESOURCE_NAME: &str = "X509Resource";

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    X509Certificate::from_der(der).map(|(_, cert)| cert).map_err(|error| error.to_string())
}

/// Every certificate in PEM text.
fn pem_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(pem) {
        let block = block.map_err(|error| error.to_string())?;
        if block.label == "CERTIFICATE" {
            parse(&block.contents)?;
            out.push(block.contents);
        }
    }
    if out.is_empty() {
        return Err("no CERTIFICATE block found".into());
    }
    Ok(out)
}

/// An `X509Resource` from PEM text (used by fixtures for `$connection["tls"]["peercert"]["x509"]`).
pub fn x509_resource_from_pem(pem: &[u8]) -> Result<Value, String> {
    let der = pem_certificates(pem)?.remove(0);
    Ok(Value::Resource(Resource::new(RESOURCE_NAME, X509Der(der))))
}

/// An `X509Resource` from DER bytes.
pub fn x509_resource_from_der(der: &[u8]) -> Result<Value, String> {
    parse(der)?;
    Ok(Value::Resource(Resource::new(RESOURCE_NAME, X509Der(der.to_vec()))))
}

/// An `X509` object from DER bytes (data imports of `.crt` files).
pub fn certificate_value(der: &[u8]) -> Result<Value, String> {
    parse(der)?;
    Ok(object(der.to_vec()))
}

fn object(der: Vec<u8>) -> Value {
    Value::Object(Object::native(&X509_CLASS, X509Der(der)))
}

fn der_of(object: &Object) -> Fallible<&[u8]> {
    object
        .native_state::<X509Der>()
        .map(|der| der.0.as_slice())
        .ok_or_else(|| RuntimeError::new(ErrorKind::Type, "not an X509 object").into())
}

fn certificate(object: &Object) -> Fallible<X509Certificate<'_>> {
    parse(der_of(object)?).map_err(|error| RuntimeError::new(ErrorKind::Value, format!("X509: {error}")).into())
}

fn construct(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    match args.any(0) {
        Value::Resource(resource) => match resource.downcast::<X509Der>() {
            Some(der) => Ok(object(der.0.clone())),
            None => Err(args.type_error(0, "an X509Resource")),
        },
        _ => Err(args.type_error(0, "an X509Resource")),
    }
}

/// `X509::String(data, options)`: DER by default, `pem: true` for PEM text, `multiple: true` for a list;
/// none when the data does not parse (Q-X509-3).
fn from_string(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    // Errors name the function as scripts call it (`X509::String`), not by its bare static name.
    let args = &Args::new(args.values(), "X509::String", X509_CLASS.statics[0].signature);
    let data = args.bytes(0)?;
    let options = args.options(1, &["pem", "multiple"])?;
    let (pem, multiple) = (options.boolean("pem", false)?, options.boolean("multiple", false)?);
    let ders = if pem {
        match pem_certificates(data) {
            Ok(ders) => ders,
            Err(_) => return Ok(Value::None),
        }
    } else {
        // Q-X509-3: any parse failure, trailing bytes after the certificate included, gives none.
        match X509Certificate::from_der(data) {
            Ok(([], _)) => vec![data.to_vec()],
            _ => return Ok(Value::None),
        }
    };
    if multiple {
        return Ok(Value::Array(Array::from_values(ders.into_iter().map(object))));
    }
    Ok(ders.into_iter().next().map_or(Value::None, object))
}

/// OpenSSL's short names for distinguished-name attributes.
fn attribute_short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "serialNumber",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "GN",
        "2.5.4.12" => "title",
        "2.5.4.17" => "postalCode",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

fn name_pairs(name: &X509Name<'_>) -> Value {
    let mut pairs = Vec::new();
    for rdn in name.iter_rdn() {
        for attribute in rdn.iter() {
            let oid = attribute.attr_type();
            let dotted = oid.to_id_string();
            let short = attribute_short_name(&dotted)
                .map(str::to_string)
                .or_else(|| oid2sn(oid, oid_registry()).ok().map(str::to_string))
                .unwrap_or(dotted);
            let value = attribute
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|_| String::from_utf8_lossy(attribute.attr_value().data).into_owned());
            pairs.push(Value::Array(Array::from_values([Value::from(short), Value::from(value)])));
        }
    }
    Value::Array(Array::from_values(pairs))
}

fn subject(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(name_pairs(certificate(object)?.subject()))
}

fn issuer(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(name_pairs(certificate(object)?.issuer()))
}

/// Q-X509-1: keyed by type; `DNS` always present, `IP`, `email`, `URI` when such entries exist.
fn subject_alt_name(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    let cert = certificate(object)?;
    let (mut dns, mut ip, mut email, mut uri) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(text) => dns.push(Value::from(*text)),
                GeneralName::RFC822Name(text) => email.push(Value::from(*text)),
                GeneralName::URI(text) => uri.push(Value::from(*text)),
                GeneralName::IPAddress(bytes) => {
                    let text = match bytes.len() {
                        4 => <[u8; 4]>::try_from(*bytes).map(|o| std::net::Ipv4Addr::from(o).to_string()).ok(),
                        16 => <[u8; 16]>::try_from(*bytes).map(|o| std::net::Ipv6Addr::from(o).to_string()).ok(),
                        _ => None,
                    };
                    ip.extend(text.map(Value::from));
                }
                _ => {}
            }
        }
    }
    let mut out = vec![(Key::Str("DNS".into()), Value::Array(Array::from_values(dns)))];
    for (key, list) in [("IP", ip), ("email", email), ("URI", uri)] {
        if !list.is_empty() {
            out.push((Key::Str(key.into()), Value::Array(Array::from_values(list))));
        }
    }
    Ok(Value::Array(Array::from_pairs(out)))
}

fn version(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(Value::number(f64::from(certificate(object)?.version().0 + 1)))
}

/// Q-X509-2: upper-case hex without leading zeros.
fn serial_number(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    let cert = certificate(object)?;
    let hex = data_encoding::HEXUPPER.encode(cert.raw_serial());
    let trimmed = hex.trim_start_matches('0');
    Ok(Value::from(if trimmed.is_empty() { "0" } else { trimmed }))
}

fn not_valid_before(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(Value::number(certificate(object)?.validity().not_before.timestamp() as f64))
}

fn not_valid_after(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(Value::number(certificate(object)?.validity().not_after.timestamp() as f64))
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let body = data_encoding::BASE64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn der_or_pem(args: &Args<'_>, label: &str, der: &[u8]) -> Fallible<Value> {
    let options = args.options(0, &["pem"])?;
    Ok(if options.boolean("pem", false)? { Value::from(pem_encode(label, der)) } else { Value::from(der.to_vec()) })
}

fn public_key(_: &mut NativeCtx<'_>, object: &Object, args: &Args<'_>) -> Fallible<Value> {
    let cert = certificate(object)?;
    der_or_pem(args, "PUBLIC KEY", cert.public_key().raw)
}

fn export(_: &mut NativeCtx<'_>, object: &Object, args: &Args<'_>) -> Fallible<Value> {
    der_or_pem(args, "CERTIFICATE", der_of(object)?)
}

fn extensions(_: &mut NativeCtx<'_>, object: &Object, args: &Args<'_>) -> Fallible<Value> {
    let _ = args.options(0, &[])?;
    let cert = certificate(object)?;
    let list = cert.extensions().iter().map(|extension| {
        let name =
            oid2sn(&extension.oid, oid_registry()).map(str::to_string).unwrap_or_else(|_| extension.oid.to_id_string());
        Value::Array(Array::from_pairs([
            (Key::Str("name".into()), Value::from(name)),
            (Key::Str("oid".into()), Value::from(extension.oid.to_id_string())),
            (Key::Str("critical".into()), Value::bool(extension.critical)),
            (Key::Str("value".into()), Value::from(extension.value.to_vec())),
        ]))
    });
    Ok(Value::Array(Array::from_values(list)))
}

fn ders_of(args: &Args<'_>, index: usize) -> Fallible<Vec<Vec<u8>>> {
    let Some(value) = args.get(index) else { return Ok(Vec::new()) };
    let Value::Array(list) = value else { return Err(args.type_error(index, "an array of X509 objects")) };
    list.values()
        .map(|item| match item {
            Value::Object(object) if object.is_native(&X509_CLASS) => Ok(der_of(object)?.to_vec()),
            Value::Resource(resource) => resource
                .downcast::<X509Der>()
                .map(|der| der.0.clone())
                .ok_or_else(|| args.type_error(index, "X509 objects")),
            _ => Err(args.type_error(index, "an array of X509 objects")),
        })
        .collect()
}

fn verdict(ok: bool, error: Option<String>) -> Value {
    let mut pairs = vec![(Key::Str("result".into()), Value::bool(ok))];
    if let Some(error) = error {
        pairs.push((Key::Str("error".into()), Value::from(error)));
    }
    Value::Array(Array::from_pairs(pairs))
}

/// Walks issuer links (by name, checking signatures and validity at the run's time) up to a trusted CA.
fn verify(ctx: &mut NativeCtx<'_>, object: &Object, args: &Args<'_>) -> Fallible<Value> {
    let trusted = ders_of(args, 0)?;
    let intermediates = ders_of(args, 1)?;
    let now = ctx.now() as i64;
    let mut current = der_of(object)?.to_vec();
    for _ in 0..10 {
        let cert = match parse(&current) {
            Ok(cert) => cert,
            Err(error) => return Ok(verdict(false, Some(error))),
        };
        let validity = cert.validity();
        if now < validity.not_before.timestamp() || now > validity.not_after.timestamp() {
            return Ok(verdict(false, Some("certificate is not valid at this time".into())));
        }
        let issuer_raw = cert.issuer().as_raw();
        let find = |pool: &[Vec<u8>]| {
            pool.iter()
                .find(|der| parse(der).is_ok_and(|candidate| candidate.subject().as_raw() == issuer_raw))
                .cloned()
        };
        if let Some(ca) = find(&trusted) {
            let ok = parse(&ca).is_ok_and(|ca| cert.verify_signature(Some(ca.public_key())).is_ok());
            return Ok(if ok {
                verdict(true, None)
            } else {
                verdict(false, Some("certificate signature failure".into()))
            });
        }
        match find(&intermediates) {
            Some(next) if next != current => {
                let ok = parse(&next).is_ok_and(|issuer| cert.verify_signature(Some(issuer.public_key())).is_ok());
                if !ok {
                    return Ok(verdict(false, Some("certificate signature failure".into())));
                }
                current = next;
            }
            _ => return Ok(verdict(false, Some("unable to get local issuer certificate".into()))),
        }
    }
    Ok(verdict(false, Some("certificate chain too long".into())))
}

fn to_resource(_: &mut NativeCtx<'_>, object: &Object, _: &Args<'_>) -> Fallible<Value> {
    Ok(Value::Resource(Resource::new(RESOURCE_NAME, X509Der(der_of(object)?.to_vec()))))
}

fn to_ffi_value(_: &mut NativeCtx<'_>, _: &Object, _: &Args<'_>) -> Fallible<Value> {
    Err(RuntimeError::new(
        ErrorKind::NotAvailable,
        "X509->toFFIValue() is not available in this environment (it needs FFI)",
    )
    .into())
}

macro_rules! method {
    ($name:literal, $signature:literal, $summary:literal, $min:literal, $max:literal, $func:ident) => {
        NativeMethodDef { name: $name, signature: $signature, summary: $summary, min: $min, max: $max, func: $func }
    };
}

/// The `X509` class.
pub static X509_CLASS: NativeClass = NativeClass {
    name: "X509",
    summary: "An X.509 certificate: subject, issuer, SANs, validity, keys, extensions, chain verification.",
    constructor: Some(NativeDef {
        name: "X509",
        signature: "X509(X509Resource r) → X509",
        summary: "Wraps a certificate resource.",
        example: "$cert = X509($connection[\"tls\"][\"peercert\"][\"x509\"]);",
        min: 1,
        max: 1,
        func: construct,
    }),
    methods: &[
        method!("subject", "subject() → array", "The subject as a list of [name, value] pairs.", 0, 0, subject),
        method!("issuer", "issuer() → array", "The issuer as a list of [name, value] pairs.", 0, 0, issuer),
        method!(
            "subject_alt_name",
            "subject_alt_name() → array",
            "Subject alternative names by type (DNS, IP, email, URI).",
            0,
            0,
            subject_alt_name
        ),
        method!("version", "version() → number", "The certificate version (3 for v3).", 0, 0, version),
        method!(
            "serial_number",
            "serial_number() → string",
            "The serial number as upper-case hex.",
            0,
            0,
            serial_number
        ),
        method!(
            "not_valid_before",
            "not_valid_before() → number",
            "Start of validity (Unix time).",
            0,
            0,
            not_valid_before
        ),
        method!("not_valid_after", "not_valid_after() → number", "End of validity (Unix time).", 0, 0, not_valid_after),
        method!(
            "public_key",
            "public_key(array? options) → string",
            "The SubjectPublicKeyInfo as DER, or PEM with pem: true.",
            0,
            1,
            public_key
        ),
        method!(
            "export",
            "export(array? options) → string",
            "The certificate as DER, or PEM with pem: true.",
            0,
            1,
            export
        ),
        method!(
            "extensions",
            "extensions(array? options) → array",
            "The extensions: name, oid, critical, raw DER value.",
            0,
            1,
            extensions
        ),
        method!(
            "verify",
            "verify(array calist, array? intermediates, array? crls) → array",
            "Verifies the chain to a trusted CA: [\"result\" => bool, \"error\" => string].",
            1,
            3,
            verify
        ),
        method!("toResource", "toResource() → X509Resource", "The underlying resource.", 0, 0, to_resource),
        method!("toFFIValue", "toFFIValue() → none", "Not available (needs FFI).", 0, 0, to_ffi_value),
    ],
    statics: &[NativeDef {
        name: "String",
        signature: "String(string data, array? options) → X509|array|none",
        summary: "Parses DER (or PEM with pem: true; every certificate with multiple: true); none on failure.",
        example: "$certs = X509::String($pem, [\"pem\" => true, \"multiple\" => true]);",
        min: 1,
        max: 2,
        func: from_string,
    }],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdlib::testing::{TestRuntime, call};

    const CLIENT: &[u8] = include_bytes!("../tests/fixtures/certs/client.pem");
    const CA: &[u8] = include_bytes!("../tests/fixtures/certs/ca.pem");

    fn cert(pem: &[u8]) -> Object {
        let resource = x509_resource_from_pem(pem).unwrap();
        match call("X509", &[resource]).unwrap() {
            Value::Object(object) => object,
            other => panic!("{other:?}"),
        }
    }

    fn run(object: &Object, method: &str, values: &[Value], clock: f64) -> Value {
        let def = X509_CLASS.method(method.as_bytes()).unwrap();
        let mut runtime = TestRuntime { clock, ..TestRuntime::default() };
        (def.func)(&mut NativeCtx { runtime: &mut runtime }, object, &Args::new(values, method, def.signature)).unwrap()
    }

    #[test]
    fn reads_the_fields() {
        let client = cert(CLIENT);
        assert_eq!(
            run(&client, "subject", &[], 0.0).to_display_string(),
            r#"[0=>[0=>"C",1=>"SE"],1=>[0=>"O",1=>"Client Org"],2=>[0=>"OU",1=>"Mail"],3=>[0=>"CN",1=>"client.example"]]"#
        );
        assert!(run(&client, "issuer", &[], 0.0).to_display_string().contains(r#""Example Test CA""#));
        assert_eq!(
            run(&client, "subject_alt_name", &[], 0.0).to_display_string(),
            r#"["DNS"=>[0=>"client.example",1=>"mail.client.example"],"IP"=>[0=>"192.0.2.10"],"email"=>[0=>"postmaster@client.example"]]"#
        );
        assert_eq!(run(&client, "version", &[], 0.0).to_number(), 3.0);
        assert_eq!(run(&client, "serial_number", &[], 0.0).to_display_string(), "ABCDEF123");
        let before = run(&client, "not_valid_before", &[], 0.0).to_number();
        let after = run(&client, "not_valid_after", &[], 0.0).to_number();
        assert!(after - before > 3000.0 * 86400.0);
        let pem = Value::Array(Array::from_pairs([(Key::Str("pem".into()), Value::bool(true))]));
        assert!(
            run(&client, "export", std::slice::from_ref(&pem), 0.0)
                .to_display_string()
                .starts_with("-----BEGIN CERTIFICATE-----\n")
        );
        assert!(run(&client, "public_key", &[pem], 0.0).to_display_string().starts_with("-----BEGIN PUBLIC KEY-----"));
        let extensions = run(&client, "extensions", &[], 0.0).to_display_string();
        assert!(extensions.contains(r#""oid"=>"2.5.29.17""#), "{extensions}");
    }

    #[test]
    fn verifies_against_the_ca() {
        let client = cert(CLIENT);
        let ca = Value::Object(cert(CA));
        let now = run(&client, "not_valid_before", &[], 0.0).to_number() + 86400.0;
        let good = run(&client, "verify", &[Value::Array(Array::from_values([ca.clone()]))], now);
        assert_eq!(good.to_display_string(), r#"["result"=>true]"#);
        let unknown = run(&client, "verify", &[Value::Array(Array::from_values([Value::Object(client.clone())]))], now);
        assert!(unknown.to_display_string().contains("unable to get local issuer"));
        let expired = run(&client, "verify", &[Value::Array(Array::from_values([ca]))], now + 20.0 * 365.0 * 86400.0);
        assert!(expired.to_display_string().contains("not valid at this time"));
    }

    #[test]
    fn string_factory_and_errors() {
        let pem = Value::Array(Array::from_pairs([
            (Key::Str("pem".into()), Value::bool(true)),
            (Key::Str("multiple".into()), Value::bool(true)),
        ]));
        let both = [CLIENT, CA].concat();
        let def = X509_CLASS.static_fn("String").unwrap();
        let mut runtime = TestRuntime::default();
        let values = [Value::from(both), pem];
        let list =
            (def.func)(&mut NativeCtx { runtime: &mut runtime }, &Args::new(&values, "X509::String", def.signature))
                .unwrap();
        assert_eq!(list.as_array().unwrap().len(), 2);
        let values = [Value::from("garbage")];
        let none =
            (def.func)(&mut NativeCtx { runtime: &mut runtime }, &Args::new(&values, "X509::String", def.signature))
                .unwrap();
        assert!(none.is_none());
        // DER with trailing bytes is a parse failure (Q-X509-3)
        let der = pem_certificates(CLIENT).unwrap().remove(0);
        let run_with = |runtime: &mut TestRuntime, data: Vec<u8>, name: &str| {
            let values = [Value::from(data)];
            (def.func)(&mut NativeCtx { runtime }, &Args::new(&values, name, def.signature))
        };
        assert!(matches!(run_with(&mut runtime, der.clone(), "String").unwrap(), Value::Object(_)));
        assert!(run_with(&mut runtime, [der.as_slice(), b"trailing"].concat(), "String").unwrap().is_none());
        // errors name the function as scripts call it, whatever name the caller passed
        let values = [Value::number(1.0)];
        let error = (def.func)(&mut NativeCtx { runtime: &mut runtime }, &Args::new(&values, "String", def.signature));
        match error.unwrap_err().take() {
            crate::error::Interrupt::Error(error) => assert!(error.message.starts_with("X509::String(): argument 1")),
            other => panic!("expected an error, got {other:?}"),
        }
        assert!(x509_resource_from_pem(b"not pem").is_err());
        assert!(call("X509", &[Value::from("x")]).is_err());
    }
}
