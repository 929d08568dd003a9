//! Parse and compile throughput over a large generated script (MB/s in criterion's throughput column).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hsl::Engine;
use hsl::source::SourceFile;

/// About 1 MB of realistic hook code: functions, loops, arrays, strings, regexes, classes.
fn generated_script() -> String {
    let mut text = String::new();
    let mut index = 0;
    while text.len() < 1_000_000 {
        text.push_str(&format!(
            r#"
function classify_{index}($connection, $limit = 10) {{
    $host = str_lower($connection["helo"]["host"] ?? "unknown");
    $labels = str_split($host, ".");
    if ($host =~ #/^[a-z]+[0-9]*\.example\.(com|net)$/i) return ["local", length($labels)];
    else if (length($labels) > $limit or $host == "localhost") return ["suspect", 0];
    $scores = ["a" => 1, "b" => 2, 3 => [1, 2, 3]];
    foreach ($scores as $key => $value) {{ $total = ($total ?? 0) + (is_array($value) ? length($value) : $value); }}
    $line = "host=$host labels={index} total=" . ($total ?? 0) . ''raw\n'';
    return match ($labels[-1:][0] ?? "") {{ "com", "net" => ["relay", $total], default => ["other", 0], }};
}}
class Counter_{index} {{
    $count = 0;
    private $step = 1;
    constructor($step = 1) {{ $this->step = $step; }}
    function add() {{ $this->count += $this->step; return $this; }}
}}
$result_{index} = classify_{index}(["helo" => ["host" => "mx{index}.example.com"]]);
"#
        ));
        index += 1;
    }
    text
}

fn parse(c: &mut Criterion) {
    let text = generated_script();
    let file = SourceFile::new("generated.hsl", text.as_str());
    let engine = Engine::new();
    let mut group = c.benchmark_group("front end");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse 1 MB", |b| b.iter(|| hsl::syntax::parse(&file).expect("parses")));
    group.bench_function("parse + check + compile 1 MB", |b| {
        b.iter(|| engine.compile("generated.hsl", &text).expect("compiles"))
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
