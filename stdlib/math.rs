//! Mathematics and randomness (stdlib.md §5).

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::Value;

fn unary(args: &Args<'_>, f: fn(f64) -> f64) -> Fallible<Value> {
    Ok(Value::number(f(args.number(0)?)))
}

fn abs(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    unary(args, f64::abs)
}

fn ceil(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    unary(args, f64::ceil)
}

fn floor(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    unary(args, f64::floor)
}

fn sqrt(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    unary(args, f64::sqrt)
}

/// Half away from zero, at `decimals` places.
fn round(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let x = args.number(0)?;
    let decimals = (args.opt_number(1, 0.0)? as i32).clamp(-308, 308);
    let scale = 10f64.powi(decimals);
    let scaled = x * scale;
    Ok(Value::number(if scaled.is_finite() { scaled.round() / scale } else { x }))
}

fn pow(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::number(args.number(0)?.powf(args.number(1)?)))
}

fn log(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let x = args.number(0)?;
    Ok(Value::number(match args.get(1) {
        Some(_) => x.ln() / args.number(1)?.ln(),
        None => x.ln(),
    }))
}

/// No arguments: a double in [0, 1). Two: an integer in [first, last]. One: an error (Q-LIB-8).
fn random_number(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    match args.len() {
        0 => Ok(Value::number(ctx.random_unit())),
        2 => {
            let (first, last) = (args.number(0)?.ceil(), args.number(1)?.floor());
            if !first.is_finite() || !last.is_finite() || first > last {
                return Err(args.value_error("needs finite bounds with first <= last"));
            }
            let span = last - first + 1.0;
            Ok(Value::number(first + (ctx.random_unit() * span).floor().min(span - 1.0)))
        }
        _ => Err(crate::error::RuntimeError::new(
            crate::error::ErrorKind::Arity,
            "random_number() takes no arguments or two (first, last)",
        )
        .into()),
    }
}

fn random_bytes(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let count = args.number(0)?;
    if !(0.0..=1_048_576.0).contains(&count) {
        return Err(args.value_error("n must be between 0 and 1048576"));
    }
    let mut buffer = vec![0u8; count as usize];
    ctx.random_fill(&mut buffer);
    Ok(Value::from(buffer))
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "abs",
        signature: "abs(number x) → number",
        summary: "Absolute value.",
        example: "echo abs(-2); // 2",
        min: 1,
        max: 1,
        func: abs,
    },
    NativeDef {
        name: "ceil",
        signature: "ceil(number x) → number",
        summary: "Rounds up to an integer.",
        example: "echo ceil(1.2); // 2",
        min: 1,
        max: 1,
        func: ceil,
    },
    NativeDef {
        name: "floor",
        signature: "floor(number x) → number",
        summary: "Rounds down to an integer.",
        example: "echo floor(1.8); // 1",
        min: 1,
        max: 1,
        func: floor,
    },
    NativeDef {
        name: "round",
        signature: "round(number x, number decimals = 0) → number",
        summary: "Rounds half away from zero to the given decimals.",
        example: "echo round(2.345, 2); // 2.35",
        min: 1,
        max: 2,
        func: round,
    },
    NativeDef {
        name: "sqrt",
        signature: "sqrt(number x) → number",
        summary: "Square root.",
        example: "echo sqrt(16); // 4",
        min: 1,
        max: 1,
        func: sqrt,
    },
    NativeDef {
        name: "pow",
        signature: "pow(number base, number exp) → number",
        summary: "Power (same as **).",
        example: "echo pow(2, 10); // 1024",
        min: 2,
        max: 2,
        func: pow,
    },
    NativeDef {
        name: "log",
        signature: "log(number x, number? base) → number",
        summary: "Logarithm, natural unless a base is given.",
        example: "echo log(8, 2); // 3",
        min: 1,
        max: 2,
        func: log,
    },
    NativeDef {
        name: "random_number",
        signature: "random_number(number? first, number? last) → number",
        summary: "No arguments: a double in [0, 1); two: an integer in [first, last].",
        example: "echo random_number(1, 6);",
        min: 0,
        max: 2,
        func: random_number,
    },
    NativeDef {
        name: "random_bytes",
        signature: "random_bytes(number n) → string",
        summary: "n random bytes (at most 1 MiB).",
        example: "echo length(random_bytes(16)); // 16",
        min: 1,
        max: 1,
        func: random_bytes,
    },
];

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::stdlib::testing::{call, error_kind};
    use crate::value::Value;

    fn n(x: f64) -> Value {
        Value::number(x)
    }

    #[test]
    fn rounding_and_logs() {
        assert_eq!(call("round", &[n(2.5)]).unwrap().to_number(), 3.0);
        assert_eq!(call("round", &[n(-2.5)]).unwrap().to_number(), -3.0);
        assert_eq!(call("round", &[n(1.2345), n(2.0)]).unwrap().to_number(), 1.23);
        assert!((call("log", &[n(8.0), n(2.0)]).unwrap().to_number() - 3.0).abs() < 1e-12);
        assert_eq!(error_kind(call("abs", &[Value::from("1")])), ErrorKind::Type);
    }

    #[test]
    fn randomness_respects_bounds() {
        for _ in 0..100 {
            let value = call("random_number", &[n(1.0), n(6.0)]).unwrap().to_number();
            assert!((1.0..=6.0).contains(&value) && value.fract() == 0.0);
        }
        assert_eq!(error_kind(call("random_number", &[n(1.0)])), ErrorKind::Arity);
        assert_eq!(error_kind(call("random_bytes", &[n(2e6)])), ErrorKind::Value);
        assert_eq!(call("random_bytes", &[n(16.0)]).unwrap().as_str().unwrap().len(), 16);
    }
}
