//! Fixtures: a JSON or YAML file holding a hook's globals (`arguments`, `connection`, `transaction`,
//! `context`), validated against the hook's schema before anything runs. Certificates are given as PEM,
//! inline (`{"pem": "..."}`) or as a path relative to the fixture (`{"pem_file": "client.pem"}`).

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::HookSpec;
use super::schema::{Schema, SchemaError, describe_value};
use crate::error::Diagnostic;
use crate::source::SourceFile;
use crate::span::Span;
use crate::value::{Array, Key, Value};

/// Validated hook inputs, in the hook's global order.
#[derive(Clone, Debug, Default)]
pub struct HookInputs {
    /// One value per global.
    pub values: Vec<Option<Value>>,
}

impl HookInputs {
    /// Inputs for `spec` with every global unset, for a host to fill by index ([`HookSpec::global_index`]).
    /// The vector is this thread's spare one, which the thread's last run handed back with room for all of
    /// its script's globals: a host that builds its inputs this way for every connection allocates nothing
    /// for them, and the run keeps its globals in the same vector.
    pub fn for_hook(spec: &HookSpec) -> HookInputs {
        let mut values = crate::eval::scratch::take_globals();
        values.resize_with(spec.globals.len(), || None);
        HookInputs { values }
    }
}

impl From<&HookInputs> for HookInputs {
    fn from(inputs: &HookInputs) -> HookInputs {
        inputs.clone()
    }
}

/// Reads and validates a fixture file. Errors are diagnostics pointing into the fixture.
pub fn load_fixture(spec: &HookSpec, path: &Path) -> Result<HookInputs, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        let file = SourceFile::new(path.display().to_string(), "");
        vec![Diagnostic::new(
            "hsl::fixture::unreadable",
            format!("cannot read fixture {}: {error}", path.display()),
            &file,
            Span::point(0),
            "",
        )]
    })?;
    let file = SourceFile::new(path.display().to_string(), text);
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
    parse_fixture(spec, &file, &base, yaml)
}

/// Parses and validates fixture text (JSON, or YAML when `yaml`).
pub fn parse_fixture(
    spec: &HookSpec,
    file: &SourceFile,
    base: &Path,
    yaml: bool,
) -> Result<HookInputs, Vec<Diagnostic>> {
    let json: Json = if yaml {
        let value: serde_norway::Value = serde_norway::from_str(file.text()).map_err(|error| {
            let offset = error.location().map_or(0, |l| l.index() as u32);
            vec![Diagnostic::new(
                "hsl::fixture::syntax",
                format!("invalid YAML: {error}"),
                file,
                Span::point(offset),
                "here",
            )]
        })?;
        // JSON has no NaN or infinity; YAML does, and converting would silently turn them into null.
        if has_non_finite(&value) {
            let text = file.text().to_ascii_lowercase();
            let offset = [".nan", ".inf"].iter().filter_map(|word| text.find(word)).min().unwrap_or(0);
            return Err(vec![Diagnostic::new(
                "hsl::fixture::non_finite",
                "fixture numbers must be finite: `.nan` and `.inf` cannot be given",
                file,
                Span::new(offset as u32, (offset + 4).min(text.len()) as u32),
                "not a finite number",
            )]);
        }
        serde_json::to_value(value).map_err(|error| {
            vec![Diagnostic::new(
                "hsl::fixture::syntax",
                format!("YAML that has no JSON form: {error}"),
                file,
                Span::point(0),
                "here",
            )]
        })?
    } else {
        serde_json::from_str(file.text()).map_err(|error| {
            let offset = offset_of(file.text(), error.line(), error.column());
            vec![Diagnostic::new(
                "hsl::fixture::syntax",
                format!("invalid JSON: {error}"),
                file,
                Span::point(offset),
                "here",
            )]
        })?
    };
    inputs_from_json(spec, &json, base).map_err(|errors| {
        errors
            .into_iter()
            .map(|error| {
                let span = locate_path(file.text(), &error.path);
                Diagnostic::new(
                    "hsl::fixture::type_mismatch",
                    format!("{}: {}", error.path, error.message),
                    file,
                    span,
                    error.message.clone(),
                )
            })
            .collect()
    })
}

