//! Sweden: å, ä, ö; the -sson names and their near-namesakes (Karlsson/Carlsson,
//! Jonsson/Jönsson/Jansson, Lindgren/Lundgren, Lindqvist/Lundqvist); two or three given
//! names per person.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "SE",
    script: Script::Latin,
    weight: 5.0,
    rule: SurnameRule::Same,
    compound: Compound::Single,
    surnames: "Andersson; Johansson; Karlsson; Nilsson; Eriksson; Larsson; Olsson; Persson; \
        Svensson; Gustafsson; Pettersson; Jonsson; Jansson; Hansson; Bengtsson; Jönsson; \
        Lindberg; Jakobsson; Magnusson; Olofsson; Lindström; Lindqvist; Lindgren; Lundgren; \
        Berg; Axelsson; Bergström; Lundberg; Lind; Lundqvist; Mattsson; Berglund; \
        Fredriksson; Sandberg; Henriksson; Forsberg; Sjöberg; Wallin; Engström; Eklund; \
        Danielsson; Lundin; Håkansson; Björk; Bergman; Gunnarsson; Holm; Wikström; \
        Samuelsson; Isaksson; Fransson; Bergqvist; Nyström; Holmberg; Arvidsson; Löfgren; \
        Söderberg; Nyberg; Blomqvist; Claesson; Nordström; Mårtensson; Lundström; Viklund; \
        Björklund; Eliasson; Pålsson; Berggren; Sandström; Lund; Nordin; Ström; Åberg; \
        Hermansson; Ekström; Holmgren; Sundberg; Hedlund; Dahlberg; Hellström; Sjögren; \
        Abrahamsson; Falk; Öberg; Blom; Ek; Åkesson; Strand; Lindholm; Söderström; \
        Carlsson; Pehrsson; Johnsson; Lindquist",
    male: "Lars; Mikael; Anders; Johan; Per; Erik; Karl; Peter; Jan; Thomas; Daniel; \
        Fredrik; Hans; ^Bengt; Andreas; ^Sven; Nils; ^Lennart; Björn; Mats; Stefan; Magnus; ^Bo; \
        Marcus; Jonas; Mattias; Oskar; Niklas; Gustav; Alexander; ^Leif; ^Ulf; ^Göran; ^Kent; \
        ^Åke; ^Rolf; ^Gunnar; ^Olof; Henrik; David; +Emil; +Viktor; +Filip; Simon; +William; +Lucas; \
        +Elias; +Hugo; +Liam; +Oliver; +Axel; +Ludvig; +Anton; Sebastian; ^Kjell; ^Stig; +Jonathan; \
        +Isak; +Olle",
    female: "Maria; Elisabeth; Anna; Kristina; ^Margareta; Eva; ^Birgitta; Karin; +Linnéa; \
        Marie; ^Ingrid; Sara; Lena; Christina; +Emma; ^Kerstin; Johanna; ^Inger; Sofia; ^Ulla; \
        Katarina; Malin; +Ida; Hanna; Jenny; Annika; Susanne; Monica; Helena; Linda; Elin; \
        Camilla; ^Gunilla; Anneli; Carina; ^Ingegerd; Åsa; +Ebba; +Maja; +Alice; +Elsa; +Wilma; \
        +Astrid; +Alva; +Julia; +Ella; +Agnes; +Klara; +Saga; +Frida; +Matilda; +Lovisa; ^Britt; ^Siv; \
        ^Gun; ^Barbro; ^Marianne; Louise; Therese; +Emilia; Viktoria; Erika; +Lina",
    twins: "Emil|Emilia; Oskar|Olle; Hugo|Alva; Viktor|Viktoria; Karl|Karin; Erik|Erika; \
        Johan|Johanna; Axel|Alva; Ella|Elsa; Ida|Ebba; Anton|Astrid; Linnéa|Lina",
    places: "Stockholm=1=980; Göteborg=4=600; Malmö=2=350; Uppsala=75=235; Linköping=58=165; \
        Västerås=72=157; Örebro=70=158; Helsingborg=25=150; Norrköping=60=145; \
        Jönköping=55=143; Umeå=90=131; Lund=22=128; Borås=50=114; Huddinge=14=113; \
        Eskilstuna=63=108; Gävle=80=103; Södertälje=15=101; Karlstad=65=96; Sundsvall=85=99; \
        Växjö=35=97; Halmstad=30=103; Luleå=97=79; Trollhättan=46=59; Östersund=83=64; \
        Borlänge=78=52; Kalmar=39=70; Kristianstad=29=86; Falun=79=59; Skövde=54=57; \
        Karlskrona=37=66; Uddevalla=45=57; Skellefteå=93=74; Varberg=43=65; \
        Landskrona=26=46; Nyköping=61=57; Örnsköldsvik=89=56; Kiruna=98=23; Visby=62=24; \
        Ystad=27=31; Åre=83=11; Härnösand=87=25",
    streets: "Storgatan; Drottninggatan; Kungsgatan; Skolgatan; Kyrkogatan; Nygatan; \
        Järnvägsgatan; Parkvägen; Björkvägen; Skogsvägen; Ringvägen; Industrigatan; \
        Villagatan; Åsgatan; Ängsvägen; Tallvägen; Södra vägen; Norra Allén; \
        Trädgårdsgatan; Hamngatan; Strandvägen; Vasagatan; Sveavägen; Bergsgatan; \
        Östra Långgatan",
    postcode: "### ##",
    customs: Customs {
        second_given: 0.65,
        marriage_change_old: 0.85,
        marriage_change_new: 0.4,
        double_surname: 0.05,
        grandparent_naming: 0.05,
        junior: 0.02,
        registry_upper: 0.03,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::Personnummer,
};
