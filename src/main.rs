//! The `hsl` binary: everything happens in [`hsl::cli`].

// mimalloc for speed, wrapped to count the bytes each run holds (the `memory` limit).
#[global_allocator]
static ALLOCATOR: hsl::TrackingAllocator<mimalloc::MiMalloc> = hsl::TrackingAllocator(mimalloc::MiMalloc);

fn main() -> std::process::ExitCode {
    hsl::cli::main()
}
