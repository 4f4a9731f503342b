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
    standesamt         TEXT NOT NULL,
    personenkennzeichen TEXT UNIQUE              -- the person's identifier, as the sign-in gives it
);
CREATE INDEX geburtenbuch_geburtsdatum ON geburtenbuch (geburtsdatum);

INSERT INTO geburtenbuch VALUES
 ('G 1201/1988', 'Gruber',      'Theresia',  NULL,       'F', '1988-04-17', 'Wien',       'Josef Gruber',     'Maria Gruber',      '1988-04-20', 'Standesamt Wien-Innere Stadt', 'AT/AT/bPK-ZP:3xk9QmL2vT8wRb1N'),
 ('G 0377/1990', 'Öztürk',      'Elif',      NULL,       'F', '1990-11-03', 'Graz',       'Mehmet Öztürk',    'Ayşe Öztürk',       '1990-11-06', 'Standesamt Graz', 'AT/AT/bPK-ZP:7pYc2HsQe4Lw9DaF'),
 ('G 0912/1975', 'Hörbiger',    'Günther',   NULL,       'M', '1975-02-28', 'Salzburg',   'Franz Hörbiger',   'Anneliese Hörbiger','1975-03-03', 'Standesamt Salzburg', 'AT/AT/bPK-ZP:Vn5tJ8rKc1Xo6MgU'),
 ('G 2210/1979', 'Novák',       'Zdeněk',    NULL,       'M', '1979-09-12', 'Linz',       NULL,               'Jana Nováková',     '1979-09-14', 'Standesamt Linz', 'AT/AT/bPK-ZP:Qe2WbH7yNz4Ps9Lk'),
 ('G 1544/1983', 'Leitner-Šimić','Katarina', 'Šimić',    'F', '1983-07-30', 'Innsbruck',  'Ivan Šimić',       'Ljiljana Šimić',    '1983-08-02', 'Standesamt Innsbruck', 'AT/AT/bPK-ZP:Ld8Fs3Vq6Tm1Yc5R'),
 ('G 0815/1995', 'Wimmer',      'Lukas',     NULL,       'M', '1995-05-21', 'Wien',       'Stefan Wimmer',    'Eva Wimmer',        '1995-05-23', 'Standesamt Wien-Innere Stadt', 'AT/AT/bPK-ZP:Hw4Kn9Bx2Ej7Ug3S'),
 ('G 0816/1995', 'Wimmer',      'Lukas',     NULL,       'M', '1995-05-21', 'Wien',       'Stefan Wimmer',    'Eva Wimmer',        '1995-05-23', 'Standesamt Wien-Innere Stadt', 'AT/AT/bPK-ZP:Zr6Ma1Cv8Gt5Qy2P');
-- The last two rows are fictitious homonyms (same names, same date): the request alone cannot tell
-- them apart; the identifier the person signs in with in the preview space does.
