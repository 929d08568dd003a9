//! The `hsl` binary: everything happens in [`hsl::cli`].

fn main() -> std::process::ExitCode {
    hsl::cli::main()
}
