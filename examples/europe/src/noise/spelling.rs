//! How a request writes text: the Latin-script schemes eIDs use (as written, capitals,
//! ICAO 9303 capitals; ELOT 743 or popular Greek spellings; the Bulgarian 2009 Act, ICAO
//! or older documents), each chosen at its share of requests and counted for
//! `summary.json`.

use super::{Counts, bump};
use crate::names::Script;
use crate::rng::Rng;
use crate::translit::{self, CyrillicScheme, GreekPopular, GreekScheme};

/// How a request writes text.
#[derive(Debug, Clone, Copy)]
pub(super) enum Spelling {
    /// Latin as written (case `upper`), or ICAO 9303 capitals (`icao`, with the
    /// two-letter alternatives when `expand`).
    Latin {
        upper: bool,
        icao: bool,
        expand: bool,
    },
    Greek {
        scheme: GreekScheme,
        upper: bool,
    },
    Cyrillic {
        scheme: CyrillicScheme,
        upper: bool,
    },
}

impl Spelling {
    /// `text` in this spelling.
    pub(super) fn apply(self, text: &str) -> String {
        match self {
            Spelling::Latin {
                icao: true, expand, ..
            } => translit::icao_upper(text, expand),
            Spelling::Latin { upper: true, .. } => text.to_uppercase(),
            Spelling::Latin { .. } => text.to_owned(),
            Spelling::Greek { scheme, upper } => {
                let t = if text.chars().any(translit::is_greek) {
                    translit::greek(text, scheme)
                } else {
                    text.to_owned()
                };
                if upper { t.to_uppercase() } else { t }
            }
            Spelling::Cyrillic { scheme, upper } => {
                let t = if text.chars().any(translit::is_cyrillic) {
                    translit::cyrillic(text, scheme)
                } else {
                    text.to_owned()
                };
                if upper { t.to_uppercase() } else { t }
            }
        }
    }
}

/// The spelling of one request, by the script of its country (and for Latin, how
/// often the country's ICAO capitals expand ü to UE).
pub(super) fn choose_spelling(
    script: Script,
    code: &str,
    rng: &mut Rng,
    counts: &mut Counts,
) -> Spelling {
    match script {
        Script::Latin => {
            let x = rng.unit();
            let expand_share = match code {
                "DE" => 0.85,
                "SE" | "FI" => 0.6,
                _ => 0.3,
            };
            let expand = rng.chance(expand_share);
            if x < 0.70 {
                bump(&mut counts.spelling, "latin_as_written");
                Spelling::Latin {
                    upper: false,
                    icao: false,
                    expand,
                }
            } else if x < 0.78 {
                bump(&mut counts.spelling, "latin_capitals");
                Spelling::Latin {
                    upper: true,
                    icao: false,
                    expand,
                }
            } else {
                bump(&mut counts.spelling, "latin_icao9303_capitals");
                Spelling::Latin {
                    upper: true,
                    icao: true,
                    expand,
                }
            }
        }
        Script::Greek => {
            let upper = rng.chance(0.5);
            if rng.chance(0.7) {
                bump(&mut counts.spelling, "greek_elot743");
                Spelling::Greek {
                    scheme: GreekScheme::Elot743,
                    upper,
                }
            } else {
                bump(&mut counts.spelling, "greek_popular");
                Spelling::Greek {
                    scheme: GreekScheme::Popular(popular_greek(rng)),
                    upper,
                }
            }
        }
        Script::Cyrillic => {
            let upper = rng.chance(0.5);
            let x = rng.unit();
            let scheme = if x < 0.80 {
                bump(&mut counts.spelling, "bulgarian_2009");
                CyrillicScheme::Bulgarian2009
            } else if x < 0.92 {
                bump(&mut counts.spelling, "bulgarian_icao9303");
                CyrillicScheme::Icao9303
            } else {
                bump(&mut counts.spelling, "bulgarian_legacy");
                CyrillicScheme::Legacy
            };
            Spelling::Cyrillic { scheme, upper }
        }
    }
}

/// A random subset of the popular Greek spelling rules, at least one of them on.
fn popular_greek(rng: &mut Rng) -> GreekPopular {
    let mut p = GreekPopular::default();
    loop {
        p.eta_e = rng.chance(0.25);
        p.chi_h = rng.chance(0.35);
        p.beta_b = rng.chance(0.1);
        p.ou_u = rng.chance(0.2);
        p.phi_ph = rng.chance(0.25);
        p.kappa_c = rng.chance(0.25);
        p.voiced = rng.chance(0.5);
        p.gamma_y = if rng.chance(0.4) {
            1 + rng.below(2) as u8
        } else {
            0
        };
        p.upsilon_i = rng.chance(0.15);
        p.xi_ks = rng.chance(0.1);
        if p != GreekPopular::default() {
            return p;
        }
    }
}
