//! Operators on values (language.md §5), pure functions shared by the evaluator and constant folding.

use crate::error::{ErrorKind, RuntimeError};
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::value::{Array, Key, Str, Value};

pub(crate) type OpResult = Result<Value, RuntimeError>;

fn type_error(op: &str, a: &Value, b: &Value) -> RuntimeError {
    RuntimeError::new(
        ErrorKind::Type,
        format!("unsupported operand types for `{op}`: {} and {}", a.type_name(), b.type_name()),
    )
}

/// A number operand: numbers as they are, booleans as 1/0 (language.md §5.2).
#[inline]
fn numeric(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => Some(number.get()),
        Value::Bool(flag) => Some(f64::from(u8::from(flag.get()))),
        _ => None,
    }
}

/// The 32-bit two's-complement integer of a number (bitwise operators, language.md §5.8).
pub fn to_i32(number: f64) -> i32 {
    if !number.is_finite() {
        return 0;
    }
    (crate::value::truncate(number).rem_euclid(4_294_967_296.0) as u32) as i32
}

/// Casts a value to an array key (language.md §3.6, Q-ARR-1, Q-ARR-1b).
pub fn to_key(value: &Value) -> Result<Key, RuntimeError> {
    match value {
        Value::Number(number) => number_key(number.get()),
        Value::String(text) => Ok(Key::from_str_key(text.clone())),
        Value::Bool(flag) => Ok(Key::Int(i64::from(flag.get()))),
        other => Err(RuntimeError::new(
            ErrorKind::Index,
            format!("invalid array key type {} (keys are numbers or strings)", other.type_name()),
        )),
    }
}

fn number_key(number: f64) -> Result<Key, RuntimeError> {
    let truncated = crate::value::truncate(number);
    if truncated.is_nan() || truncated < i32::MIN as f64 || truncated > i32::MAX as f64 {
        return Err(RuntimeError::new(
            ErrorKind::Index,
            format!("array key {} is outside the 32-bit integer range", crate::value::format_number(number)),
        ));
    }
    Ok(Key::Int(truncated as i64))
}

/// Prefix operators.
pub fn unary(op: UnaryOp, value: &Value) -> OpResult {
    match op {
        UnaryOp::Not => Ok(Value::bool(!value.truthy())),
        UnaryOp::Neg | UnaryOp::Plus => match numeric(value) {
            Some(number) => Ok(Value::number(if op == UnaryOp::Neg { -number } else { number })),
            None => Err(RuntimeError::new(
                ErrorKind::Type,
                format!(
                    "unsupported operand type for unary `{}`: {}",
                    if op == UnaryOp::Neg { "-" } else { "+" },
                    value.type_name()
                ),
            )),
        },
        UnaryOp::BitNot => match numeric(value) {
            Some(number) => Ok(Value::number(f64::from(!to_i32(number)))),
            None => Err(RuntimeError::new(
                ErrorKind::Type,
                format!("unsupported operand type for `~`: {}", value.type_name()),
            )),
        },
    }
}

/// `%` on numbers: C `fmod` (the sign of the dividend, Q-OP-3), with an integer fast path because the
/// software `fmod` costs over a hundred instructions and scripts mostly take remainders of integers.
#[inline]
pub fn remainder(a: f64, b: f64) -> f64 {
    match (crate::value::whole_number(a), crate::value::whole_number(b)) {
        (Some(ai), Some(bi)) if bi != 0 => {
            let r = ai.wrapping_rem(bi);
            if r == 0 && a.is_sign_negative() { -0.0 } else { r as f64 }
        }
        _ => a % b,
    }
}

/// Whether `op` is one of `+ - * / %`.
#[inline(always)]
pub fn is_arithmetic(op: BinaryOp) -> bool {
    matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod)
}

/// `+ - * / %` on numbers; `None` for any other operator.
#[inline(always)]
pub fn number_arithmetic(op: BinaryOp, x: f64, y: f64) -> Option<f64> {
    use BinaryOp::*;
    Some(match op {
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        Div => x / y,
        Mod => remainder(x, y),
        _ => return None,
    })
}

