//! Arrays (stdlib.md §4). Callbacks receive the element value unless stated otherwise.

use crate::error::Fallible;
use crate::eval::ops::to_key;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::{Array, Key, Value};

fn array_keys(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    Ok(Value::Array(Array::from_values(args.array(0)?.keys().map(|key| key.to_value()))))
}

fn array_join(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let array = args.array(0)?;
    let separator = args.opt_string(1)?.map(|s| s.as_bytes().to_vec()).unwrap_or_default();
    let mut out = Vec::new();
    for (index, value) in array.values().enumerate() {
        if index > 0 {
            out.extend_from_slice(&separator);
        }
        value.write_display(&mut out);
    }
    ctx.check_string_size(out.len())?;
    Ok(Value::from(out))
}

fn array_map(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let function = args.function(0)?;
    let array = args.array(1)?;
    let mut out = Array::with_capacity(array.len());
    for (key, value) in array.iter() {
        let mapped = ctx.call(function, std::slice::from_ref(value))?;
        out.make_mut().insert(key.clone(), mapped);
    }
    Ok(Value::Array(out))
}

fn array_filter(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let function = args.function(0)?;
    let array = args.array(1)?;
    let mut out = Array::new();
    for (key, value) in array.iter() {
        if ctx.call(function, std::slice::from_ref(value))?.truthy() {
            out.make_mut().insert(key.clone(), value.clone());
        }
    }
    Ok(Value::Array(out))
}

fn array_find(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let function = args.function(0)?;
    for value in args.array(1)?.values() {
        if ctx.call(function, std::slice::from_ref(value))?.truthy() {
            return Ok(value.clone());
        }
    }
    Ok(Value::None)
}

fn array_every(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let function = args.function(0)?;
    for value in args.array(1)?.values() {
        if !ctx.call(function, std::slice::from_ref(value))?.truthy() {
            return Ok(Value::bool(false));
        }
    }
    Ok(Value::bool(true))
}

fn array_includes(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let needle = args.any(0);
    let array = args.array(1)?;
    if let Value::Function(_) = needle {
        for value in array.values() {
            if ctx.call(needle, std::slice::from_ref(value))?.truthy() {
                return Ok(Value::bool(true));
            }
        }
        return Ok(Value::bool(false));
    }
    Ok(Value::bool(array.values().any(|value| value.strict_eq(needle))))
}

fn array_reduce(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let function = args.function(0)?;
    let array = args.array(1)?;
    let mut values = array.values();
    let mut carry = match args.get(2) {
        Some(initial) => initial.clone(),
        None => match values.next() {
            Some(first) => first.clone(),
            None => return Err(args.value_error("reducing an empty array needs an initial value")),
        },
    };
    for value in values {
        carry = ctx.call(function, &[carry, value.clone()])?;
    }
    Ok(carry)
}

fn array_range(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (start, stop, step) = (args.number(0)?, args.number(1)?, args.opt_number(2, 1.0)?);
    if step == 0.0 || !step.is_finite() || !start.is_finite() || !stop.is_finite() {
        return Err(args.value_error("the step must be a non-zero finite number and the bounds finite"));
    }
    let count = ((stop - start) / step).ceil().max(0.0);
    ctx.check_array_size(count.min(usize::MAX as f64) as usize)?;
    let count = count as usize;
    Ok(Value::Array(Array::from_values((0..count).map(|i| Value::number(start + step * i as f64)))))
}

/// Integer keys renumbered, string keys kept.
fn renumbered(entries: impl Iterator<Item = (Key, Value)>) -> Array {
    let mut out = Array::new();
    {
        let data = out.make_mut();
        for (key, value) in entries {
            match key {
                Key::Str(_) => data.insert(key, value),
                Key::Int(_) => {
                    data.push(value);
                }
            }
        }
    }
    out
}

fn array_reverse(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let array = args.array(0)?;
    let entries: Vec<(Key, Value)> = array.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    Ok(Value::Array(renumbered(entries.into_iter().rev())))
}

