//! Meeting files on arbitrary text: loading never panics, and every error
//! it reports names the file and a line and column inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plenary_core::definition::load_str;

const FILE: &str = "fuzz.toml";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = load_str(FILE, text) {
        assert!(!errors.is_empty(), "refused without an error");
        // A span may end just past a final newline: one line more than
        // `lines()` counts.
        let lines = text.split('\n').count();
        for e in &errors {
            assert_eq!(e.file, FILE);
            assert!(
                (1..=lines).contains(&e.line),
                "line {} of {lines}: {e}",
                e.line
            );
            let width = text
                .split('\n')
                .nth(e.line - 1)
                .map_or(0, |l| l.chars().count());
            assert!(
                (1..=width + 1).contains(&e.column),
                "column {} of {width}: {e}",
                e.column
            );
            assert!(!e.message.is_empty(), "no message: {e}");
        }
    }
});
