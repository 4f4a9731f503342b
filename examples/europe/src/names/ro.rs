//! Romania: ă, â, î, ș, ț (older registry records write ş and ţ with a cedilla, eIDs the
//! comma below), near-namesakes (Popa/Pop/Popescu/Popovici, Stan/Stanciu/Stănescu).
//! A wife takes her husband's surname.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "RO",
    script: Script::Latin,
    weight: 6.0,
    rule: SurnameRule::Same,
    compound: Compound::Single,
    surnames: "Popa; Popescu; Pop; Radu; Dumitru; Stan; Stoica; Gheorghe; Matei; Rusu; \
        Mihai; Ciobanu; Constantin; Marin; Ionescu; Florea; Ilie; Munteanu; Toma; Stanciu; \
        Moldovan; Oprea; Dinu; Tudor; Lazăr; Barbu; Ion; Dobre; Enache; Sandu; Ene; Andrei; \
        Diaconu; Niculae; Mocanu; Grigore; Vasile; Popovici; Nistor; Cristea; Neagu; Lungu; \
        Dima; Voicu; Manea; Zamfir; Sârbu; Anghel; Preda; Ursu; Nedelcu; Dumitrescu; \
        Niculescu; Georgescu; Stoian; Bălan; Coman; Mihăilescu; Marinescu; Dragomir; Sima; \
        Tănase; Iordache; Bogdan; Nica; Cojocaru; Ispas; Roman; Pavel; Avram; Stănescu; \
        Badea; Costea; Paraschiv; Drăgan; Neacșu; Țurcanu; Șerban; Ștefan; Stoenescu; Puiu; \
        Bucur; Buzatu; Dumitrașcu; Păun; Mureșan; Lupu; Căpraru; Țăranu",
    male: "^Ion; ^Gheorghe; ^Vasile; ^Constantin; Alexandru; Mihai; Andrei; ^Nicolae; ^Ioan; \
        ^Dumitru; Ștefan; Florin; Marian; Daniel; Adrian; Gabriel; Cristian; +Ionuț; Marius; \
        ^Petru; Mircea; Cătălin; Dan; Bogdan; ^Costel; Iulian; Sorin; Valentin; ^Viorel; +Alin; \
        Ovidiu; Lucian; George; Emil; Radu; +Răzvan; +Cosmin; +Sebastian; Paul; +Tudor; +Matei; \
        +David; +Luca; ^Ilie; ^Aurel; ^Traian; Octavian; Silviu; Claudiu; Liviu; Laurențiu; \
        Costin; Dragoș; Horia; Vlad; Eugen; Victor",
    female: "Maria; Elena; Ioana; Mariana; Ana; Gabriela; +Andreea; Mihaela; Cristina; \
        ^Georgeta; Florentina; Daniela; +Alexandra; ^Elisabeta; Nicoleta; Alina; Ionela; \
        ^Constanța; ^Rodica; Victoria; ^Gheorghița; Adriana; Violeta; Simona; +Ana-Maria; \
        ^Vasilica; ^Aurelia; ^Florica; ^Doina; Camelia; Ramona; Lucia; Mirela; Monica; Carmen; \
        +Raluca; Oana; Iuliana; Diana; +Roxana; Loredana; +Larisa; +Bianca; +Denisa; +Ștefania; \
        +Sofia; +Eva; +Antonia; Irina; ^Ileana; Veronica; Lavinia; Claudia; Anca; Valentina; \
        Paula; Emilia; ^Viorica; Silvia; ^Luminița",
    twins: "Andrei|Andreea; Alexandru|Alexandra; Daniel|Daniela; Gabriel|Gabriela; \
        Ionuț|Ionela; Cristian|Cristina; Mihai|Mihaela; Valentin|Valentina; \
        Florin|Florentina; Claudiu|Claudia; Paul|Paula; Ștefan|Ștefania",
    places: "București=0=1720; Cluj-Napoca=400=325; Timișoara=300=320; Iași=700=290; \
        Constanța=900=285; Craiova=200=270; Brașov=500=255; Galați=800=250; \
        Ploiești=100=210; Oradea=410=200; Brăila=810=180; Arad=310=160; Pitești=110=155; \
        Sibiu=550=147; Bacău=600=145; Târgu Mureș=540=134; Baia Mare=430=123; \
        Buzău=120=115; Botoșani=710=106; Satu Mare=440=102; Râmnicu Vâlcea=240=98; \
        Drobeta-Turnu Severin=220=92; Suceava=720=92; Piatra Neamț=610=85; \
        Târgu Jiu=210=82; Târgoviște=130=79; Focșani=620=79; Bistrița=420=75; \
        Reșița=320=73; Tulcea=820=73; Călărași=910=65; Alba Iulia=510=63; Giurgiu=080=61; \
        Deva=330=61; Hunedoara=331=60; Zalău=450=56; Sfântu Gheorghe=520=56; Bârlad=731=55; \
        Vaslui=730=55; Slatina=230=70; Mediaș=551=47; Sighișoara=545=28; Câmpulung=115=31",
    streets: "Strada Mihai Eminescu; Strada Principală; Strada Unirii; \
        Bulevardul Independenței; Strada Libertății; Strada Ștefan cel Mare; \
        Strada Mihai Viteazu; Strada Avram Iancu; Strada Florilor; Strada Morii; \
        Strada Școlii; Strada Bisericii; Calea Victoriei; Bulevardul Revoluției; \
        Strada Republicii; Strada Gării; Strada Nicolae Bălcescu; \
        Strada Tudor Vladimirescu; Strada Traian; Strada Decebal; Strada Teilor; \
        Strada Salcâmilor; Strada Crinului; Strada Viilor; Strada 1 Decembrie 1918",
    postcode: "######",
    customs: Customs {
        second_given: 0.25,
        marriage_change_old: 0.95,
        marriage_change_new: 0.85,
        double_surname: 0.05,
        grandparent_naming: 0.15,
        junior: 0.03,
        registry_upper: 0.1,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::Cnp,
};
