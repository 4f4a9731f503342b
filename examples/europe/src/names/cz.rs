//! Czechia: the -ová and -á women's surnames (Novák/Nováková, Černý/Černá), háčky and
//! čárky (Dvořák, Růžička), near-namesakes (Novák/Novotný/Nový/Nováček). A wife takes
//! her husband's surname.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "CZ",
    script: Script::Latin,
    weight: 5.0,
    rule: SurnameRule::Czech,
    compound: Compound::Single,
    surnames: "Novák; Svoboda; Novotný; Dvořák; Černý; Procházka; Kučera; Veselý; Horák; \
        Němec; Marek; Pospíšil; Pokorný; Hájek; Král; Jelínek; Růžička; Beneš; Fiala; \
        Sedláček; Doležal; Zeman; Kolář; Navrátil; Čermák; Vaněk; Urban; Blažek; Kříž; \
        Kovář; Kratochvíl; Bartoš; Vlček; Polák; Musil; Kopecký; Šimek; Konečný; Malý; \
        Holub; Čech; Štěpánek; Staněk; Kadlec|Kadlecová; Dostál; Soukup; Šťastný; Mareš; \
        Moravec; Sýkora; Tichý; Valenta; Vávra; Matoušek; Bláha; Říha; Ševčík; Bureš; \
        Hruška; Mašek; Pavlík; Dušek; Janda; Hrubý; Mach; Müller; Kubíček; Toman; Zedník; \
        Havel|Havlová; Hanák; Lukáš; Bednář; Kovářík; Jaroš; Vondráček; Kalina; Hrdlička; \
        Nový; Nováček; Šebesta; Chalupa; Řezníček; Vojtek; Tuček; Šindelář",
    male: "Jiří; Jan; Petr; ^Josef; Pavel; Martin; ^Jaroslav; Tomáš; ^Miroslav; ^Zdeněk; \
        ^František; ^Václav; Michal; Milan; ^Karel; +Jakub; +Lukáš; ^Vladimír; David; ^Ladislav; \
        +Ondřej; Roman; ^Stanislav; Marek; ^Antonín; Radek; Daniel; +Vojtěch; +Filip; +Adam; \
        +Matěj; ^Miloslav; Aleš; ^Jaromír; Libor; Luboš; +Dominik; ^Rudolf; +Patrik; ^Vlastimil; \
        ^Bohumil; ^Oldřich; Radim; Vít; +Štěpán; +Matyáš; +Kryštof; +Šimon; ^Vítězslav; Robert; \
        Ivan; Dušan; ^Ludvík; Richard; Emil; Hynek",
    female: "^Marie; Jana; Eva; Hana; Anna; Lenka; Kateřina; ^Věra; Lucie; Alena; Petra; \
        ^Jaroslava; Veronika; Martina; Jitka; +Tereza; ^Ludmila; Helena; Michaela; ^Zdeňka; \
        Ivana; ^Jarmila; Monika; Zuzana; ^Jiřina; Markéta; +Eliška; Marcela; +Barbora; ^Dagmar; \
        +Kristýna; Dana; ^Vlasta; +Adéla; +Natálie; +Klára; Irena; Pavla; ^Miroslava; ^Božena; \
        Andrea; Simona; Šárka; Renata; ^Libuše; ^Blanka; Radka; Iveta; +Karolína; +Nikola; ^Olga; \
        ^Milada; ^Drahomíra; ^Vladimíra; Štěpánka; Gabriela; +Denisa; +Magdaléna; +Vendula; \
        +Alžběta; Daniela; +Ema",
    twins: "Jan|Jana; Petr|Petra; Pavel|Pavla; Martin|Martina; Michal|Michaela; \
        Tomáš|Tereza; Daniel|Daniela; Jakub|Jan; Eliška|Ema; Adam|Adéla; Radek|Radka; \
        Ivan|Ivana; Jiří|Jiřina",
    places: "Praha=1=1330; Brno=6=380; Ostrava=7=285; Plzeň=30=175; Liberec=460=104; \
        Olomouc=77=100; České Budějovice=370=94; Hradec Králové=500=93; \
        Ústí nad Labem=400=92; Pardubice=530=91; Zlín=760=75; Havířov=736=71; Kladno=272=69; \
        Most=434=65; Opava=746=56; Frýdek-Místek=738=55; Karviná=733=50; Jihlava=586=51; \
        Teplice=415=49; Děčín=405=48; Karlovy Vary=360=48; Chomutov=430=48; \
        Jablonec nad Nisou=466=45; Mladá Boleslav=293=44; Prostějov=796=43; Přerov=750=42; \
        Česká Lípa=470=37; Třebíč=674=35; Třinec=739=35; Tábor=390=34; Znojmo=669=33; \
        Příbram=261=32; Cheb=350=31; Kolín=280=31; Trutnov=541=30; Písek=397=30; \
        Kroměříž=767=28; Šumperk=787=25; Vsetín=755=25; Uherské Hradiště=686=25; \
        Břeclav=690=24; Hodonín=695=24; Český Krumlov=381=13; Kutná Hora=284=20; \
        Beroun=266=19",
    streets: "Nádražní; Školní; Husova; Komenského; Masarykova; Palackého; Tyršova; \
        Zahradní; Smetanova; Jiráskova; Nerudova; Havlíčkova; Sokolská; Revoluční; Krátká; \
        Lesní; Luční; Polní; Květná; Žižkova; Riegrova; Dvořákova; Čs. armády; Na Výsluní; \
        U Školy; Družstevní; Příčná",
    postcode: "### ##",
    customs: Customs {
        second_given: 0.05,
        marriage_change_old: 0.97,
        marriage_change_new: 0.9,
        double_surname: 0.03,
        grandparent_naming: 0.03,
        junior: 0.04,
        registry_upper: 0.05,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::RodneCislo,
};
