//! Embedding throughput: one compiled disconnect hook run once per simulated SMTP connection, with the
//! `$connection` global built fresh from the host's own values every run (what a mail server does), reported
//! as runs per second on one thread and on every core. The script is the hook of the shared benchmark's
//! embedding anchors (`../shared/bench/peers/rhai-embed`, `lua-embed`), written in HSL.
//!
//! `cargo bench --bench throughput [-- RUNS]`; under `cargo test --benches` it runs a few hundred runs as a
//! smoke test.

use std::time::Instant;

// What a host would use: mimalloc, counting bytes for the memory limit.
#[global_allocator]
static ALLOCATOR: hsl::TrackingAllocator<MiMalloc> = hsl::TrackingAllocator(MiMalloc);

/// mimalloc through its plain entry points. The `mimalloc` crate's allocator always calls the aligned
/// ones, which in mimalloc 3 fall back to over-allocating from another size class whenever the page at
/// hand is empty. Plain `mi_malloc` aligns to 8 bytes, and to 16 from 16 bytes up, which is what almost
/// every allocation asks for; the aligned entry points serve the rest.
struct MiMalloc;

impl MiMalloc {
    /// Whether `mi_malloc` of `size` bytes is aligned enough (8 always, 16 from 16 bytes up).
    fn plain(size: usize, align: usize) -> bool {
        align <= 8 || (align <= 16 && size >= 16)
    }
}

