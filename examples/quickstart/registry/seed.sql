-- The quickstart's birth register: a German civil-registry office's records in SQLite.
-- Created and seeded by the adapter on first start (connection `init:` in adapter.yaml).
-- 1,200 synthetic people generated deterministically, plus the subjects of the two
-- official sample requests and a pair of synthetic twins (same names, same birth date).

CREATE TABLE birth_register (
    register_number   TEXT PRIMARY KEY,
    family_name       TEXT NOT NULL,
    given_name        TEXT NOT NULL,
    birth_name        TEXT,
    sex               TEXT NOT NULL CHECK (sex IN ('F', 'M', 'X')),
    date_of_birth     TEXT NOT NULL,           -- YYYY-MM-DD
    place_of_birth    TEXT NOT NULL,
    father_name       TEXT,
    mother_name       TEXT,
    registration_date TEXT NOT NULL,           -- YYYY-MM-DD
    registry_office   TEXT NOT NULL
);
CREATE INDEX birth_register_date_of_birth ON birth_register (date_of_birth);

CREATE TEMP TABLE family (i INTEGER PRIMARY KEY, name TEXT);
INSERT INTO family (i, name) VALUES
 (0,'Müller'),(1,'Schmidt'),(2,'Schneider'),(3,'Fischer'),(4,'Weber'),(5,'Meyer'),(6,'Wagner'),
 (7,'Becker'),(8,'Schulz'),(9,'Hoffmann'),(10,'Schäfer'),(11,'Koch'),(12,'Bauer'),(13,'Richter'),
 (14,'Klein'),(15,'Wolf'),(16,'Schröder'),(17,'Neumann'),(18,'Schwarz'),(19,'Zimmermann'),
 (20,'Braun'),(21,'Krüger'),(22,'Hofmann'),(23,'Hartmann'),(24,'Lange'),(25,'Schmitt'),
 (26,'Werner'),(27,'Schmitz'),(28,'Krause'),(29,'Meier'),(30,'Lehmann'),(31,'Schmid'),
 (32,'Schulze'),(33,'Maier'),(34,'Köhler'),(35,'Herrmann'),(36,'König'),(37,'Walter'),
 (38,'Mayer'),(39,'Huber'),(40,'Kaiser'),(41,'Fuchs'),(42,'Peters'),(43,'Lang'),(44,'Scholz'),
 (45,'Möller'),(46,'Weiß'),(47,'Jung'),(48,'Hahn'),(49,'Schubert'),(50,'Vogel'),(51,'Friedrich'),
 (52,'Keller'),(53,'Günther'),(54,'Frank'),(55,'Berger'),(56,'Winkler'),(57,'Roth'),
 (58,'Beck'),(59,'Lorenz'),(60,'Baumann'),(61,'Franke'),(62,'Albrecht'),(63,'Groß'),
 (64,'Yılmaz'),(65,'Kowalski'),(66,'Nowak'),(67,'Öztürk'),(68,'Popović'),(69,'Dąbrowski');
CREATE TEMP TABLE given_f (i INTEGER PRIMARY KEY, name TEXT);
INSERT INTO given_f (i, name) VALUES
 (0,'Anna'),(1,'Maria'),(2,'Ursula'),(3,'Monika'),(4,'Petra'),(5,'Sabine'),(6,'Renate'),
 (7,'Helga'),(8,'Karin'),(9,'Brigitte'),(10,'Ingrid'),(11,'Erika'),(12,'Andrea'),(13,'Gisela'),
 (14,'Claudia'),(15,'Susanne'),(16,'Gabriele'),(17,'Christa'),(18,'Christine'),(19,'Hildegard'),
 (20,'Jutta'),(21,'Käthe'),(22,'Lena'),(23,'Lea'),(24,'Hannah'),(25,'Zoë'),(26,'Ayşe'),(27,'Małgorzata');
