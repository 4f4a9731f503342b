//! Finland: ä and ö, long -nen names with near-namesakes (Mäkinen/Mäkelä,
//! Lehtonen/Lehtinen, Salonen/Salminen), Swedish-speaking Finns' names shared with
//! Sweden (Lindqvist, Johansson), two or three given names per person, and bilingual
//! place names.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "FI",
    script: Script::Latin,
    weight: 4.0,
    rule: SurnameRule::Same,
    compound: Compound::Single,
    surnames: "Korhonen; Virtanen; Mäkinen; Nieminen; Mäkelä; Hämäläinen; Laine; Heikkinen; \
        Koskinen; Järvinen; Lehtonen; Lehtinen; Saarinen; Salminen; Heinonen; Niemi; \
        Heikkilä; Kinnunen; Salonen; Turunen; Salo; Laitinen; Tuominen; Rantanen; \
        Karjalainen; Jokinen; Mattila; Savolainen; Lahtinen; Ahonen; Hiltunen; Ojala; \
        Leinonen; Hirvonen; Väisänen; Manninen; Kettunen; Laaksonen; Leppänen; Miettinen; \
        Pitkänen; Lindroos; Nyman; Koivisto; Räsänen; Seppälä; Harju; Kauppinen; Anttila; \
        Hakala; Karvonen; Partanen; Toivonen; Mustonen; Hyvönen; Peltonen; Aaltonen; Vainio; \
        Kärkkäinen; Rautio; Moilanen; Honkanen; Lindqvist; Lindberg; Johansson; Nurmi; \
        Huttunen; Kallio; Kokkonen; Pelkonen; Eskelinen; Koponen; Oksanen; Kivelä; Ikonen; \
        Mikkonen; Halonen; Sirola; Lappalainen; Pulkkinen; Rinne; Tuomi; Hakkarainen; \
        Vesterinen; Laakso; Vuorinen; Kemppainen; Lahti; Huhtala; Lehtola; Sundström",
    male: "Juha; Timo; Matti; ^Kari; Mikko; Jari; Antti; Jukka; Mika; ^Markku; Pekka; ^Hannu; \
        ^Heikki; ^Seppo; Janne; Ari; Sami; Petri; Ville; Marko; Tuomas; Jussi; Lauri; ^Pentti; \
        ^Esa; ^Jarmo; Teemu; ^Veikko; ^Risto; Jani; ^Erkki; ^Tapani; ^Olavi; Johannes; ^Juhani; \
        Mikael; +Onni; +Eino; +Leo; +Elias; +Oliver; +Eetu; +Aleksi; +Niko; +Joonas; +Väinö; +Aatu; \
        +Eero; +Otto; +Ilmari; ^Antero; ^Kalevi; ^Tapio; ^Ilkka; ^Jorma; ^Arto; ^Pertti; ^Raimo",
    female: "Maria; Helena; Johanna; ^Anneli; ^Kaarina; ^Marjatta; Anna; Liisa; ^Annikki; \
        ^Hannele; ^Tuula; ^Päivi; ^Pirjo; ^Ritva; Anne; Sari; Minna; ^Leena; Tiina; ^Riitta; Eeva; \
        Kristiina; Elina; Katariina; +Sofia; +Emilia; +Aino; +Eevi; +Ella; +Olivia; +Venla; +Aada; \
        +Lilja; +Helmi; +Siiri; +Emma; +Iida; Laura; Jenni; Heidi; Satu; Susanna; Marja; ^Sirpa; \
        ^Merja; ^Raija; ^Seija; Kirsi; Outi; ^Tarja; Hanna; Elisa; +Veera; +Noora; Salla; +Milla; \
        Pia; +Jonna",
    twins: "Eino|Aino; Elias|Elina; Onni|Ella; Ville|Veera; Aleksi|Aada; Mikko|Mika; \
        Eetu|Eevi; Joonas|Jonna; Aatu|Aada; Leo|Lilja; Niko|Noora; Otto|Onni",
    places: "Helsinki=00=660; Espoo=02=300; Tampere=33=245; Vantaa=01=240; Oulu=90=210; \
        Turku=20=197; Jyväskylä=40=145; Kuopio=70=122; Lahti=15=120; Pori=28=83; \
        Kouvola=45=80; Joensuu=80=77; Lappeenranta=53=73; Hämeenlinna=13=68; Vaasa=65=67; \
        Seinäjoki=60=64; Rovaniemi=96=64; Mikkeli=50=52; Kotka=48=51; Salo=24=51; \
        Porvoo=06=51; Kokkola=67=48; Lohja=08=46; Hyvinkää=05=46; Nurmijärvi=01=44; \
        Järvenpää=04=45; Rauma=26=39; Tuusula=04=39; Kirkkonummi=02=40; Kajaani=87=36; \
        Kerava=04=37; Savonlinna=57=32; Nokia=37=35; Ylöjärvi=33=33; Kangasala=36=33; \
        Vihti=03=29; Raahe=92=24; Kemi=94=20; Iisalmi=74=21; Tornio=95=21; Mariehamn=22=12; \
        Inari=99=7",
    streets: "Koulukatu; Kirkkokatu; Puistokatu; Rantatie; Mäkitie; Kauppakatu; Asemakatu; \
        Koivukuja; Pihlajatie; Kuusitie; Hämeenkatu; Mannerheimintie; Aleksanterinkatu; \
        Satamakatu; Kalevankatu; Torikatu; Sibeliuksenkatu; Myllytie; Metsätie; Peltotie; \
        Rinnetie; Harjutie; Järvitie; Isokatu; Pohjoisesplanadi; Tehtaankatu",
    postcode: "#####",
    customs: Customs {
        second_given: 0.75,
        marriage_change_old: 0.9,
        marriage_change_new: 0.55,
        double_surname: 0.08,
        grandparent_naming: 0.05,
        junior: 0.02,
        registry_upper: 0.03,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::Hetu,
};
