//! Generates the LALRPOP parser from `grammar/hsl.lalrpop` into `OUT_DIR`.
#![allow(clippy::expect_used)] // a build script may fail loudly

fn main() {
    println!("cargo:rerun-if-changed=grammar/hsl.lalrpop");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .set_out_dir(out_dir)
        .process()
        .expect("LALRPOP could not build grammar/hsl.lalrpop");
}
