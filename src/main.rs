//! The `hsl` binary: everything happens in [`hsl::cli`].

// The system allocator, counting the bytes each run holds (the `memory` limit). mimalloc measured no faster
// for single runs and used more memory; it pays off for multi-threaded hosts (benches/throughput.rs).
#[global_allocator]
static ALLOCATOR: hsl::TrackingAllocator = hsl::TrackingAllocator(std::alloc::System);

fn main() -> std::process::ExitCode {
    hsl::cli::main()
}
