//! Miscellaneous (stdlib.md §12): ids, host name, logging.

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::Value;

/// A version 4 UUID from the run's randomness (reproducible when the host seeds it).
fn uuid(ctx: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
    let mut bytes = [0u8; 16];
    ctx.random_fill(&mut bytes);
    Ok(Value::from(uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()))
}

fn uuidv5(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let namespace = std::str::from_utf8(args.bytes(0)?).ok().and_then(|text| uuid::Uuid::parse_str(text).ok());
    let Some(namespace) = namespace else { return Err(args.value_error("the namespace must be a UUID")) };
    Ok(Value::from(uuid::Uuid::new_v5(&namespace, args.bytes(1)?).to_string()))
}

fn gethostname(ctx: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
    Ok(Value::from(ctx.hostname()))
}

const PRIORITIES: [&str; 8] = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

/// Names (`"warning"`) or numbers 0–7 with optional facility bits (`3 + (4 << 3)`).
fn syslog(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let priority = match args.any(0) {
        Value::String(name) => {
            let name = name.to_str_lossy().to_ascii_lowercase();
            let name = match name.as_str() {
                "error" => "err",
                "warn" => "warning",
                "panic" => "emerg",
                other => other,
            };
            PRIORITIES
                .iter()
                .find(|p| **p == name)
                .copied()
                .ok_or_else(|| args.value_error(format!("unknown priority \"{name}\"")))?
        }
        Value::Number(number) if number.get().is_finite() && number.get() >= 0.0 => {
            PRIORITIES[(number.get() as usize) & 7]
        }
        _ => return Err(args.type_error(0, "a priority name or number")),
    };
    ctx.log(priority, args.bytes(1)?);
    Ok(Value::None)
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "uuid",
        signature: "uuid() → string",
        summary: "A random (version 4) UUID.",
        example: "echo length(uuid()); // 36",
        min: 0,
        max: 0,
        func: uuid,
    },
    NativeDef {
        name: "uuidv5",
        signature: "uuidv5(string namespace, string value) → string",
        summary: "A name-based (version 5) UUID.",
        example: "echo uuidv5(\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\", \"example.com\");",
        min: 2,
        max: 2,
        func: uuidv5,
    },
    NativeDef {
        name: "gethostname",
        signature: "gethostname() → string",
        summary: "The host name the engine reports.",
        example: "echo gethostname();",
        min: 0,
        max: 0,
        func: gethostname,
    },
    NativeDef {
        name: "syslog",
        signature: "syslog(string|number priority, string message) → none",
        summary: "Logs a message with a priority (emerg..debug or 0–7).",
        example: "syslog(\"info\", \"done\");",
        min: 2,
        max: 2,
        func: syslog,
    },
];

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::stdlib::testing::{call, error_kind};
    use crate::value::Value;

    #[test]
    fn uuids() {
        let id = call("uuid", &[]).unwrap().to_display_string();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        let v5 = call("uuidv5", &[Value::from("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), Value::from("python.org")]);
        assert_eq!(v5.unwrap().to_display_string(), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
        assert_eq!(error_kind(call("uuidv5", &[Value::from("x"), Value::from("y")])), ErrorKind::Value);
    }

    #[test]
    fn syslog_priorities() {
        assert!(call("syslog", &[Value::from("warning"), Value::from("m")]).unwrap().is_none());
        assert!(call("syslog", &[Value::number((3 + (4 << 3)) as f64), Value::from("m")]).unwrap().is_none());
        assert_eq!(error_kind(call("syslog", &[Value::from("loud"), Value::from("m")])), ErrorKind::Value);
        assert_eq!(call("gethostname", &[]).unwrap().to_display_string(), "test.example");
    }
}