fn has_non_finite(value: &serde_norway::Value) -> bool {
    match value {
        serde_norway::Value::Number(number) => number.as_f64().is_some_and(|n| !n.is_finite()),
        serde_norway::Value::Sequence(items) => items.iter().any(has_non_finite),
        serde_norway::Value::Mapping(map) => map.iter().any(|(k, v)| has_non_finite(k) || has_non_finite(v)),
        serde_norway::Value::Tagged(tagged) => has_non_finite(&tagged.value),
        _ => false,
    }
}

/// Validates JSON inputs (a map from global name to value) against the hook's schema.
pub fn inputs_from_json(spec: &HookSpec, json: &Json, base: &Path) -> Result<HookInputs, Vec<SchemaError>> {
    let mut errors = Vec::new();
    let Json::Object(map) = json else {
        return Err(vec![SchemaError { path: String::new(), message: "a fixture must be a JSON object".into() }]);
    };
    for key in map.keys() {
        if spec.global_index(key).is_none() {
            let names: Vec<&str> = spec.globals.iter().map(|g| g.name).collect();
            errors.push(SchemaError {
                path: key.clone(),
                message: format!("unknown global of the {} hook (expected one of: {})", spec.name, names.join(", ")),
            });
        }
    }
    let mut values = Vec::with_capacity(spec.globals.len());
    for (index, global) in spec.globals.iter().enumerate() {
        match map.get(global.name) {
            Some(json) => {
                let value = convert(json, &global.schema, global.name, base, &mut errors);
                global.schema.check(&value, global.name, &mut errors);
                values.push(Some(value));
            }
            None if global.required => {
                errors.push(SchemaError {
                    path: global.name.to_string(),
                    message: format!("missing (expected {})", global.schema.describe()),
                });
                values.push(None);
            }
            None => values.push(Some(spec.default_value(index))),
        }
    }
    if errors.is_empty() { Ok(HookInputs { values }) } else { Err(errors) }
}

/// JSON → HSL guided by the schema: resource fields are loaded from PEM; everything else maps directly.
fn convert(json: &Json, schema: &Schema, path: &str, base: &Path, errors: &mut Vec<SchemaError>) -> Value {
    match (schema, json) {
        (Schema::Resource(_), Json::Object(map)) => match certificate(map, base) {
            Ok(value) => value,
            Err(message) => {
                errors.push(SchemaError { path: path.to_string(), message });
                Value::None
            }
        },
        (Schema::Resource(name), other) => {
            errors.push(SchemaError {
                path: path.to_string(),
                message: format!(
                    "expected {name} given as {{\"pem\": \"...\"}} or {{\"pem_file\": \"path\"}}, found {}",
                    describe_value(&crate::value::json::from_json(other))
                ),
            });
            Value::None
        }
        (Schema::List(item), Json::Array(items)) => Value::Array(Array::from_values(
            items
                .iter()
                .enumerate()
                .map(|(index, json)| convert(json, item, &format!("{path}[{index}]"), base, errors)),
        )),
        (Schema::Record(fields), Json::Object(map)) => {
            Value::Array(Array::from_pairs(map.iter().map(|(key, json)| {
                let child = format!("{path}.{key}");
                let value = match fields.iter().find(|field| field.name == key) {
                    Some(field) => convert(json, &field.schema, &child, base, errors),
                    None => crate::value::json::from_json(json),
                };
                (Key::from_str_key(key.as_str().into()), value)
            })))
        }
        (_, Json::Number(number)) if number.as_f64().is_none_or(|n| !n.is_finite()) => {
            errors.push(SchemaError { path: path.to_string(), message: "number out of range".into() });
            Value::None
        }
        _ => crate::value::json::from_json(json),
    }
}

