//! The `hsl` binary: everything happens in [`hsl::cli`].

// Counts the bytes each run holds, so the `memory` limit is enforced.
#[global_allocator]
static ALLOCATOR: hsl::TrackingAllocator = hsl::TrackingAllocator;

fn main() -> std::process::ExitCode {
    hsl::cli::main()
}
