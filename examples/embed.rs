//! Embedding hsl: compile a disconnect script once, run it for every connection.
//!
//! `cargo run --example embed`

use hsl::Engine;
use hsl::hook::fixture::inputs_from_json;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new();
    let script = engine.compile_hook(
        "disconnect",
        "count.hsl",
        r#"$context["closes"] = ($context["closes"] ?? 0) + 1; echo $connection["remoteip"] . " closed by " . $arguments["close"];"#,
    )?;
    let spec = engine.hook("disconnect").ok_or("no disconnect hook")?;
    for (ip, close) in [("192.0.2.1", "remote"), ("198.51.100.7", "local")] {
        let inputs = inputs_from_json(
            spec,
            &json!({"arguments": {"close": close}, "connection": {"id": "c", "serverid": "in", "remoteip": ip}}),
            std::path::Path::new("."),
        )
        .map_err(|errors| format!("{errors:?}"))?;
        let mut echo = Vec::new();
        let outcome = script.run_hook(&inputs, &mut echo, &Default::default());
        print!("{}", String::from_utf8_lossy(&echo));
        println!("  -> {} ({}), context {}", outcome.action, outcome.how.name(), outcome.context().to_display_string());
    }
    Ok(())
}
