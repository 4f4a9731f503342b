-- Austrian birth register (fictitious people only), SQLite.
-- Run once by the adapter (connection `init:` in adapter.yaml) when the database file does
-- not exist yet. A real deployment points `url:` at the registry and drops `init:`.

CREATE TABLE geburtenbuch (
    eintragsnummer     TEXT PRIMARY KEY,          -- register entry number
    familienname       TEXT NOT NULL,
    vorname            TEXT NOT NULL,
    geburtsname        TEXT,                      -- name at birth, if different
    geschlecht         TEXT NOT NULL CHECK (geschlecht IN ('F', 'M', 'X')),
    geburtsdatum       TEXT NOT NULL,             -- YYYY-MM-DD
    geburtsort         TEXT NOT NULL,
    vater              TEXT,
    mutter             TEXT,
    eintragungsdatum   TEXT NOT NULL,             -- YYYY-MM-DD
    standesamt         TEXT NOT NULL
);
CREATE INDEX geburtenbuch_geburtsdatum ON geburtenbuch (geburtsdatum);

INSERT INTO geburtenbuch VALUES
 ('G 1201/1988', 'Gruber',      'Theresia',  NULL,       'F', '1988-04-17', 'Wien',       'Josef Gruber',     'Maria Gruber',      '1988-04-20', 'Standesamt Wien-Innere Stadt'),
 ('G 0377/1990', 'Öztürk',      'Elif',      NULL,       'F', '1990-11-03', 'Graz',       'Mehmet Öztürk',    'Ayşe Öztürk',       '1990-11-06', 'Standesamt Graz'),
 ('G 0912/1975', 'Hörbiger',    'Günther',   NULL,       'M', '1975-02-28', 'Salzburg',   'Franz Hörbiger',   'Anneliese Hörbiger','1975-03-03', 'Standesamt Salzburg'),
 ('G 2210/1979', 'Novák',       'Zdeněk',    NULL,       'M', '1979-09-12', 'Linz',       NULL,               'Jana Nováková',     '1979-09-14', 'Standesamt Linz'),
 ('G 1544/1983', 'Leitner-Šimić','Katarina', 'Šimić',    'F', '1983-07-30', 'Innsbruck',  'Ivan Šimić',       'Ljiljana Šimić',    '1983-08-02', 'Standesamt Innsbruck'),
 ('G 0815/1995', 'Wimmer',      'Lukas',     NULL,       'M', '1995-05-21', 'Wien',       'Stefan Wimmer',    'Eva Wimmer',        '1995-05-23', 'Standesamt Wien-Innere Stadt'),
 ('G 0816/1995', 'Wimmer',      'Lukas',     NULL,       'M', '1995-05-21', 'Wien',       'Stefan Wimmer',    'Eva Wimmer',        '1995-05-23', 'Standesamt Wien-Innere Stadt');
-- The last two rows are fictitious homonyms (same names, same date): the matcher refuses them.
