//! Hashing (stdlib.md §8, the CORE 1 part) with the RustCrypto crates. Digests are lowercase hex unless
//! `["binary" => true]`.

use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::Value;

fn output(args: &Args<'_>, options_index: usize, digest: Vec<u8>) -> Fallible<Value> {
    let options = args.options(options_index, &["binary"])?;
    if options.boolean("binary", false)? {
        return Ok(Value::from(digest));
    }
    Ok(Value::from(data_encoding::HEXLOWER.encode(&digest)))
}

fn digest<D: Digest>(data: &[u8]) -> Vec<u8> {
    D::digest(data).to_vec()
}

fn hmac<M: Mac + hmac::digest::KeyInit>(args: &Args<'_>, key: &[u8], data: &[u8]) -> Fallible<Vec<u8>> {
    let mut mac =
        <M as hmac::digest::KeyInit>::new_from_slice(key).map_err(|_| args.value_error("invalid key length"))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

fn sha2_bits(args: &Args<'_>, index: usize) -> Fallible<u32> {
    let bits = args.number(index)?;
    match bits as u32 {
        224 | 256 | 384 | 512 if bits.fract() == 0.0 => Ok(bits as u32),
        _ => Err(args.value_error("bits must be 224, 256, 384 or 512")),
    }
}

fn md5(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    output(args, 1, digest::<Md5>(args.bytes(0)?))
}

fn sha1(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    output(args, 1, digest::<Sha1>(args.bytes(0)?))
}

fn sha2(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let data = args.bytes(0)?;
    let result = match sha2_bits(args, 1)? {
        224 => digest::<Sha224>(data),
        256 => digest::<Sha256>(data),
        384 => digest::<Sha384>(data),
        _ => digest::<Sha512>(data),
    };
    output(args, 2, result)
}

fn hmac_md5(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    output(args, 2, hmac::<Hmac<Md5>>(args, args.bytes(0)?, args.bytes(1)?)?)
}

fn hmac_sha1(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    output(args, 2, hmac::<Hmac<Sha1>>(args, args.bytes(0)?, args.bytes(1)?)?)
}

fn hmac_sha2(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (key, data) = (args.bytes(0)?, args.bytes(1)?);
    let result = match sha2_bits(args, 2)? {
        224 => hmac::<Hmac<Sha224>>(args, key, data)?,
        256 => hmac::<Hmac<Sha256>>(args, key, data)?,
        384 => hmac::<Hmac<Sha384>>(args, key, data)?,
        _ => hmac::<Hmac<Sha512>>(args, key, data)?,
    };
    output(args, 3, result)
}

/// FNV-1a, 32 bits (Q-LIB-12): stable across runs and platforms; values differ from Halon's.
fn hash(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let mut state: u32 = 0x811c_9dc5;
    for &byte in args.bytes(0)? {
        state ^= u32::from(byte);
        state = state.wrapping_mul(0x0100_0193);
    }
    Ok(Value::number(f64::from(state)))
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "md5",
        signature: "md5(string m, array? options) → string",
        summary: "MD5 digest (hex, or raw with binary: true).",
        example: "echo md5(\"\"); // d41d8cd98f00b204e9800998ecf8427e",
        min: 1,
        max: 2,
        func: md5,
    },
    NativeDef {
        name: "sha1",
        signature: "sha1(string m, array? options) → string",
        summary: "SHA-1 digest.",
        example: "echo sha1(\"abc\");",
        min: 1,
        max: 2,
        func: sha1,
    },
    NativeDef {
        name: "sha2",
        signature: "sha2(string m, number bits, array? options) → string",
        summary: "SHA-2 digest with 224, 256, 384 or 512 bits.",
        example: "echo sha2(\"abc\", 256);",
        min: 2,
        max: 3,
        func: sha2,
    },
    NativeDef {
        name: "hmac_md5",
        signature: "hmac_md5(string key, string m, array? options) → string",
        summary: "HMAC-MD5.",
        example: "echo hmac_md5(\"key\", \"msg\");",
        min: 2,
        max: 3,
        func: hmac_md5,
    },
    NativeDef {
        name: "hmac_sha1",
        signature: "hmac_sha1(string key, string m, array? options) → string",
        summary: "HMAC-SHA1.",
        example: "echo hmac_sha1(\"key\", \"msg\");",
        min: 2,
        max: 3,
        func: hmac_sha1,
    },
    NativeDef {
        name: "hmac_sha2",
        signature: "hmac_sha2(string key, string m, number bits, array? options) → string",
        summary: "HMAC-SHA-2 with 224, 256, 384 or 512 bits.",
        example: "echo hmac_sha2(\"key\", \"msg\", 256);",
        min: 3,
        max: 4,
        func: hmac_sha2,
    },
    NativeDef {
        name: "hash",
        signature: "hash(string m) → number",
        summary: "A stable non-cryptographic 32-bit hash (FNV-1a).",
        example: "echo hash(\"abc\");",
        min: 1,
        max: 1,
        func: hash,
    },
];

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::stdlib::testing::{call, error_kind};
    use crate::value::{Array, Key, Value};

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn known_vectors() {
        assert_eq!(call("md5", &[s("")]).unwrap().to_display_string(), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(call("sha1", &[s("abc")]).unwrap().to_display_string(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            call("sha2", &[s("abc"), Value::number(256.0)]).unwrap().to_display_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            call("hmac_sha2", &[s("key"), s("The quick brown fox jumps over the lazy dog"), Value::number(256.0)])
                .unwrap()
                .to_display_string(),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        assert_eq!(
            call("hmac_md5", &[s("key"), s("The quick brown fox jumps over the lazy dog")])
                .unwrap()
                .to_display_string(),
            "80070713463e7749b90c2dc24911e275"
        );
        assert_eq!(call("hash", &[s("a")]).unwrap().to_number(), 3826002220.0);
    }

    #[test]
    fn options_and_errors() {
        let binary = Value::Array(Array::from_pairs([(Key::Str("binary".into()), Value::bool(true))]));
        assert_eq!(call("md5", &[s(""), binary]).unwrap().as_str().unwrap().len(), 16);
        assert_eq!(error_kind(call("sha2", &[s(""), Value::number(128.0)])), ErrorKind::Value);
        let bad = Value::Array(Array::from_pairs([(Key::Str("hex".into()), Value::bool(true))]));
        assert_eq!(error_kind(call("sha1", &[s(""), bad])), ErrorKind::Value);
    }
}