/// A stable merge sort with a fallible "less" callback. `slice::sort_by` is not used because it may
/// panic when a script's comparator is not a total order.
fn merge_sort<T: Clone>(items: Vec<T>, less: &mut dyn FnMut(&T, &T) -> Fallible<bool>) -> Fallible<Vec<T>> {
    let mut items = items;
    let mut width = 1;
    let len = items.len();
    let mut buffer: Vec<T> = Vec::with_capacity(len);
    while width < len {
        buffer.clear();
        let mut start = 0;
        while start < len {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut left, mut right) = (start, middle);
            while left < middle && right < end {
                if less(&items[right], &items[left])? {
                    buffer.push(items[right].clone());
                    right += 1;
                } else {
                    buffer.push(items[left].clone());
                    left += 1;
                }
            }
            buffer.extend_from_slice(&items[left..middle]);
            buffer.extend_from_slice(&items[right..end]);
            start = end;
        }
        std::mem::swap(&mut items, &mut buffer);
        width *= 2;
    }
    Ok(items)
}

fn array_sort(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let function = args.function(0)?.clone();
    let array = args.array(1)?;
    let options = args.options(2, &["keys"])?;
    let by_keys = options.boolean("keys", false)?;
    // Sort (item, position) pairs: the comparator reads items in merge order, from memory it just wrote,
    // instead of jumping to random positions of a large array. The positions rebuild the result once.
    let items: Vec<(Value, usize)> = if by_keys {
        array.keys().enumerate().map(|(position, key)| (key.to_value(), position)).collect()
    } else {
        array.values().cloned().zip(0..).collect()
    };
    let sorted = merge_sort(items, &mut |(a, _), (b, _)| Ok(ctx.call(&function, &[a.clone(), b.clone()])?.truthy()))?;
    let mut out = Array::with_capacity(sorted.len());
    {
        let data = out.make_mut();
        for (item, position) in sorted {
            let Some(key) = array.key_at(position) else { continue };
            // Sorting by values carries them along; sorting by keys carries only the keys.
            let value = if by_keys { array.value_at(position).cloned().unwrap_or_default() } else { item };
            data.insert(key, value);
        }
    }
    Ok(Value::Array(out))
}

fn array_unique(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let array = args.array(0)?;
    let mut out = Array::new();
    let mut seen: Vec<&Value> = Vec::new();
    for (key, value) in array.iter() {
        if !seen.iter().any(|s| s.strict_eq(value)) {
            seen.push(value);
            out.make_mut().insert(key.clone(), value.clone());
        }
    }
    Ok(Value::Array(out))
}

fn array_combine(_: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let (keys, values) = (args.array(0)?, args.array(1)?);
    let default = args.get(2).cloned().unwrap_or_default();
    let mut out = Array::new();
    let mut values = values.values();
    for key in keys.values() {
        let key = to_key(key).map_err(|error| args.value_error(error.message))?;
        out.make_mut().insert(key, values.next().cloned().unwrap_or_else(|| default.clone()));
    }
    Ok(Value::Array(out))
}

fn random_below(ctx: &mut NativeCtx<'_>, bound: usize) -> usize {
    if bound <= 1 {
        return 0;
    }
    // Rejection sampling keeps the choice unbiased.
    let bound = bound as u64;
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let value = ctx.random_u64();
        if value < zone {
            return (value % bound) as usize;
        }
    }
}

/// Q-LIB-7: `[key, value]`, none for an empty array.
fn array_random(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let array = args.array(0)?;
    if array.is_empty() {
        return Ok(Value::None);
    }
    let position = random_below(ctx, array.len());
    Ok(array
        .get_index(position)
        .map_or(Value::None, |(key, value)| Value::Array(Array::from_values([key.to_value(), value.clone()]))))
}