CREATE TEMP TABLE given_m (i INTEGER PRIMARY KEY, name TEXT);
INSERT INTO given_m (i, name) VALUES
 (0,'Peter'),(1,'Wolfgang'),(2,'Michael'),(3,'Werner'),(4,'Klaus'),(5,'Thomas'),(6,'Manfred'),
 (7,'Helmut'),(8,'Jürgen'),(9,'Heinz'),(10,'Gerhard'),(11,'Andreas'),(12,'Hans'),(13,'Günter'),
 (14,'Dieter'),(15,'Horst'),(16,'Bernd'),(17,'Frank'),(18,'Uwe'),(19,'Stefan'),(20,'Jörg'),
 (21,'Lukas'),(22,'Felix'),(23,'Maximilian'),(24,'Paul'),(25,'Mehmet'),(26,'Łukasz'),(27,'René');
CREATE TEMP TABLE place (i INTEGER PRIMARY KEY, name TEXT);
INSERT INTO place (i, name) VALUES
 (0,'Berlin'),(1,'Hamburg'),(2,'München'),(3,'Köln'),(4,'Frankfurt am Main'),(5,'Stuttgart'),
 (6,'Düsseldorf'),(7,'Leipzig'),(8,'Dortmund'),(9,'Essen'),(10,'Bremen'),(11,'Dresden'),
 (12,'Hannover'),(13,'Nürnberg'),(14,'Duisburg'),(15,'Bochum');

WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 1200)
INSERT INTO birth_register
SELECT
    printf('G %04d/%s', k, strftime('%Y', date('1940-01-01', printf('+%d days', (k * 7919) % 29000)))),
    (SELECT name FROM family WHERE i = (k * 31) % 70),
    CASE WHEN k % 2 = 0
         THEN (SELECT name FROM given_f WHERE i = (k * 17) % 28)
         ELSE (SELECT name FROM given_m WHERE i = (k * 13) % 28) END,
    CASE WHEN k % 9 = 0 THEN (SELECT name FROM family WHERE i = (k * 7) % 70) END,
    CASE WHEN k % 2 = 0 THEN 'F' ELSE 'M' END,
    date('1940-01-01', printf('+%d days', (k * 7919) % 29000)),
    (SELECT name FROM place WHERE i = (k * 5) % 16),
    (SELECT name FROM given_m WHERE i = (k * 3) % 28) || ' ' || (SELECT name FROM family WHERE i = (k * 31) % 70),
    (SELECT name FROM given_f WHERE i = (k * 11) % 28) || ' ' || (SELECT name FROM family WHERE i = (k * 37) % 70),
    date('1940-01-01', printf('+%d days', (k * 7919) % 29000 + 2 + k % 5)),
    'Standesamt ' || (SELECT name FROM place WHERE i = (k * 5) % 16)
FROM n;

-- Subjects of the official sample requests.
INSERT INTO birth_register VALUES
 ('G 0088/1970', 'Smith', 'John', NULL, 'M', '1970-03-01', 'Hamburg', 'Robert Smith', 'Mary Smith', '1970-03-03', 'Standesamt Hamburg-Mitte'),
 ('G 4711/1992', 'Dupont', 'Jean', NULL, 'M', '1992-10-22', 'Berlin', 'Pierre Dupont', 'Claire Dupont', '1992-10-26', 'Standesamt Berlin I');

-- Synthetic twins: same names and birth date, different places (an ambiguous match).
INSERT INTO birth_register VALUES
 ('G 0612/1985', 'Schmidt', 'Anna', NULL, 'F', '1985-06-15', 'Leipzig', 'Karl Schmidt', 'Eva Schmidt', '1985-06-18', 'Standesamt Leipzig'),
 ('G 0613/1985', 'Schmidt', 'Anna', NULL, 'F', '1985-06-15', 'Dresden', 'Karl Schmidt', 'Eva Schmidt', '1985-06-18', 'Standesamt Dresden');

-- Synthetic brothers born the same day with similar given names (Jürgen is found as
-- JUERGEN MUELLER, and his brother Jörg is not taken for a typo).
INSERT INTO birth_register VALUES
 ('G 0301/1970', 'Müller', 'Jürgen', NULL, 'M', '1970-03-01', 'Köln', NULL, NULL, '1970-03-03', 'Standesamt Köln'),
 ('G 0302/1970', 'Müller', 'Jörg', NULL, 'M', '1970-03-01', 'Köln', NULL, NULL, '1970-03-03', 'Standesamt Köln');

DROP TABLE family;
DROP TABLE given_f;
DROP TABLE given_m;
DROP TABLE place;
