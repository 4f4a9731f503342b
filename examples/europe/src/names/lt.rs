//! Lithuania: three surname forms (Kazlauskas; his wife Kazlauskienė; his daughter
//! Kazlauskaitė), ė, ū, č, š, ž and the nasal vowels, near-namesakes
//! (Petrauskas/Petraitis/Petkevičius, Stankevičius/Stankus). A wife takes the -ienė form
//! of her husband's surname; her birth name is the -aitė/-ytė/-utė form of her father's.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "LT",
    script: Script::Latin,
    weight: 4.0,
    rule: SurnameRule::Lithuanian,
    compound: Compound::Single,
    surnames: "Kazlauskas; Jankauskas; Petrauskas; Stankevičius; Vasiliauskas; Žukauskas; \
        Butkus; Paulauskas; Urbonas; Kavaliauskas; Baranauskas; Pocius; Sakalauskas; \
        Navickas; Ramanauskas; Savickas; Rimkus; Kairys; Žilinskas; Adomaitis; Jonaitis; \
        Mockus; Šimkus; Vaitkus; Lukoševičius; Balčiūnas; Kučinskas; Jakubauskas; \
        Mikalauskas; Ivanauskas; Stonkus; Kaminskas; Katinas; Bernotas; Juška; Rutkauskas; \
        Grigas; Gudelis; Petraitis; Norkus; Černiauskas; Mažeika; Kuzmickas; Vitkus; \
        Jasiūnas; Šukys; Kazakevičius; Dambrauskas; Žemaitis; Bagdonas; Marcinkevičius; \
        Daukša; Gailius; Barauskas; Mickus; Tamošiūnas; Valantinas; Jurevičius; Sinkevičius; \
        Lapinskas; Kubilius; Morkūnas; Jankūnas; Vaitkevičius; Liutkus; Povilaitis; \
        Šimkūnas; Stankus; Tamulis; Pranckevičius; Markevičius; Grinius; Jurgaitis; Lukšys; \
        Venckus; Petkevičius; Urbonavičius; Kasparavičius; Stankūnas; Žukas; Kazlauskis; \
        Ambrasas; Čepulis; Šalkauskas",
    male: "Jonas; ^Petras; ^Antanas; ^Juozas; Vytautas; ^Kazys; Tomas; Mindaugas; Darius; \
        Andrius; Mantas; Paulius; ^Algirdas; ^Rimantas; Povilas; ^Kęstutis; Gintaras; Saulius; \
        Marius; Aurimas; Dainius; Vidas; Arūnas; Giedrius; Linas; Donatas; Audrius; Evaldas; \
        Žilvinas; Ričardas; ^Stasys; ^Vladas; Aleksandras; Jurgis; ^Vincas; ^Algimantas; \
        ^Romualdas; ^Edvardas; Gediminas; +Lukas; +Matas; +Dominykas; +Nojus; +Kajus; +Benas; \
        +Jokūbas; +Emilis; +Herkus; +Augustas; +Ignas; Martynas; +Karolis; +Domantas; +Justinas; \
        +Rokas; +Arnas; +Deividas; Egidijus; +Gabrielius; Viktoras",
    female: "^Ona; Marija; ^Janina; ^Aldona; Irena; ^Danutė; ^Birutė; ^Genovaitė; ^Regina; Elena; \
        Kristina; Rasa; Jurgita; Daiva; Vilma; Inga; Laura; Rūta; Asta; Jolanta; ^Gražina; \
        Dalia; ^Vida; Rita; Giedrė; Agnė; Eglė; Ieva; +Gabija; +Emilija; +Austėja; +Kamilė; +Lėja; \
        +Urtė; +Gabrielė; +Viktorija; +Greta; +Ugnė; +Goda; +Miglė; Justina; Aušra; Lina; Edita; \
        ^Nijolė; ^Zita; Loreta; Jūratė; Violeta; Renata; Sigita; Simona; Monika; Indrė; Aistė; \
        Neringa; Ramunė; Vaida; Živilė; +Paulina; +Toma",
    twins: "Paulius|Paulina; Tomas|Toma; Emilis|Emilija; Gabrielius|Gabrielė; \
        Dominykas|Domantas; Kajus|Kamilė; Augustas|Austėja; Justinas|Justina; \
        Viktoras|Viktorija; Lukas|Matas; Ugnė|Urtė; Jonas|Jokūbas",
    places: "Vilnius=0=590; Kaunas=4=300; Klaipėda=9=152; Šiauliai=7=108; Panevėžys=3=88; \
        Alytus=6=51; Marijampolė=68=36; Mažeikiai=89=33; Jonava=55=27; Utena=28=25; \
        Kėdainiai=57=23; Telšiai=87=22; Tauragė=72=22; Ukmergė=20=20; Visaginas=31=17; \
        Plungė=90=17; Kretinga=97=17; Šilutė=99=16; Radviliškis=82=16; Palanga=00=17; \
        Druskininkai=66=13; Rokiškis=42=12; Biržai=41=12; Kuršėnai=81=11; Garliava=53=13; \
        Elektrėnai=26=11; Jurbarkas=74=10; Vilkaviškis=70=10; Raseiniai=60=10; \
        Anykščiai=29=9; Lentvaris=25=10; Prienai=59=9; Joniškis=84=9; Kelmė=86=8; \
        Varėna=65=8; Kaišiadorys=56=8; Pasvalys=39=7; Kupiškis=40=6; Zarasai=32=6; \
        Skuodas=98=6; Trakai=21=5; Nida=93=2",
    streets: "Gedimino pr.; Vilniaus g.; Laisvės al.; Kauno g.; Taikos pr.; Mokyklos g.; \
        Sodų g.; Liepų g.; Beržų g.; Žalioji g.; Pušų g.; Klevų g.; Ąžuolų g.; Vytauto g.; \
        Basanavičiaus g.; Maironio g.; Dariaus ir Girėno g.; Parko g.; Ežero g.; Tilto g.; \
        Naujoji g.; Pievų g.; Saulės g.; Miško g.; Respublikos g.",
    postcode: "LT-#####",
    customs: Customs {
        second_given: 0.1,
        marriage_change_old: 0.95,
        marriage_change_new: 0.85,
        double_surname: 0.06,
        grandparent_naming: 0.05,
        junior: 0.03,
        registry_upper: 0.05,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::AsmensKodas,
};