fn array_shuffle(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    let array = args.array(0)?;
    let mut entries: Vec<(Key, Value)> = array.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for index in (1..entries.len()).rev() {
        let other = random_below(ctx, index + 1);
        entries.swap(index, other);
    }
    Ok(Value::Array(renumbered(entries.into_iter())))
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    NativeDef {
        name: "array_keys",
        signature: "array_keys(array a) → array",
        summary: "The keys in order.",
        example: "echo array_keys([\"a\" => 1]); // [0=>\"a\"]",
        min: 1,
        max: 1,
        func: array_keys,
    },
    NativeDef {
        name: "array_join",
        signature: "array_join(array a, string? separator) → string",
        summary: "Values as strings joined by the separator (default empty).",
        example: "echo array_join([1, 2], \",\"); // 1,2",
        min: 1,
        max: 2,
        func: array_join,
    },
    NativeDef {
        name: "array_map",
        signature: "array_map(function f, array a) → array",
        summary: "f(value) for each element, keys preserved.",
        example: "echo array_map(function ($v) { return $v * 2; }, [1, 2]);",
        min: 2,
        max: 2,
        func: array_map,
    },
    NativeDef {
        name: "array_filter",
        signature: "array_filter(function f, array a) → array",
        summary: "Elements whose f(value) is truthy, keys preserved.",
        example: "echo array_filter(function ($v) { return $v > 1; }, [1, 2]);",
        min: 2,
        max: 2,
        func: array_filter,
    },
    NativeDef {
        name: "array_find",
        signature: "array_find(function f, array a) → any",
        summary: "The first value with a truthy f(value), or none.",
        example: "echo array_find(function ($v) { return $v > 1; }, [1, 2, 3]); // 2",
        min: 2,
        max: 2,
        func: array_find,
    },
    NativeDef {
        name: "array_every",
        signature: "array_every(function f, array a) → boolean",
        summary: "Whether f(value) is truthy for every element (true for []).",
        example: "echo array_every(is_number, [1, 2]); // true",
        min: 2,
        max: 2,
        func: array_every,
    },
    NativeDef {
        name: "array_includes",
        signature: "array_includes(any needle, array a) → boolean",
        summary: "Whether some value is === needle (a function needle is a predicate).",
        example: "echo array_includes(2, [1, 2]); // true",
        min: 2,
        max: 2,
        func: array_includes,
    },
    NativeDef {
        name: "array_reduce",
        signature: "array_reduce(function f, array a, any? initial) → any",
        summary: "Folds left with f(carry, value); an empty array needs an initial value.",
        example: "echo array_reduce(function ($c, $v) { return $c + $v; }, [1, 2, 3]); // 6",
        min: 2,
        max: 3,
        func: array_reduce,
    },
    NativeDef {
        name: "array_range",
        signature: "array_range(number start, number stop, number step = 1) → array",
        summary: "The half-open range [start, stop) as a list.",
        example: "echo array_range(0, 3); // [0=>0,1=>1,2=>2]",
        min: 2,
        max: 3,
        func: array_range,
    },
    NativeDef {
        name: "array_reverse",
        signature: "array_reverse(array a) → array",
        summary: "Reversed order; integer keys renumbered, string keys kept.",
        example: "echo array_reverse([1, 2]); // [0=>2,1=>1]",
        min: 1,
        max: 1,
        func: array_reverse,
    },
    NativeDef {
        name: "array_sort",
        signature: "array_sort(function less, array a, array? options) → array",
        summary: "Sorts keeping key association; less(x, y) is true when x comes first. Option keys: sort by keys.",
        example: "echo array_sort(function ($x, $y) { return $x < $y; }, [3, 1]); // [1=>1,0=>3]",
        min: 2,
        max: 3,
        func: array_sort,
    },
    NativeDef {
        name: "array_unique",
        signature: "array_unique(array a) → array",
        summary: "Drops later duplicates (===), keeping the first key.",
        example: "echo array_unique([1, 1, 2]); // [0=>1,2=>2]",
        min: 1,
        max: 1,
        func: array_unique,
    },
    NativeDef {
        name: "array_combine",
        signature: "array_combine(array keys, array values, any? default) → array",
        summary: "Pairs the values of keys with the values of values; missing values get default.",
        example: "echo array_combine([\"a\", \"b\"], [1]); // [\"a\"=>1,\"b\"=>none]",
        min: 2,
        max: 3,
        func: array_combine,
    },
    NativeDef {
        name: "array_random",
        signature: "array_random(array a) → array|none",
        summary: "A random element as [key, value]; none for [].",
        example: "echo array_random([\"x\"]); // [0=>0,1=>\"x\"]",
        min: 1,
        max: 1,
        func: array_random,
    },
    NativeDef {
        name: "array_shuffle",
        signature: "array_shuffle(array a) → array",
        summary: "Random order; integer keys renumbered.",
        example: "echo length(array_shuffle([1, 2, 3])); // 3",
        min: 1,
        max: 1,
        func: array_shuffle,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::stdlib::testing::{call, error_kind};
    use crate::value::{Function, FunctionKind};

    fn native(name: &str) -> Value {
        let module = crate::stdlib::module();
        Value::Function(Function::new(FunctionKind::Native(module.function(name).unwrap().clone())))
    }

    fn list(values: &[f64]) -> Value {
        Value::Array(Array::from_values(values.iter().map(|v| Value::number(*v))))
    }

    fn show(value: Fallible<Value>) -> String {
        value.unwrap().to_display_string()
    }

    #[test]
    fn map_filter_keep_keys() {
        let words = Value::Array(Array::from_values([Value::from("a"), Value::from("")]));
        assert_eq!(show(call("array_map", &[native("str_upper"), words.clone()])), r#"[0=>"A",1=>""]"#);
        assert_eq!(show(call("array_filter", &[native("boolean"), words])), r#"[0=>"a"]"#);
    }

    #[test]
    fn merge_sort_is_stable_and_total() {
        let sorted = merge_sort(vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd')], &mut |a, b| Ok(a.0 < b.0)).unwrap();
        assert_eq!(sorted, vec![(1, 'b'), (2, 'd'), (3, 'a'), (3, 'c')]);
        // An inconsistent comparator must not panic.
        let mut flip = false;
        let result = merge_sort((0..100).collect(), &mut |_, _| {
            flip = !flip;
            Ok(flip)
        });
        assert_eq!(result.unwrap().len(), 100);
    }

    #[test]
    fn reduce_range_and_errors() {
        assert_eq!(error_kind(call("array_reduce", &[native("length"), list(&[])])), ErrorKind::Value);
        assert_eq!(
            show(call("array_range", &[Value::number(3.0), Value::number(0.0), Value::number(-1.0)])),
            "[0=>3,1=>2,2=>1]"
        );
        assert_eq!(
            error_kind(call("array_range", &[Value::number(0.0), Value::number(3.0), Value::number(0.0)])),
            ErrorKind::Value
        );
        assert_eq!(error_kind(call("array_keys", &[Value::from("x")])), ErrorKind::Type);
    }

    #[test]
    fn unique_combine_reverse_includes() {
        assert_eq!(show(call("array_unique", &[list(&[1.0, 1.0, 2.0])])), "[0=>1,2=>2]");
        let keys = Value::Array(Array::from_values([Value::from("a"), Value::from("b")]));
        assert_eq!(show(call("array_combine", &[keys, list(&[1.0])])), r#"["a"=>1,"b"=>none]"#);
        assert_eq!(show(call("array_reverse", &[list(&[1.0, 2.0])])), "[0=>2,1=>1]");
        assert!(call("array_includes", &[Value::number(2.0), list(&[1.0, 2.0])]).unwrap().truthy());
        assert!(!call("array_includes", &[Value::from("2"), list(&[1.0, 2.0])]).unwrap().truthy());
        assert_eq!(show(call("array_join", &[list(&[1.0, 2.5])])), "12.5");
    }

    #[test]
    fn random_is_reproducible_and_shaped() {
        let result = call("array_random", &[list(&[7.0])]).unwrap();
        assert_eq!(result.to_display_string(), "[0=>0,1=>7]");
        assert!(call("array_random", &[list(&[])]).unwrap().is_none());
        let shuffled = call("array_shuffle", &[list(&[1.0, 2.0, 3.0, 4.0])]).unwrap();
        assert_eq!(shuffled.as_array().unwrap().len(), 4);
    }
}
