//! The Netherlands: particles (van der Berg, de Vries, van den Heuvel), the IJ digraph,
//! near-namesakes (Jansen/Janssen/Janssens, Meijer/Meyer, Peters/Peeters/Pieters),
//! formal baptismal given names (Johannes Hendrikus). A wife keeps her surname in the
//! register; some use a combined name.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "NL",
    script: Script::Latin,
    weight: 6.0,
    rule: SurnameRule::Same,
    compound: Compound::Single,
    surnames: "de Jong; Jansen; de Vries; van den Berg; van Dijk; Bakker; Janssen; Visser; \
        Smit; Meijer; de Boer; Mulder; de Groot; Bos; Vos; Peters; Hendriks; van Leeuwen; \
        Dekker; Brouwer; de Wit; Dijkstra; Smits; de Graaf; van der Meer; van der Linden; \
        Kok; Jacobs; de Haan; Vermeulen; van den Heuvel; van der Veen; van den Broek; \
        de Bruijn; de Bruin; van der Heijden; Schouten; van Beek; Willems; van Vliet; \
        van de Ven; Hoekstra; Maas; Verhoeven; Koster; van Dam; van der Wal; Prins; Blom; \
        Huisman; Peeters; de Jonge; Kuipers; van Veen; Post; Kuiper; Veenstra; Kramer; \
        van den Brink; Scholten; van Wijk; Postma; Martens; Vink; de Ruiter; Timmermans; \
        Groen; Gerritsen; Jonker; van Loon; Boer; van der Velde; Willemsen; Smeets; \
        de Lange; de Vos; Bosch; van Dongen; Schipper; de Koning; van der Laan; Koning; \
        van der Velden; Driessen; van Doorn; Hermans; Evers; van den Bosch; van der Meulen; \
        Hofman; Bosman; Wolters; Sanders; van der Horst; Mol; Kuijpers; Molenaar; \
        van de Pol; de Leeuw; Verbeek; van der Berg; Janssens; Pieters; Meyer; Hendrikx; \
        van den Bergh; de Jongh; IJzerman; van IJzendoorn",
    male: "Jan; ^Johannes; ^Hendrik; ^Cornelis; ^Willem; ^Pieter; ^Gerrit; ^Jacobus; ^Hendrikus; \
        ^Petrus; ^Theodorus; ^Dirk; ^Jacob; ^Adrianus; ^Antonius; ^Wilhelmus; ^Gerardus; \
        ^Franciscus; ^Martinus; Maarten; Thomas; +Daan; +Sem; +Lucas; +Levi; +Finn; +Milan; +Bram; \
        +Lars; +Jesse; +Ruben; +Thijs; +Stijn; Tim; Sander; Dennis; Mark; Kevin; Jeroen; Bas; \
        Niels; Joost; Erik; Peter; Michel; Rob; Robert; Martijn; Wouter; Koen; Bart; Arjen; \
        Sjoerd; Tjeerd; +Gijs; Jasper; Ruud; ^Kees; ^Henk; ^Klaas; Hans; +Luuk; +Noah; Tom",
    female: "Maria; ^Johanna; Anna; ^Cornelia; ^Wilhelmina; Elisabeth; ^Hendrika; ^Catharina; \
        ^Geertruida; ^Adriana; ^Petronella; ^Jacoba; ^Aaltje; ^Grietje; +Willemijn; Anne; \
        Annemarie; Marieke; +Sanne; +Lisa; +Emma; +Julia; +Sophie; +Tess; +Zoë; +Mila; Eva; +Lotte; \
        +Fleur; +Noa; Sara; Iris; +Anouk; +Femke; Esther; Ingrid; Monique; Linda; Sandra; Petra; \
        Marjolein; Ellen; Karin; Miriam; Ilse; Nicole; Judith; Mirjam; ^Els; ^Ria; ^Annie; ^Joke; \
        ^Wilma; ^Gerda; ^Tineke; Hanneke; +Floor; Yvonne; Jolanda; +Roos; +Lieke; +Fenna; +Saar",
    twins: "Daan|Sanne; Sem|Saar; Lars|Lotte; Tim|Tom; Noa|Noah; Thijs|Tess; Finn|Fenna; \
        Ruben|Roos; Milan|Mila; Luuk|Lieke; Bram|Bas; Anne|Anouk",
    places: "Amsterdam=10=880; Rotterdam=30=650; Den Haag=25=550; Utrecht=35=360; \
        Eindhoven=56=235; Groningen=97=233; Tilburg=50=222; Almere=13=215; Breda=48=184; \
        Nijmegen=65=178; Apeldoorn=73=165; Arnhem=68=163; Haarlem=20=162; \
        Haarlemmermeer=21=157; Amersfoort=38=158; Zaanstad=15=156; Enschede=75=160; \
        's-Hertogenbosch=52=155; Zwolle=80=130; Zoetermeer=27=125; Leiden=23=125; \
        Maastricht=62=121; Dordrecht=33=119; Ede=67=118; Alphen aan den Rijn=24=112; \
        Leeuwarden=89=124; Alkmaar=18=110; Emmen=78=107; Delft=26=103; Venlo=59=102; \
        Deventer=74=100; Sittard-Geleen=61=92; Helmond=57=92; Oss=53=92; Amstelveen=11=90; \
        Hilversum=12=90; Heerlen=64=87; Hengelo=75=81; Purmerend=14=80; Roosendaal=47=77; \
        Schiedam=31=79; Gouda=28=74; Vlaardingen=31=74; Middelburg=43=48; Assen=94=68; \
        Den Helder=17=56; Sneek=86=33; Harderwijk=38=47; Zandvoort=20=17; IJsselstein=34=34",
    streets: "Kerkstraat; Schoolstraat; Molenstraat; Dorpsstraat; Julianastraat; \
        Beatrixstraat; Wilhelminastraat; Stationsweg; Nieuwstraat; Molenweg; Kastanjelaan; \
        Eikenlaan; Parallelweg; Industrieweg; Marktstraat; Prins Bernhardstraat; \
        Oranjestraat; Emmastraat; Hoofdstraat; Dorpsplein; Kanaalweg; Lindelaan; \
        Beukenlaan; Stationsstraat; Herengracht; Prinsengracht",
    postcode: "#### @@",
    customs: Customs {
        second_given: 0.55,
        marriage_change_old: 0.3,
        marriage_change_new: 0.08,
        double_surname: 0.4,
        grandparent_naming: 0.15,
        junior: 0.02,
        registry_upper: 0.03,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::Bsn,
};
