//! Date and time (stdlib.md §9). The current time comes only from the run (`NativeCtx::now`), so hosts and
//! tests can fix the clock.

use std::sync::LazyLock;
use std::time::Instant;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::Value;

fn time(ctx: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
    Ok(Value::number(ctx.now()))
}

fn local_offset(unix: f64) -> f64 {
    Local.timestamp_opt(unix.floor() as i64, 0).single().map_or(0.0, |t| f64::from(t.offset().local_minus_utc()))
}

fn timelocal(ctx: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
    let now = ctx.now();
    Ok(Value::number(now + local_offset(now)))
}

static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Seconds on a monotonic clock whose origin is the first call in this process.
fn uptime(_: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
    Ok(Value::number(STARTED.elapsed().as_secs_f64()))
}

fn executiontime(ctx: &mut NativeCtx<'_>, _: &Args<'_>) -> Fallible<Value> {
    Ok(Value::number(ctx.execution_time()))
}

/// Sleeps at most 60 s per call so a script cannot park a host thread for long; returns the time slept.
/// A sleep that would outlast the run's deadline sleeps until the deadline and fails with the deadline limit
/// (the operation counter checks the clock only every 1024 operations, so it cannot catch this in time).
fn sleep(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let seconds = args.number(0)?;
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(args.value_error("the duration must be a non-negative number"));
    }
    let duration = std::time::Duration::from_secs_f64(seconds.min(60.0));
    let past_deadline = ctx.time_left().is_some_and(|left| duration >= left);
    let wait = ctx.time_left().map_or(duration, |left| duration.min(left));
    // Waits in slices so a host interrupt ends the sleep promptly.
    const SLICE: std::time::Duration = std::time::Duration::from_millis(20);
    let started = Instant::now();
    while let Some(rest) = wait.checked_sub(started.elapsed()).filter(|rest| !rest.is_zero()) {
        if ctx.interrupted() {
            return Err(crate::eval::budget::limit(
                crate::error::LimitKind::Interrupted,
                "the host interrupted the run",
            ));
        }
        std::thread::sleep(rest.min(SLICE));
    }
    if past_deadline {
        return Err(crate::eval::budget::limit(crate::error::LimitKind::Deadline, "the run exceeded its deadline"));
    }
    Ok(Value::number(started.elapsed().as_secs_f64()))
}

fn format_time(format: &str, unix: f64, local: bool) -> Option<String> {
    let items: Vec<Item<'_>> = StrftimeItems::new(format).collect();
    if items.iter().any(|item| matches!(item, Item::Error)) {
        return None;
    }
    let seconds = unix.floor();
    let nanos = ((unix - seconds) * 1e9) as u32;
    let utc = DateTime::<Utc>::from_timestamp(seconds as i64, nanos)?;
    let mut out = String::new();
    let written = if local {
        std::fmt::write(&mut out, format_args!("{}", utc.with_timezone(&Local).format_with_items(items.iter())))
    } else {
        std::fmt::write(&mut out, format_args!("{}", utc.format_with_items(items.iter())))
    };
    written.ok().map(|_| out)
}

fn strftime(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let format = args.bytes(0)?;
    let unix = match args.get(1) {
        Some(_) => args.number(1)?,
        None => ctx.now(),
    };
    let local = args.options(2, &["local"])?.boolean("local", true)?;
    let Ok(format) = std::str::from_utf8(format) else { return Err(args.value_error("the format is not UTF-8")) };
    match format_time(format, unix, local) {
        Some(mut text) => {
            // The reference implementation formats into a 100-byte buffer.
            let mut end = text.len().min(100);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            Ok(Value::from(text))
        }
        None => Err(args.value_error("invalid time or format")),
    }
}

/// Q-LIB-14: none when the text does not match the format.
fn strptime(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (text, format) = (args.bytes(0)?, args.bytes(1)?);
    let local = args.options(2, &["local"])?.boolean("local", true)?;
    let (Ok(text), Ok(format)) = (std::str::from_utf8(text), std::str::from_utf8(format)) else {
        return Ok(Value::None);
    };
    if let Ok(parsed) = DateTime::parse_from_str(text, format) {
        return Ok(Value::number(parsed.timestamp() as f64));
    }
    let naive = NaiveDateTime::parse_from_str(text, format)
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text, format).ok().and_then(|d| d.and_hms_opt(0, 0, 0)));
    let Some(naive) = naive else { return Ok(Value::None) };
    let timestamp = if local {
        Local.from_local_datetime(&naive).earliest().map(|t| t.timestamp())
    } else {
        Some(naive.and_utc().timestamp())
    };
    Ok(timestamp.map_or(Value::None, |t| Value::number(t as f64)))
}

