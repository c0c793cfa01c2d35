//! Prints every finding (any score) for each argument, with its explanation:
//! `cargo run -p nepenthe-detect --example explain -- "text one" "text two"`.

fn main() {
    let d = nepenthe_detect::Detector::new();
    for t in std::env::args().skip(1) {
        for s in d.detect_filtered(&t, None, nepenthe_detect::EntitySet::all(), 0.0) {
            println!(
                "{:?} {:?} {} {}",
                s.entity_type,
                &t[s.bstart..s.bend],
                s.score,
                s.explanation
            );
        }
    }
}
