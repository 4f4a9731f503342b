//! The row both CSV files are made of (registry and requests share the columns), kept
//! apart because it is the generator's output format, used by every other part.

/// The columns of both CSV files, in order.
pub const COLUMNS: [&str; 13] = [
    "rec_id",
    "given_name",
    "surname",
    "birth_name",
    "date_of_birth",
    "place_of_birth",
    "gender",
    "postcode",
    "city",
    "street",
    "house_number",
    "person_id",
    "country",
];

/// One row of either file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub rec_id: String,
    pub given_name: String,
    pub surname: String,
    pub birth_name: String,
    pub date_of_birth: String,
    pub place_of_birth: String,
    pub gender: String,
    pub postcode: String,
    pub city: String,
    pub street: String,
    pub house_number: String,
    pub person_id: String,
    pub country: String,
}

impl Row {
    /// The fields in the order of [`COLUMNS`].
    pub fn fields(&self) -> [&str; 13] {
        [
            &self.rec_id,
            &self.given_name,
            &self.surname,
            &self.birth_name,
            &self.date_of_birth,
            &self.place_of_birth,
            &self.gender,
            &self.postcode,
            &self.city,
            &self.street,
            &self.house_number,
            &self.person_id,
            &self.country,
        ]
    }
}