/// Number-number operators, the evaluator's fast path. `None` for operators that need the general rules.
#[inline(always)]
pub fn number_binary(op: BinaryOp, x: f64, y: f64) -> Option<Value> {
    use BinaryOp::*;
    Some(match op {
        Add => Value::number(x + y),
        Sub => Value::number(x - y),
        Mul => Value::number(x * y),
        Div => Value::number(x / y),
        Mod => Value::number(remainder(x, y)),
        Lt => Value::bool(x < y),
        Le => Value::bool(x <= y),
        Gt => Value::bool(x > y),
        Ge => Value::bool(x >= y),
        Eq | StrictEq => Value::bool(x == y),
        NotEq | StrictNotEq => Value::bool(x != y),
        _ => return None,
    })
}

/// Binary operators other than `and`, `or` and `??` (which short-circuit in the evaluator).
pub fn binary(op: BinaryOp, a: &Value, b: &Value) -> OpResult {
    if let (Value::Number(x), Value::Number(y)) = (a, b)
        && let Some(result) = number_binary(op, x.get(), y.get())
    {
        return Ok(result);
    }
    binary_slow(op, a, b)
}

fn binary_slow(op: BinaryOp, a: &Value, b: &Value) -> OpResult {
    use BinaryOp::*;
    match op {
        Add => match (a, b) {
            (Value::Array(x), Value::Array(y)) => Ok(Value::Array(array_merge(x, y))),
            (Value::Array(x), other) => {
                let mut result = x.clone();
                result.make_mut().push(other.clone());
                Ok(Value::Array(result))
            }
            _ => arithmetic(op, a, b),
        },
        Sub => match (a, b) {
            (Value::Array(x), Value::Array(y)) => {
                let mut result = x.clone();
                result.make_mut().retain(|_, value| !y.values().any(|removed| removed.strict_eq(value)));
                Ok(Value::Array(result))
            }
            (Value::Array(x), other) => {
                let mut result = x.clone();
                result.make_mut().retain(|_, value| !value.strict_eq(other));
                Ok(Value::Array(result))
            }
            _ => arithmetic(op, a, b),
        },
        Mul => match (a, b) {
            (Value::String(text), count) | (count, Value::String(text)) if numeric(count).is_some() => {
                let bytes = crate::stdlib::string::repeat(text.as_bytes(), numeric(count).unwrap_or(0.0))
                    .map_err(|message| RuntimeError::new(ErrorKind::Value, message))?;
                Ok(Value::String(Str::new(bytes)))
            }
            (Value::Array(list), count) | (count, Value::Array(list)) if numeric(count).is_some() => {
                let times = numeric(count).unwrap_or(0.0);
                if times < 0.0 || times.is_nan() {
                    return Err(RuntimeError::new(
                        ErrorKind::Value,
                        "cannot repeat an array a negative number of times",
                    ));
                }
                let times = times as usize; // truncates (and saturates)
                if list.len().saturating_mul(times) > 1 << 26 {
                    return Err(RuntimeError::new(
                        ErrorKind::Limit(crate::error::LimitKind::ArraySize),
                        "array repetition is too large",
                    ));
                }
                Ok(Value::Array(Array::from_values(
                    (0..times).flat_map(|_| list.values().cloned().collect::<Vec<_>>()),
                )))
            }
            _ => arithmetic(op, a, b),
        },
        Mod => match (a, b) {
            (Value::String(template), Value::Array(values)) => {
                let bytes = crate::stdlib::string::format(template.as_bytes(), values)
                    .map_err(|message| RuntimeError::new(ErrorKind::Value, message))?;
                Ok(Value::String(Str::new(bytes)))
            }
            _ => arithmetic(op, a, b),
        },
        Div | Pow => arithmetic(op, a, b),
        Concat => {
            if a.is_none() || b.is_none() {
                return Err(RuntimeError::new(ErrorKind::Type, "cannot concatenate none (use `??` to give a default)"));
            }
            // Written straight into the result's block, sized exactly when both sides are strings.
            let size = |value: &Value| match value {
                Value::String(text) => text.len(),
                _ => 16,
            };
            let mut text = Str::with_capacity(size(a) + size(b));
            a.write_display(&mut text);
            b.write_display(&mut text);
            Ok(Value::String(text))
        }
        Eq => Ok(Value::bool(a.loose_eq(b))),
        NotEq => Ok(Value::bool(!a.loose_eq(b))),
        StrictEq => Ok(Value::bool(a.strict_eq(b))),
        StrictNotEq => Ok(Value::bool(!a.strict_eq(b))),
        Lt | Le | Gt | Ge => {
            if !(is_orderable(a) && is_orderable(b)) {
                return Err(type_error(op.symbol(), a, b));
            }
            let ordering = a.compare(b);
            Ok(Value::bool(match (op, ordering) {
                (_, None) => false,
                (Lt, Some(o)) => o.is_lt(),
                (Le, Some(o)) => o.is_le(),
                (Gt, Some(o)) => o.is_gt(),
                (_, Some(o)) => o.is_ge(),
            }))
        }
        BitAnd | BitOr | BitXor | Shl | Shr | UShr => {
            let (Some(x), Some(y)) = (numeric(a), numeric(b)) else { return Err(type_error(op.symbol(), a, b)) };
            let (x, y) = (to_i32(x), to_i32(y));
            let shift = (y as u32) & 31;
            let result = match op {
                BitAnd => f64::from(x & y),
                BitOr => f64::from(x | y),
                BitXor => f64::from(x ^ y),
                Shl => f64::from(x.wrapping_shl(shift)),
                Shr => f64::from(x >> shift),
                _ => f64::from((x as u32) >> shift),
            };
            Ok(Value::number(result))
        }
        RegexMatch | RegexNotMatch => {
            let subject = match a {
                Value::String(text) => std::borrow::Cow::Borrowed(text.as_bytes()),
                Value::Number(_) | Value::Bool(_) => std::borrow::Cow::Owned(a.to_display()),
                other => {
                    return Err(RuntimeError::new(
                        ErrorKind::Type,
                        format!("`{}` needs a string subject, found {}", op.symbol(), other.type_name()),
                    ));
                }
            };
            let matched = crate::stdlib::regex::is_match(b, &subject).map_err(|interrupt| match interrupt.take() {
                crate::error::Interrupt::Error(error) => error,
                crate::error::Interrupt::Action { .. } => RuntimeError::new(ErrorKind::Internal, "unexpected action"),
            })?;
            Ok(Value::bool(matched == (op == RegexMatch)))
        }
        And | Or | Coalesce => Err(RuntimeError::new(ErrorKind::Internal, "short-circuit operator reached binary()")),
    }
}