#[allow(unsafe_code)]
// SAFETY: each call forwards to the mimalloc function for the same block; `plain` keeps alignment.
unsafe impl std::alloc::GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        let pointer = match MiMalloc::plain(layout.size(), layout.align()) {
            true => unsafe { mi_malloc(layout.size()) },
            false => unsafe { mi_malloc_aligned(layout.size(), layout.align()) },
        };
        pointer.cast()
    }

    #[inline]
    unsafe fn dealloc(&self, pointer: *mut u8, _: std::alloc::Layout) {
        unsafe { libmimalloc_sys::mi_free(pointer.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, pointer: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        let moved = match MiMalloc::plain(new_size, layout.align()) {
            true => unsafe { mi_realloc(pointer.cast(), new_size) },
            false => unsafe { mi_realloc_aligned(pointer.cast(), new_size, layout.align()) },
        };
        moved.cast()
    }
}

use hsl::hook::fixture::HookInputs;
use hsl::output::Output;
use hsl::value::{Array, Key, Str};
use hsl::{Engine, Script, Value};

const HOOK: &str = r#"
$ip = $connection["remoteip"];
$port = $connection["remoteport"];
$verb = $connection["helo"]["verb"] ?? "NONE";
$host = str_lower($connection["helo"]["host"] ?? "unknown");
$labels = str_split($host, ".");
$n = length($labels);
$tld = $labels[$n - 1];
if ($host[-12:] == ".example.com") $outcome = "local";
else if ($host =~ #/^[a-z]+[0-9]*\.[a-z0-9-]+\./) $outcome = "relay";
else if ($host == "unknown") $outcome = "suspect";
else $outcome = "other";
$proto = $connection["tls"]["protocol"] ?? "none";
$user = $connection["auth"]["username"] ?? "-";
echo "disconnect ip=$ip port=$port verb=$verb host=$host tld=$tld labels=$n tls=$proto user=$user outcome=$outcome";
$context = $outcome;
Pass();
"#;

/// The host's own view of a connection.
struct Connection {
    remoteip: &'static str,
    remoteport: u16,
    helo: Option<(&'static str, &'static str)>,
    tls: Option<(&'static str, &'static str)>,
    auth: Option<(&'static str, Option<&'static str>)>,
}

const FIXTURES: [Connection; 8] = [
    Connection {
        remoteip: "192.0.2.10",
        remoteport: 41666,
        helo: Some(("EHLO", "Mail1.Example.COM")),
        tls: Some(("TLSv1.3", "TLS_AES_256_GCM_SHA384")),
        auth: Some(("PLAIN", Some("alice"))),
    },
    Connection { remoteip: "198.51.100.7", remoteport: 2525, helo: Some(("HELO", "unknown")), tls: None, auth: None },
    Connection {
        remoteip: "203.0.113.45",
        remoteport: 50123,
        helo: Some(("EHLO", "mx3.Customer-42.net")),
        tls: Some(("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384")),
        auth: None,
    },
    Connection { remoteip: "192.0.2.99", remoteport: 33000, helo: None, tls: None, auth: None },
    Connection {
        remoteip: "2001:db8::25",
        remoteport: 60001,
        helo: Some(("EHLO", "[IPv6:2001:db8::25]")),
        tls: None,
        auth: None,
    },
    Connection {
        remoteip: "198.51.100.200",
        remoteport: 45678,
        helo: Some(("EHLO", "smtp.BigCorp.co.uk")),
        tls: Some(("TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256")),
        auth: Some(("LOGIN", None)),
    },
    Connection { remoteip: "203.0.113.8", remoteport: 1025, helo: Some(("HELO", "localhost")), tls: None, auth: None },
    Connection {
        remoteip: "192.0.2.77",
        remoteport: 52000,
        helo: Some(("EHLO", "backup.example.com")),
        tls: Some(("TLSv1.3", "TLS_AES_128_GCM_SHA256")),
        auth: Some(("CRAM-MD5", Some("bob"))),
    },
];

/// The host's field names.
#[derive(Clone, Copy)]
enum Name {
    Id,
    Serverid,
    Remoteip,
    Remoteport,
    Helo,
    Verb,
    Host,
    Tls,
    Protocol,
    Cipher,
    Auth,
    Mechanism,
    Username,
    Close,
}

const NAMES: [&str; 14] = [
    "id",
    "serverid",
    "remoteip",
    "remoteport",
    "helo",
    "verb",
    "host",
    "tls",
    "protocol",
    "cipher",
    "auth",
    "mechanism",
    "username",
    "close",
];

/// How the host makes array keys from its field names: a new string every run, or once per thread and
/// cloned (what a host that interns its field names does; Lua interns every string, and Rhai keeps short
/// keys inline, so neither anchor allocates its keys).
enum Keys {
    Fresh,
    Interned(Vec<Key>),
}

impl Keys {
    fn interned() -> Keys {
        Keys::Interned(NAMES.iter().map(|name| Key::from(*name)).collect())
    }

    fn key(&self, name: Name) -> Key {
        match self {
            Keys::Fresh => Key::from(NAMES[name as usize]),
            Keys::Interned(keys) => keys[name as usize].clone(),
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Keys::Fresh => "fresh keys",
            Keys::Interned(_) => "interned keys",
        }
    }
}

/// The hook and where its globals go in its inputs, looked up once (as a host does when it loads the hook).
struct Slots<'a> {
    spec: &'a hsl::HookSpec,
    arguments: usize,
    connection: usize,
}

impl Slots<'_> {
    fn new(spec: &hsl::HookSpec) -> Slots<'_> {
        let index = |name| spec.global_index(name).expect("a disconnect global");
        Slots { spec, arguments: index("arguments"), connection: index("connection") }
    }
}

/// The hook's globals, built from the host's values (the per-connection work a server does).
fn inputs(slots: &Slots, keys: &Keys, connection: &Connection) -> HookInputs {
    let mut fields = Vec::with_capacity(7);
    fields.push((keys.key(Name::Id), Value::string("18c1d2e3-4f5a")));
    fields.push((keys.key(Name::Serverid), Value::string("inbound")));
    fields.push((keys.key(Name::Remoteip), Value::string(connection.remoteip)));
    fields.push((keys.key(Name::Remoteport), Value::number(f64::from(connection.remoteport))));
    if let Some((verb, host)) = connection.helo {
        let helo = vec![(keys.key(Name::Verb), Value::string(verb)), (keys.key(Name::Host), Value::string(host))];
        fields.push((keys.key(Name::Helo), Value::Array(Array::from_pair_vec(helo))));
    }
    if let Some((protocol, cipher)) = connection.tls {
        let tls =
            vec![(keys.key(Name::Protocol), Value::string(protocol)), (keys.key(Name::Cipher), Value::string(cipher))];
        fields.push((keys.key(Name::Tls), Value::Array(Array::from_pair_vec(tls))));
    }
    if let Some((mechanism, username)) = connection.auth {
        let mut auth = Vec::with_capacity(2);
        auth.push((keys.key(Name::Mechanism), Value::string(mechanism)));
        if let Some(username) = username {
            auth.push((keys.key(Name::Username), Value::string(username)));
        }
        fields.push((keys.key(Name::Auth), Value::Array(Array::from_pair_vec(auth))));
    }
    // The thread's spare vector, which the last run handed back: no allocation.
    let mut inputs = HookInputs::for_hook(slots.spec);
    let arguments = vec![(keys.key(Name::Close), Value::string("remote"))];
    inputs.values[slots.arguments] = Some(Value::Array(Array::from_pair_vec(arguments)));
    inputs.values[slots.connection] = Some(Value::Array(Array::from_pair_vec(fields)));
    inputs
}