fn strpduration(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let text = args.bytes(0)?;
    let mut total = 0f64;
    let mut number = String::new();
    let mut any = false;
    for &byte in text {
        match byte {
            b'0'..=b'9' | b'.' => number.push(byte as char),
            b'd' | b'h' | b'm' | b's' => {
                let Ok(value) = number.parse::<f64>() else { return Ok(Value::None) };
                total += value
                    * match byte {
                        b'd' => 86400.0,
                        b'h' => 3600.0,
                        b'm' => 60.0,
                        _ => 1.0,
                    };
                number.clear();
                any = true;
            }
            b' ' => {}
            _ => return Ok(Value::None),
        }
    }
    if !number.is_empty() {
        let Ok(value) = number.parse::<f64>() else { return Ok(Value::None) };
        total += value;
        any = true;
    }
    Ok(if any { Value::number(total) } else { Value::None })
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "time",
        signature: "time() → number",
        summary: "Unix time in seconds, with fraction.",
        example: "echo time() > 0; // true",
        min: 0,
        max: 0,
        func: time,
    },
    NativeDef {
        name: "timelocal",
        signature: "timelocal() → number",
        summary: "Unix time shifted by the local timezone offset.",
        example: "echo timelocal();",
        min: 0,
        max: 0,
        func: timelocal,
    },
    NativeDef {
        name: "uptime",
        signature: "uptime() → number",
        summary: "Seconds on a monotonic clock (for intervals).",
        example: "$t = uptime();",
        min: 0,
        max: 0,
        func: uptime,
    },
    NativeDef {
        name: "executiontime",
        signature: "executiontime() → number",
        summary: "Seconds since this script execution started.",
        example: "echo executiontime();",
        min: 0,
        max: 0,
        func: executiontime,
    },
    NativeDef {
        name: "sleep",
        signature: "sleep(number s) → number",
        summary: "Pauses (at most 60 s per call) and returns the seconds slept.",
        example: "sleep(0.1);",
        min: 1,
        max: 1,
        func: sleep,
    },
    NativeDef {
        name: "strftime",
        signature: "strftime(string fmt, number? t, array? options) → string",
        summary: "Formats a time (default now) with strftime conversions; option local (default true).",
        example: "echo strftime(\"%Y-%m-%d\", 0, [\"local\" => false]); // 1970-01-01",
        min: 1,
        max: 3,
        func: strftime,
    },
    NativeDef {
        name: "strptime",
        signature: "strptime(string s, string fmt, array? options) → number|none",
        summary: "Parses a time with strptime conversions into Unix time; none when it does not match.",
        example: "echo strptime(\"1970-01-02\", \"%Y-%m-%d\", [\"local\" => false]); // 86400",
        min: 2,
        max: 3,
        func: strptime,
    },
    NativeDef {
        name: "strpduration",
        signature: "strpduration(string s) → number|none",
        summary: "Parses a duration such as 1h30m into seconds.",
        example: "echo strpduration(\"1h30m\"); // 5400",
        min: 1,
        max: 1,
        func: strpduration,
    },
];

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::stdlib::testing::{call, error_kind};
    use crate::value::{Array, Key, Value};

    fn utc() -> Value {
        Value::Array(Array::from_pairs([(Key::Str("local".into()), Value::bool(false))]))
    }

    #[test]
    fn format_and_parse_in_utc() {
        let text = call("strftime", &[Value::from("%Y-%m-%d %H:%M:%S"), Value::number(86400.5), utc()]).unwrap();
        assert_eq!(text.to_display_string(), "1970-01-02 00:00:00");
        let parsed = call("strptime", &[Value::from("1970-01-02 00:00:01"), Value::from("%Y-%m-%d %H:%M:%S"), utc()]);
        assert_eq!(parsed.unwrap().to_number(), 86401.0);
        assert_eq!(
            call("strptime", &[Value::from("1970-01-02"), Value::from("%Y-%m-%d"), utc()]).unwrap().to_number(),
            86400.0
        );
        assert!(call("strptime", &[Value::from("nope"), Value::from("%Y"), utc()]).unwrap().is_none());
        assert_eq!(error_kind(call("strftime", &[Value::from("%Q"), Value::number(0.0), utc()])), ErrorKind::Value);
        let long = call("strftime", &[Value::from("%Y".repeat(60)), Value::number(0.0), utc()]).unwrap();
        assert_eq!(long.as_str().unwrap().len(), 100);
    }

    #[test]
    fn durations() {
        assert_eq!(call("strpduration", &[Value::from("1h30m")]).unwrap().to_number(), 5400.0);
        assert_eq!(call("strpduration", &[Value::from("2d 5s")]).unwrap().to_number(), 172805.0);
        assert!(call("strpduration", &[Value::from("5y")]).unwrap().is_none());
        assert!(call("strpduration", &[Value::from("")]).unwrap().is_none());
    }

    #[test]
    fn clock_comes_from_the_runtime() {
        assert_eq!(call("time", &[]).unwrap().to_number(), 0.0);
    }
}
