-- Portuguese vehicle register (fictitious owners and vehicles), SQLite.
-- Run once by the adapter (connection `init:` in adapter.yaml) when the database file does
-- not exist yet. A real deployment points `url:` at the registry and drops `init:`.

CREATE TABLE proprietarios (
    id             INTEGER PRIMARY KEY,
    apelido        TEXT NOT NULL,    -- family name(s)
    nome_proprio   TEXT NOT NULL,    -- given name(s)
    data_nascimento TEXT NOT NULL,   -- YYYY-MM-DD
    morada         TEXT NOT NULL     -- address
);
CREATE INDEX proprietarios_data_nascimento ON proprietarios (data_nascimento);

CREATE TABLE veiculos (
    matricula          TEXT PRIMARY KEY,   -- registration plate
    proprietario_id    INTEGER NOT NULL REFERENCES proprietarios (id),
    vin                TEXT NOT NULL,
    marca              TEXT NOT NULL,
    modelo             TEXT NOT NULL,
    categoria          TEXT NOT NULL,      -- EU vehicle category (M1, N1, L3e…)
    combustivel        TEXT NOT NULL,
    data_primeira_matricula TEXT NOT NULL, -- YYYY-MM-DD
    data_registo_propriedade TEXT NOT NULL -- YYYY-MM-DD, owner registered since
);

INSERT INTO proprietarios VALUES
 (1, 'Gonçalves Simões', 'João', '1981-06-24', 'Rua da Alegria 15, 4000-042 Porto'),
 (2, 'Araújo',           'Inês', '1993-01-30', 'Avenida da República 101, 1050-190 Lisboa'),
 (3, 'Conceição',        'Tomé', '1970-10-05', 'Largo do Carmo 4, 3000-098 Coimbra');

INSERT INTO veiculos VALUES
 ('AA-12-BC', 1, 'VF1RFB00X12345678', 'Renault', 'Mégane',  'M1', 'Gasóleo',  '2016-03-11', '2019-08-02'),
 ('45-XZ-91', 2, 'WVWZZZAUZKW123456', 'Volkswagen', 'Golf', 'M1', 'Elétrico', '2021-05-20', '2021-05-20'),
 ('67-QL-02', 2, 'JYARN23E9JA000123', 'Yamaha', 'MT-07',    'L3e', 'Gasolina', '2018-04-04', '2022-02-15'),
 ('11-AB-22', 3, 'ZFA31200000654321', 'Fiat', 'Panda',      'M1', 'Gasolina', '2008-09-30', '2008-09-30');
-- Inês Araújo owns two vehicles: the query returns one row per vehicle, which the exact
-- matcher treats as two candidates (ambiguous) — see the mapping file.
