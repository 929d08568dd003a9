//! Embedding: one compiled disconnect script run once per simulated connection with fresh globals.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hsl::Engine;
use hsl::hook::fixture::inputs_from_json;
use serde_json::json;

const SCRIPT: &str = r#"
$ip = $connection["remoteip"];
$host = str_lower($connection["helo"]["host"] ?? "unknown");
$proto = $connection["tls"]["protocol"] ?? "none";
if ($arguments["close"] == "local") $context["local_closes"] = ($context["local_closes"] ?? 0) + 1;
echo "disconnect ip=$ip host=$host tls=$proto";
Pass();
"#;

fn embed(c: &mut Criterion) {
    let engine = Engine::new();
    let script = engine.compile_hook("disconnect", "bench.hsl", SCRIPT).expect("compiles");
    let spec = engine.hook("disconnect").expect("hook");
    let inputs: Vec<_> = (0..8)
        .map(|i| {
            inputs_from_json(
                spec,
                &json!({
                    "arguments": {"close": if i % 2 == 0 { "local" } else { "remote" }},
                    "connection": {"id": format!("c{i}"), "serverid": "in", "remoteip": format!("192.0.2.{i}"),
                                   "helo": {"verb": "EHLO", "host": format!("MX{i}.Example.com")}},
                    "context": {"local_closes": i}
                }),
                std::path::Path::new("."),
            )
            .expect("inputs")
        })
        .collect();
    let mut group = c.benchmark_group("embed");
    group.throughput(Throughput::Elements(1));
    let mut next = 0;
    group.bench_function("disconnect run", |b| {
        b.iter(|| {
            next = (next + 1) % inputs.len();
            script.run_hook(&inputs[next], &mut hsl::output::Discard, &Default::default())
        })
    });
    group.finish();
}

criterion_group!(benches, embed);
criterion_main!(benches);