fn is_orderable(value: &Value) -> bool {
    matches!(value, Value::Number(_) | Value::Bool(_) | Value::String(_))
}

fn arithmetic(op: BinaryOp, a: &Value, b: &Value) -> OpResult {
    let (Some(x), Some(y)) = (numeric(a), numeric(b)) else { return Err(type_error(op.symbol(), a, b)) };
    let number = match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
        BinaryOp::Mod => remainder(x, y),
        _ => x.powf(y),
    };
    Ok(Value::number(number))
}

/// `$a + $b` on arrays: string keys of `b` overwrite (keeping `a`'s position), integer keys append.
fn array_merge(a: &Array, b: &Array) -> Array {
    let mut result = a.clone();
    {
        let data = result.make_mut();
        for (key, value) in b.iter() {
            match key {
                Key::Str(_) => data.insert(key.clone(), value.clone()),
                Key::Int(_) => {
                    data.push(value.clone());
                }
            }
        }
    }
    result
}

/// Where a slice bound lands in `len` items: truncated, negative counting from the end, clamped to
/// `low..=high`.
pub fn slice_bound(len: i64, value: f64, low: i64, high: i64) -> i64 {
    let value = crate::value::truncate(value);
    let value = if value < 0.0 { (len as f64 + value).max(low as f64) } else { value.min(high as f64) };
    (value as i64).clamp(low, high)
}

/// The positions a slice with step 1 (`[start:stop]`) selects over `len` items, as a range: what
/// [`slice_positions`] lists for such a slice, without building the list.
pub fn slice_range(len: usize, start: Option<f64>, stop: Option<f64>) -> std::ops::Range<usize> {
    let whole = len as i64;
    let from = start.map_or(0, |s| slice_bound(whole, s, 0, whole));
    let to = stop.map_or(whole, |s| slice_bound(whole, s, 0, whole));
    from as usize..to.max(from) as usize
}

