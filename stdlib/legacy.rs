//! Legacy aliases (stdlib.md §16): PHP-era names that current Halon scripts still call. Each row reuses the
//! modern implementation; `explode` and `implode` swap their arguments first.

use crate::error::Fallible;
use crate::module::{Args, NativeCtx, NativeDef};
use crate::value::Value;

/// Type errors name explode's own argument positions, so the types are checked before the swap.
fn explode(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    args.string(0)?;
    args.string(1)?;
    args.opt_number(2, 0.0)?;
    let values: Vec<Value> = [1, 0, 2].iter().filter_map(|i| args.get(*i).cloned()).collect();
    let signature = "str_split(string s, string delimiter, number limit = 0)";
    (alias_body(super::string::FUNCTIONS, "str_split"))(ctx, &Args::new(&values, "explode", signature))
}

/// Type errors name implode's own argument positions, so the types are checked before the swap.
fn implode(ctx: &mut NativeCtx<'_>, args: &Args<'_>) -> Fallible<Value> {
    args.string(0)?;
    args.array(1)?;
    let values: Vec<Value> = [1, 0].iter().filter_map(|i| args.get(*i).cloned()).collect();
    let signature = "array_join(array a, string? separator)";
    (alias_body(super::array::FUNCTIONS, "array_join"))(ctx, &Args::new(&values, "implode", signature))
}

/// The signature repeats the modern parameter names: type errors quote them (`argument 2 (needle)`).
macro_rules! alias {
    ($legacy:literal, $table:path, $modern:literal, $min:literal, $max:literal, $params:literal) => {
        NativeDef {
            name: $legacy,
            signature: concat!($legacy, $params),
            summary: concat!("Legacy alias of ", $modern, "()."),
            example: "",
            min: $min,
            max: $max,
            func: alias_body($table, $modern),
        }
    };
}

/// The body of the modern function `name` in `table` (resolved at compile time).
const fn alias_body(table: &'static [NativeDef], name: &'static str) -> crate::module::NativeFnPtr {
    let mut index = 0;
    while index < table.len() {
        if str_eq(table[index].name, name) {
            return table[index].func;
        }
        index += 1;
    }
    panic!("legacy alias of an unknown function")
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut index = 0;
    while index < a.len() {
        if a[index] != b[index] {
            return false;
        }
        index += 1;
    }
    true
}

pub(crate) const FUNCTIONS: &[NativeDef] = &[
    alias!("count", super::types::FUNCTIONS, "length", 1, 1, "(any v) → number|none"),
    alias!("strlen", super::types::FUNCTIONS, "length", 1, 1, "(any v) → number|none"),
    alias!(
        "strpos",
        super::string::FUNCTIONS,
        "str_find",
        2,
        3,
        "(string s, string needle, number offset = 0) → number"
    ),
    alias!(
        "strrpos",
        super::string::FUNCTIONS,
        "str_rfind",
        2,
        3,
        "(string s, string needle, number offset = 0) → number"
    ),
    alias!("substr", super::string::FUNCTIONS, "str_slice", 2, 3, "(string s, number offset, number? length) → string"),
    alias!("strtolower", super::string::FUNCTIONS, "str_lower", 1, 1, "(string s) → string"),
    alias!("strtoupper", super::string::FUNCTIONS, "str_upper", 1, 1, "(string s) → string"),
    alias!("trim", super::string::FUNCTIONS, "str_strip", 1, 2, "(string s, string? chars) → string"),
    alias!("rand", super::math::FUNCTIONS, "random_number", 2, 2, "(number first, number last) → number"),
    alias!(
        "is_subdomain",
        super::net::FUNCTIONS,
        "domain_includes",
        2,
        3,
        "(string sub, string domain, array? options) → boolean"
    ),
    alias!("in_network", super::net::FUNCTIONS, "inet_includes", 2, 2, "(string ip, string network) → boolean|none"),
    alias!("in_array", super::array::FUNCTIONS, "array_includes", 2, 2, "(any needle, array a) → boolean"),
    alias!(
        "range",
        super::array::FUNCTIONS,
        "array_range",
        2,
        3,
        "(number start, number stop, number step = 1) → array"
    ),
    alias!(
        "GetAddressList",
        super::mail::FUNCTIONS,
        "header_addresslist_extract",
        1,
        2,
        "(string value, array? options) → array|none"
    ),
    NativeDef {
        name: "explode",
        signature: "explode(string delimiter, string s, number limit = 0) → array",
        summary: "Legacy alias of str_split() with the first two arguments swapped.",
        example: "echo explode(\",\", \"a,b\"); // [0=>\"a\",1=>\"b\"]",
        min: 2,
        max: 3,
        func: explode,
    },
    NativeDef {
        name: "implode",
        signature: "implode(string glue, array a) → string",
        summary: "Legacy alias of array_join() with the arguments swapped.",
        example: "echo implode(\",\", [1, 2]); // 1,2",
        min: 2,
        max: 2,
        func: implode,
    },
];

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::call;
    use crate::value::{Array, Value};

    #[test]
    fn aliases_behave_like_the_modern_functions() {
        assert_eq!(call("strlen", &[Value::from("abc")]).unwrap().to_number(), 3.0);
        assert_eq!(
            call("explode", &[Value::from(","), Value::from("a,b")]).unwrap().to_display_string(),
            r#"[0=>"a",1=>"b"]"#
        );
        let list = Value::Array(Array::from_values([Value::number(1.0), Value::number(2.0)]));
        assert_eq!(call("implode", &[Value::from("-"), list.clone()]).unwrap().to_display_string(), "1-2");
        assert!(call("in_array", &[Value::number(2.0), list.clone()]).unwrap().truthy());
        assert_eq!(
            call("substr", &[Value::from("Halon"), Value::number(1.0), Value::number(2.0)])
                .unwrap()
                .to_display_string(),
            "al"
        );
    }

    fn message(result: crate::error::Fallible<Value>) -> String {
        match result.unwrap_err().take() {
            crate::error::Interrupt::Error(error) => error.message,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_alias_arguments() {
        let list = Value::Array(Array::from_values([Value::number(1.0)]));
        assert_eq!(
            message(call("strpos", &[Value::from("a"), Value::number(1.0)])),
            "strpos(): argument 2 (needle) must be a string, found number"
        );
        assert_eq!(
            message(call("explode", &[Value::from(","), Value::number(5.0)])),
            "explode(): argument 2 (s) must be a string, found number"
        );
        assert_eq!(
            message(call("in_array", &[Value::number(1.0), Value::from("1")])),
            "in_array(): argument 2 (a) must be an array, found string"
        );
        assert_eq!(
            message(call("implode", &[list, Value::from(",")])),
            "implode(): argument 1 (glue) must be a string, found array"
        );
    }
}
