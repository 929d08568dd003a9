#!/bin/sh
# Fills fuzz/corpus/<target>/ with the repository's scripts: tests/run, tests/syntax and examples.
# Run from anywhere; the corpus is generated, not committed (see .gitignore).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
for target in lex parse run; do
    mkdir -p "$here/corpus/$target"
    find "$root/tests/run" "$root/tests/syntax" "$root/examples" -type f -name '*.hsl' | while read -r file; do
        # Flatten the path into a unique file name.
        name=$(printf '%s' "${file#"$root"/}" | tr '/' '_')
        cp "$file" "$here/corpus/$target/$name"
    done
done
echo "seeded $(ls "$here/corpus/run" | wc -l) files into each of $here/corpus/{lex,parse,run}"
