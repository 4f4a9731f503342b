//! Homes and their post codes. A post code follows the country's format, starts with
//! the place's prefix, and is the same for every home in one street (it is derived from
//! the street, not drawn), as a registry's addresses are.

use super::{Address, Population};
use crate::rng::Rng;

impl Population {
    /// The post code of a street: the country's format, the place's prefix, the rest
    /// derived from (country, place, street) so that it is the same at every call.
    pub fn postcode(&self, c: usize, city: usize, street: usize) -> String {
        let country = self.country(c);
        let mut h = Rng::new(self.salt ^ (c as u64) << 40 ^ (city as u64) << 20 ^ street as u64);
        let prefix: Vec<char> = country.places[city].prefix.chars().collect();
        let mut k = 0;
        country
            .data
            .postcode
            .chars()
            .map(|t| match t {
                '#' => {
                    let d = prefix
                        .get(k)
                        .copied()
                        .unwrap_or_else(|| char::from(b'0' + h.below(10) as u8));
                    k += 1;
                    d
                }
                '@' => char::from(b'A' + h.below(26) as u8),
                other => other,
            })
            .collect()
    }

    /// A new home in `city`: a street of the country, a house number (low ones more
    /// common, sometimes with a letter) and its post code.
    pub fn new_address(&mut self, c: usize, city: usize) -> Address {
        let street = self.countries[c].street(&mut self.rng);
        let mut number = (1.0 + self.rng.unit().powi(2) * 160.0) as u32;
        if number == 0 {
            number = 1;
        }
        let mut number = number.to_string();
        if self.rng.chance(0.06) {
            number.push(*self.rng.pick(&['a', 'b', 'c', 'A', 'B']));
        }
        Address {
            postcode: self.postcode(c, city, street),
            city,
            street,
            number,
        }
    }
}