/// Positions selected by a Python-style slice over `len` items (language.md §5.11).
pub fn slice_positions(
    len: usize,
    start: Option<f64>,
    stop: Option<f64>,
    step: Option<f64>,
) -> Result<Vec<usize>, RuntimeError> {
    let step = step.map_or(1, |s| s as i64); // truncates (and saturates)
    if step == 0 {
        return Err(RuntimeError::new(ErrorKind::Value, "slice step cannot be zero"));
    }
    let len = len as i64;
    let clamp = |value: f64, low: i64, high: i64| slice_bound(len, value, low, high);
    let mut positions = Vec::new();
    if step > 0 {
        let from = start.map_or(0, |s| clamp(s, 0, len));
        let to = stop.map_or(len, |s| clamp(s, 0, len));
        let mut index = from;
        while index < to {
            positions.push(index as usize);
            index += step;
        }
    } else {
        let from = start.map_or(len - 1, |s| clamp(s, -1, len - 1));
        let to = stop.map_or(-1, |s| clamp(s, -1, len - 1));
        let mut index = from;
        while index > to {
            positions.push(index as usize);
            index += step;
        }
    }
    Ok(positions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Value {
        Value::number(x)
    }

    #[test]
    fn remainder_keeps_the_dividend_sign() {
        assert_eq!(remainder(7.0, 3.0), 1.0);
        assert_eq!(remainder(-7.0, 3.0), -1.0);
        assert_eq!(remainder(7.0, -3.0), 1.0);
        assert!(remainder(-6.0, 3.0).is_sign_negative());
        assert!(remainder(1.0, 0.0).is_nan());
        assert_eq!(remainder(7.5, 2.0), 1.5);
        assert_eq!(remainder(-9.0e18, 7.0), -9.0e18 % 7.0);
        // 2^63 is whole but past i64: a saturating conversion took it for i64::MAX (whose remainder is 0).
        let two_63 = 9_223_372_036_854_775_808.0;
        assert_eq!(remainder(two_63, 7.0), two_63 % 7.0);
        assert_eq!(remainder(-two_63 * 2.0, 7.0), -two_63 * 2.0 % 7.0);
    }

    #[test]
    fn bitwise_is_32_bit() {
        assert_eq!(binary(BinaryOp::Shl, &n(1.0), &n(31.0)).unwrap().to_number(), -2147483648.0);
        assert_eq!(binary(BinaryOp::UShr, &n(-1.0), &n(28.0)).unwrap().to_number(), 15.0);
        assert_eq!(unary(UnaryOp::BitNot, &n(0.0)).unwrap().to_number(), -1.0);
    }

    #[test]
    fn keys_cast_per_spec() {
        assert_eq!(to_key(&n(1.9)).unwrap(), Key::Int(1));
        assert_eq!(to_key(&Value::from("1")).unwrap(), Key::Int(1));
        assert_eq!(to_key(&Value::from("1.9")).unwrap(), Key::Str("1.9".into()));
        assert_eq!(to_key(&Value::bool(true)).unwrap(), Key::Int(1));
        assert!(to_key(&Value::None).is_err());
        assert!(to_key(&n(3e10)).is_err());
    }

    #[test]
    fn slices_follow_python() {
        assert_eq!(slice_positions(5, Some(1.0), Some(4.0), None).unwrap(), vec![1, 2, 3]);
        assert_eq!(slice_positions(4, Some(-2.0), None, None).unwrap(), vec![2, 3]);
        assert_eq!(slice_positions(3, None, None, Some(-1.0)).unwrap(), vec![2, 1, 0]);
        assert_eq!(slice_positions(3, Some(10.0), None, None).unwrap(), Vec::<usize>::new());
        assert!(slice_positions(3, None, None, Some(0.0)).is_err());
    }

    #[test]
    fn a_step_one_slice_range_lists_the_same_positions() {
        let bounds = [None, Some(-20.0), Some(-12.0), Some(-3.5), Some(-0.5), Some(0.0), Some(2.9), Some(7.0)];
        for len in [0, 1, 5, 12, 13] {
            for start in bounds {
                for stop in bounds {
                    let listed = slice_positions(len, start, stop, None).unwrap();
                    let range: Vec<usize> = slice_range(len, start, stop).collect();
                    assert_eq!(range, listed, "len {len} [{start:?}:{stop:?}]");
                    assert_eq!(slice_positions(len, start, stop, Some(1.0)).unwrap(), listed);
                }
            }
        }
    }

    #[test]
    fn array_plus_appends_integer_keys() {
        let a = Array::from_values([n(1.0)]);
        let b = Array::from_values([n(2.0)]);
        let merged = binary(BinaryOp::Add, &Value::Array(a), &Value::Array(b)).unwrap();
        assert_eq!(merged.to_display_string(), "[0=>1,1=>2]");
    }

    #[test]
    fn concatenating_none_is_an_error() {
        assert!(binary(BinaryOp::Concat, &Value::from("x"), &Value::None).is_err());
        assert_eq!(binary(BinaryOp::Concat, &n(2.0), &Value::from("x")).unwrap().to_display_string(), "2x");
    }
}