fn certificate(map: &serde_json::Map<String, Json>, base: &Path) -> Result<Value, String> {
    let pem: Vec<u8> = match (map.get("pem"), map.get("pem_file")) {
        (Some(Json::String(pem)), None) => pem.as_bytes().to_vec(),
        (None, Some(Json::String(file))) => {
            let path: PathBuf = base.join(file);
            std::fs::read(&path).map_err(|error| format!("cannot read certificate {}: {error}", path.display()))?
        }
        _ => return Err("a certificate needs exactly one of \"pem\" (text) or \"pem_file\" (a path)".into()),
    };
    crate::stdlib::x509::x509_resource_from_pem(&pem).map_err(|error| format!("invalid certificate: {error}"))
}

/// Byte offset of a one-based line/column.
fn offset_of(text: &str, line: usize, column: usize) -> u32 {
    let mut offset = 0usize;
    for (index, content) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            return (offset + column.saturating_sub(1).min(content.len())) as u32;
        }
        offset += content.len();
    }
    text.len() as u32
}

/// Best-effort span of a dotted path's last key in the fixture text (serde keeps no positions).
fn locate_path(text: &str, path: &str) -> Span {
    let mut from = 0usize;
    for segment in path.split('.') {
        let name = segment.split('[').next().unwrap_or(segment);
        for needle in [format!("\"{name}\""), format!("{name}:")] {
            if let Some(found) = text[from..].find(&needle) {
                from += found;
                break;
            }
        }
    }
    let end = text[from..].find([',', '\n', '}']).map_or(text.len(), |e| from + e);
    Span::new(from as u32, end.max(from) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, yaml: bool) -> Result<HookInputs, Vec<Diagnostic>> {
        let spec = super::super::disconnect::disconnect();
        parse_fixture(&spec, &SourceFile::new(if yaml { "f.yaml" } else { "f.json" }, text), Path::new("."), yaml)
    }

    fn code(result: Result<HookInputs, Vec<Diagnostic>>) -> String {
        result.expect_err("rejected")[0].code.to_string()
    }

    const HEAD_JSON: &str = r#""arguments":{"close":"remote"},"connection":{"id":"c","serverid":"s"}"#;

    #[test]
    fn a_valid_fixture_gives_inputs() {
        assert!(parse(&format!("{{{HEAD_JSON}}}"), false).is_ok());
        assert!(parse("arguments: {close: remote}\nconnection: {id: c, serverid: s}\n", true).is_ok());
    }

    #[test]
    fn deeply_nested_json_and_yaml_are_syntax_errors_not_crashes() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(code(parse(&format!("{{{HEAD_JSON},\"context\":{deep}}}"), false)), "hsl::fixture::syntax");
        // The YAML parser is slow on long unclosed runs in debug builds; 1 000 is far past its depth limit.
        let deep = format!("{}{}", "[".repeat(1_000), "]".repeat(1_000));
        let yaml = format!("arguments: {{close: remote}}\nconnection: {{id: c, serverid: s}}\ncontext: {deep}\n");
        assert_eq!(code(parse(&yaml, true)), "hsl::fixture::syntax");
    }

    #[test]
    fn numbers_out_of_range_and_non_finite_are_rejected() {
        assert_eq!(code(parse(&format!("{{{HEAD_JSON},\"context\":1e400}}"), false)), "hsl::fixture::syntax");
        let yaml = "arguments: {close: remote}\nconnection: {id: c, serverid: s, remoteport: .nan}\n";
        let errors = parse(yaml, true).expect_err("rejected");
        assert_eq!(errors[0].code, "hsl::fixture::non_finite");
        assert_eq!(&yaml[errors[0].span().start as usize..errors[0].span().end as usize], ".nan");
        assert_eq!(code(parse("arguments: {close: remote}\ncontext: [-.inf]\n", true)), "hsl::fixture::non_finite");
        // A big but finite number is a number.
        assert!(parse(&format!("{{{HEAD_JSON},\"context\":123456789012345678901234567890}}"), false).is_ok());
    }
}
