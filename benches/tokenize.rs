//! (a) Raw tokenization throughput: lindera over the embedded IPADIC (the `ja` view), on the
//! exact text the index gets for every talk, in MB/s of that text. `ja+gram` adds the bigram
//! view, i.e. all the analysis a full index build does per talk.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use talknotes::search::analysis::{Morphology, Normal, Tokens, index_grams_into};

fn tokenize(c: &mut Criterion) {
    let morphology = Morphology::shared().expect("the embedded dictionary loads");
    for notes in support::sizes(&[1_000, 10_000]) {
        let (root, _) = support::kb(notes);
        let texts = support::talk_texts(&root);
        let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
        let mut group = c.benchmark_group(format!("tokenize/{}", support::size_label(notes)));
        group
            .throughput(Throughput::Bytes(bytes))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(if notes > 5_000 { 20 } else { 4 }));
        // As the index build does it: one normalisation and one analysis (words, pairs and
        // katakana cuts) per text, grams into a reused buffer.
        let mut buffer = Tokens::default();
        group.bench_function("ja", |b| {
            b.iter(|| {
                let mut tokens = 0;
                for text in &texts {
                    tokens += morphology.analyse(&Normal::new(text)).words.len();
                }
                black_box(tokens)
            })
        });
        group.bench_function("ja+gram", |b| {
            b.iter(|| {
                let mut tokens = 0;
                for text in &texts {
                    let normal = Normal::new(text);
                    let analysis = morphology.analyse(&normal);
                    buffer.clear();
                    index_grams_into(normal.as_str(), &analysis.cuts, &mut buffer);
                    tokens += analysis.words.len() + buffer.len();
                }
                black_box(tokens)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, tokenize);
criterion_main!(benches);
