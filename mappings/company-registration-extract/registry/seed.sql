-- Czech commercial register (fictitious companies only), SQLite.
-- Run once by the adapter (connection `init:` in adapter.yaml) when the database file does
-- not exist yet. A real deployment points `url:` at the registry and drops `init:`.

CREATE TABLE spolecnosti (
    ico               TEXT PRIMARY KEY,     -- company identification number (8 digits)
    obchodni_firma    TEXT NOT NULL,        -- registered name
    pravni_forma      TEXT NOT NULL,        -- legal form
    sidlo_ulice       TEXT NOT NULL,
    sidlo_psc         TEXT NOT NULL,
    sidlo_obec        TEXT NOT NULL,
    spisova_znacka    TEXT NOT NULL,        -- file number at the registry court
    datum_zapisu      TEXT NOT NULL,        -- YYYY-MM-DD, date of incorporation
    zakladni_kapital  TEXT,                 -- share capital, as registered
    predmet_podnikani TEXT NOT NULL,        -- business activities
    statutarni_organ  TEXT NOT NULL,        -- statutory body (names, roles)
    stav              TEXT NOT NULL CHECK (stav IN ('aktivní', 'v likvidaci', 'zaniklá')),
    aktualizovano     TEXT NOT NULL         -- YYYY-MM-DD, last change of the entry
);

INSERT INTO spolecnosti VALUES
 ('27074358', 'Pražské strojírny Kovář s.r.o.', 'společnost s ručením omezeným', 'Křižíkova 148/34', '186 00', 'Praha 8',
  'C 98765 vedená u Městského soudu v Praze', '2003-05-12', '200 000 Kč', 'Výroba, obchod a služby neuvedené v přílohách 1 až 3 živnostenského zákona',
  'jednatel: Jiří Kovář', 'aktivní', '2025-11-03'),
 ('06123987', 'Zelená Čajovna Hájek a.s.', 'akciová společnost', 'Náměstí Míru 1219/15', '120 00', 'Praha 2',
  'B 22334 vedená u Městského soudu v Praze', '2017-06-01', '2 000 000 Kč', 'Hostinská činnost',
  'předsedkyně představenstva: Šárka Hájková; člen představenstva: Ondřej Říha', 'aktivní', '2025-09-18'),
 ('45678912', 'Dřevovýroba Šťastný v.o.s.', 'veřejná obchodní společnost', 'Husova 52', '370 01', 'České Budějovice',
  'A 1567 vedená u Krajského soudu v Českých Budějovicích', '1994-02-21', NULL, 'Zpracování dřeva, výroba dřevěných a korkových výrobků',
  'společníci: Tomáš Šťastný, Věra Šťastná', 'v likvidaci', '2025-12-01');

-- Who may act for each company (statutory body members), for the mapping's
-- `representation:` check: a request's AuthorizedRepresentative must be one of them, and
-- the power must cover the request's PowerOfRepresentationScope (procedure codes,
-- comma-separated; '00' = every procedure).
CREATE TABLE statutarni_zastupci (
    ico            TEXT NOT NULL REFERENCES spolecnosti (ico),
    prijmeni       TEXT NOT NULL,        -- family name
    jmeno          TEXT NOT NULL,        -- given name(s)
    datum_narozeni TEXT NOT NULL,        -- YYYY-MM-DD
    funkce         TEXT NOT NULL,        -- role in the statutory body
    rozsah         TEXT NOT NULL         -- procedures the power covers
);

INSERT INTO statutarni_zastupci VALUES
 ('27074358', 'Kovář', 'Jiří', '1968-11-23', 'jednatel', '00'),
 ('06123987', 'Hájková', 'Šárka', '1979-02-14', 'předsedkyně představenstva', '00'),
 ('06123987', 'Říha', 'Ondřej', '1985-06-07', 'člen představenstva', 'X1'),
 ('45678912', 'Šťastný', 'Tomáš', '1961-08-30', 'společník', '00'),
 ('45678912', 'Šťastná', 'Věra', '1963-12-01', 'společnice', '00');
