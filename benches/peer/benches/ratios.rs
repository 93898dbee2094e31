//! The ratios of `peer.rs`, measured so that a busy machine reaches every side alike: each
//! round times every function in turn (`route`, `sign_then_to_json`, `ably-0.2`,
//! `hmac_prekeyed`, with the inputs and checks of `peer.rs`), each as the fastest of a few
//! short batches (a batch that another process interrupted is slower, never faster), and the
//! ratios are taken within the round; the medians over the rounds are printed, with the middle
//! half of the rounds' ratios.
//!
//! `cargo bench --bench ratios -- [rounds=101] [calls per batch=1000] [batches=7]`

use ably_auth::TokenIssuer;
use ably_auth_peer_bench::{Inputs, inputs, ready};
use hmac::Mac;
use std::hint::black_box;
use std::time::Instant;

/// Nanoseconds per call of `f`: the fastest of `batches` batches of `n` calls.
fn per_call<T>(n: u32, batches: u32, mut f: impl FnMut() -> T) -> f64 {
    (0..batches)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                black_box(f());
            }
            start.elapsed().as_nanos() as f64 / f64::from(n)
        })
        .fold(f64::INFINITY, f64::min)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn main() {
    // `cargo bench` passes `--bench`; the numbers are ours.
    let numbers: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rounds = numbers.first().copied().unwrap_or(101);
    let batch = numbers.get(1).copied().unwrap_or(1000);
    let batches = numbers.get(2).copied().unwrap_or(7);

    let Inputs {
        issuer,
        grant,
        ably_key,
        ably_params,
        text,
        keyed,
    } = inputs();

    let names = ["route", "sign_then_to_json", "ably-0.2", "hmac_prekeyed"];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    // One unmeasured round to warm caches, the allocator and the CPU's clock.
    for round in 0..=rounds {
        let t = [
            per_call(batch, batches, || {
                ready(issuer.issue_body(black_box(&grant))).unwrap()
            }),
            per_call(batch, batches, || {
                issuer.sign(black_box(&grant)).unwrap().to_json()
            }),
            per_call(batch, batches, || {
                let request = ably_key.sign(black_box(&ably_params)).unwrap();
                serde_json::to_string(&request).unwrap()
            }),
            per_call(batch, batches, || {
                keyed
                    .clone()
                    .chain_update(black_box(text.as_bytes()))
                    .finalize()
                    .into_bytes()
            }),
        ];
        if round > 0 {
            for (all, t) in times.iter_mut().zip(t) {
                all.push(t);
            }
        }
    }

    println!(
        "{rounds} rounds; per function and round the fastest of {batches} batches of {batch} calls; signed text {} bytes",
        text.len()
    );
    for (name, t) in names.iter().zip(&times) {
        println!("{name:<20} median {:>8.1} ns/call", median(t.clone()));
    }
    let ratio = |num: usize, den: usize| -> (f64, f64, f64) {
        let mut r: Vec<f64> = times[num]
            .iter()
            .zip(&times[den])
            .map(|(a, b)| a / b)
            .collect();
        r.sort_by(f64::total_cmp);
        let quartile = |q: usize| r[(r.len() - 1) * q / 4];
        (median(r.clone()), quartile(1), quartile(3))
    };
    for (label, (m, lo, hi)) in [
        ("ably-0.2 / route (target >= 2)", ratio(2, 0)),
        ("route / hmac_prekeyed (target <= 2.5)", ratio(0, 3)),
        ("sign_then_to_json / route", ratio(1, 0)),
        ("ably-0.2 / sign_then_to_json", ratio(2, 1)),
    ] {
        println!("{label:<40} median {m:.2}x (middle half of the rounds: {lo:.2}-{hi:.2}x)");
    }
}