/// Counts echoed bytes, as a host's log callback would see them.
#[derive(Default)]
struct CountBytes(u64);

impl Output for CountBytes {
    fn echo(&mut self, line: &[u8]) {
        self.0 += line.len() as u64;
    }
}

#[derive(Default, Debug, PartialEq)]
struct Tally {
    outcomes: [u64; 4],
    echoed: u64,
}

fn run(script: &Script, slots: &Slots, keys: &Keys, runs: usize, offset: usize) -> Tally {
    let mut tally = Tally::default();
    let mut output = CountBytes::default();
    for i in 0..runs {
        let inputs = inputs(slots, keys, &FIXTURES[(offset + i) % FIXTURES.len()]);
        let outcome = script.run_hook(inputs, &mut output, &Default::default());
        assert_eq!(outcome.how.name(), "explicit", "{:?}", outcome.error().map(|e| &e.message));
        // The host reads the outcome's bytes in place, as a server's log or policy code would.
        let context = outcome.context();
        let slot = match context.as_str().map(Str::as_bytes) {
            Some(b"local") => 0,
            Some(b"relay") => 1,
            Some(b"suspect") => 2,
            _ => 3,
        };
        tally.outcomes[slot] += 1;
    }
    tally.echoed = output.0;
    tally
}

fn main() {
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.replace('_', "").parse().ok())
        .unwrap_or(if measuring { 1_000_000 } else { 800 });
    let engine = Engine::new();
    let slots = Slots::new(engine.hook("disconnect").expect("built in"));
    let script = engine.compile_hook("disconnect", "throughput.hsl", HOOK).expect("compiles");

    for interned in [false, true] {
        measure(&script, &slots, runs, || if interned { Keys::interned() } else { Keys::Fresh });
    }
}

/// Runs `runs` hooks on one thread, then `runs` on each core, and prints runs per second; `keys` gives each
/// thread its way of making keys.
fn measure(script: &Script, slots: &Slots, runs: usize, keys: impl Fn() -> Keys + Sync) {
    let one = keys();
    run(script, slots, &one, runs / 100 + 8, 0); // warm caches and the allocator
    let start = Instant::now();
    let tally = run(script, slots, &one, runs, 0);
    let seconds = start.elapsed().as_secs_f64();
    // Every fixture is run equally often, so the outcome counts are fixed by the script's logic.
    let eighth = (runs / 8) as u64;
    if runs.is_multiple_of(8) {
        assert_eq!(tally.outcomes, [2 * eighth; 4], "outcomes");
    }
    println!(
        "{:<13} 1 thread:  {:>10.0} runs/s {:>7.0} ns/run   (local relay suspect other) = {:?}, echoed {} B",
        one.label(),
        runs as f64 / seconds,
        seconds * 1e9 / runs as f64,
        tally.outcomes,
        tally.echoed
    );

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let (script, keys) = (script.clone(), &keys);
                scope.spawn(move || run(&script, slots, &keys(), runs, thread))
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("no panic")).collect()
    });
    let seconds = start.elapsed().as_secs_f64();
    let total = (runs * threads) as f64;
    assert!(tallies.iter().all(|t| t.outcomes.iter().sum::<u64>() == runs as u64));
    println!(
        "{:<13} {threads} threads: {:>10.0} runs/s {:>7.0} ns/run per thread",
        one.label(),
        total / seconds,
        seconds * 1e9 / runs as f64
    );
}
