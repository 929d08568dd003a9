//! The benchmark programs of `../shared/bench/programs/` (scaled down), compiled once and run per iteration.

use criterion::{Criterion, criterion_group, criterion_main};
use hsl::Engine;

fn programs(c: &mut Criterion) {
    let engine = Engine::new();
    let mut group = c.benchmark_group("programs");
    group.sample_size(10);
    for name in ["fib", "loop", "strings", "assoc", "array", "calls", "objects", "disconnect"] {
        let path = format!("{}/benches/programs/{name}.hsl", env!("CARGO_MANIFEST_DIR"));
        let script = engine.compile_file(std::path::Path::new(&path), None).expect("benchmark compiles");
        group.bench_function(name, |b| b.iter(|| script.run(&mut hsl::output::Discard).expect("benchmark runs")));
    }
    group.finish();
}

criterion_group!(benches, programs);
criterion_main!(benches);
