use talknotes::search::analysis::{Morphology, Normal};
fn main() {
    let m = Morphology::shared().unwrap();
    for t in std::env::args().skip(1) {
        let toks: Vec<String> = m
            .tokens(&Normal::new(&t))
            .into_iter()
            .map(|g| format!("{}@{}", g.text, g.position))
            .collect();
        println!("{t}: {}", toks.join(" "));
        println!("  cuts {:?}", m.katakana_cuts(&t));
    }
}
