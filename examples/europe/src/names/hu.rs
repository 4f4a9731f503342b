//! Hungary: the double acute (ő, ű), near-namesakes that differ by one letter
//! (Kis/Kiss, Pap/Papp, Balog/Balogh, Szűcs/Szücs, Bíró/Biró, Barta/Bartha), "junior"
//! sons. Hungarian puts the family name first; eIDAS splits the two, which is one
//! reason requests sometimes carry the names swapped.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "HU",
    script: Script::Latin,
    weight: 5.0,
    rule: SurnameRule::Same,
    compound: Compound::Single,
    surnames: "Nagy; Kovács; Tóth; Szabó; Horváth; Varga; Kiss; Molnár; Németh; Farkas; \
        Balogh; Papp; Takács; Juhász; Lakatos; Mészáros; Oláh; Simon; Rácz; Fekete; \
        Szilágyi; Török; Fehér; Balázs; Gál; Kis; Szűcs; Kocsis; Orsós; Pintér; Fodor; \
        Szalai; Sipos; Magyar; Lukács; Gulyás; Biró; Király; Balog; László; Katona; Jakab; \
        Bogdán; Sándor; Boros; Fazekas; Kelemen; Antal; Somogyi; Orosz; Fülöp; Veres; Budai; \
        Vincze; Hegedűs; Deák; Pap; Bálint; Illés; Pál; Vass; Szőke; Fábián; Vörös; Lengyel; \
        Bognár; Bodnár; Szücs; Hajdu; Halász; Jónás; Kozma; Máté; Székely; Gáspár; Pásztor; \
        Bakos; Dudás; Major; Virág; Orbán; Hegyi; Barta; Kun; Szekeres; Bartha; Bíró; Tót; \
        Győri; Erdős",
    male: "László; István; József; János; Zoltán; ^Sándor; Gábor; ^Ferenc; Attila; Péter; \
        Tamás; Zsolt; Tibor; András; Csaba; ^Imre; ^Lajos; ^György; Balázs; ^Mihály; Róbert; \
        ^Gyula; ^Károly; +Dávid; Dániel; ^Béla; +Ádám; Krisztián; Norbert; ^Miklós; Viktor; +Bence; \
        +Máté; +Levente; +Dominik; +Milán; +Olivér; +Márk; +Kristóf; +Áron; Roland; Richárd; ^Pál; \
        ^Antal; ^Géza; ^Ernő; ^Dezső; ^Jenő; ^Endre; Szabolcs; +Barnabás; +Marcell; +Zalán; +Botond; \
        +Benedek; Nándor; ^Kálmán; +Lőrinc",
    female: "^Mária; ^Erzsébet; Katalin; ^Ilona; Éva; Anna; Zsuzsanna; ^Margit; Judit; Ágnes; \
        Andrea; Erika; Krisztina; ^Irén; Eszter; ^Julianna; Edit; Anikó; Gabriella; ^Magdolna; \
        Szilvia; Mónika; Tímea; Ildikó; Viktória; ^Piroska; ^Rozália; ^Gizella; Hajnalka; \
        Zsófia; Anita; Beáta; Klára; ^Etelka; ^Ibolya; Marianna; +Nikolett; +Réka; +Dóra; +Hanna; \
        +Lili; +Luca; +Zoé; +Jázmin; +Boglárka; +Emma; +Lilla; +Kitti; +Nóra; Petra; +Vivien; +Fanni; \
        Csilla; Orsolya; Brigitta; Enikő; Kinga; Rita; Veronika; +Izabella",
    twins: "Bence|Benedek; Máté|Márk; Dániel|Dóra; Viktor|Viktória; Gábor|Gabriella; \
        Péter|Petra; Hanna|Anna; Lili|Luca; Kristóf|Krisztina; Zsófia|Zsuzsanna; \
        Levente|Lilla; Ádám|Áron",
    places: "Budapest=1=1700; Debrecen=40=200; Szeged=67=160; Miskolc=35=150; Pécs=76=140; \
        Győr=90=130; Nyíregyháza=44=116; Kecskemét=60=109; Székesfehérvár=80=95; \
        Szombathely=97=78; Szolnok=50=70; Tatabánya=28=66; Kaposvár=74=61; Érd=20=68; \
        Veszprém=82=59; Békéscsaba=56=59; Zalaegerszeg=89=57; Sopron=94=62; Eger=33=53; \
        Nagykanizsa=88=47; Dunaújváros=24=44; Hódmezővásárhely=68=43; Dunakeszi=21=44; \
        Cegléd=27=35; Baja=65=34; Szekszárd=71=32; Salgótarján=31=34; Ózd=36=32; Vác=26=33; \
        Mosonmagyaróvár=92=33; Gödöllő=21=34; Esztergom=25=28; Kiskunfélegyháza=61=29; \
        Gyöngyös=32=28; Pápa=85=30; Siófok=86=25; Hajdúböszörmény=42=31; Jászberény=51=26; \
        Orosháza=59=27; Mezőkövesd=34=16; Tiszaújváros=35=15",
    streets: "Kossuth Lajos utca; Petőfi Sándor utca; Rákóczi út; Dózsa György út; \
        Ady Endre utca; Arany János utca; Széchenyi István utca; Jókai Mór utca; Fő utca; \
        Béke utca; Táncsics Mihály utca; Bajcsy-Zsilinszky utca; Vörösmarty utca; \
        Deák Ferenc utca; Kölcsey utca; Szabadság tér; Hunyadi utca; Bem József utca; \
        Rózsa utca; Damjanich utca; Erkel Ferenc utca; Mátyás király út; Határ út; \
        Andrássy út; Váci utca",
    postcode: "####",
    customs: Customs {
        second_given: 0.15,
        marriage_change_old: 0.8,
        marriage_change_new: 0.5,
        double_surname: 0.1,
        grandparent_naming: 0.05,
        junior: 0.06,
        registry_upper: 0.05,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::HuPersonal,
};
