//! Germany: umlauts and ß, the Meyer/Meier/Maier/Mayer and Schmidt/Schmitt/Schmid
//! near-namesakes, hyphenated double surnames, and double given names (Anna Maria,
//! Karl-Heinz). A wife usually takes her husband's surname, sometimes hyphenated.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "DE",
    script: Script::Latin,
    weight: 12.0,
    rule: SurnameRule::Same,
    compound: Compound::Single,
    surnames: "Müller; Schmidt; Schneider; Fischer; Weber; Meyer; Wagner; Becker; Schulz; \
        Hoffmann; Schäfer; Koch; Bauer; Richter; Klein; Wolf; Schröder; Neumann; Schwarz; \
        Zimmermann; Braun; Krüger; Hofmann; Hartmann; Lange; Schmitt; Werner; Schmitz; \
        Krause; Meier; Lehmann; Schmid; Schulze; Maier; Köhler; Herrmann; König; Walter; \
        Mayer; Huber; Kaiser; Fuchs; Peters; Lang; Scholz; Möller; Weiß; Jung; Hahn; \
        Schubert; Vogel; Friedrich; Keller; Günther; Frank; Berger; Winkler; Roth; Beck; \
        Lorenz; Baumann; Franke; Albrecht; Schuster; Simon; Ludwig; Böhm; Winter; Kraus; \
        Martin; Schumacher; Krämer; Vogt; Stein; Jäger; Otto; Sommer; Groß; Seidel; \
        Heinrich; Brandt; Haas; Schreiber; Graf; Schulte; Dietrich; Ziegler; Kuhn; Kühn; \
        Pohl; Engel; Horn; Busch; Bergmann; Thomas; Voigt; Sauer; Arnold; Wolff; Pfeiffer; \
        Weiss; Strauß; Voß; Meißner; Mayr; Lindemann; Müller-Lüdenscheidt; \
        Schulze-Wehninck; von Bülow; von der Heydt; Özdemir; Yılmaz; Nowak",
    male: "Peter; Michael; Thomas; Andreas; ^Wolfgang; ^Klaus; ^Jürgen; Stefan; Christian; ^Uwe; \
        ^Werner; ^Hans; ^Bernd; Frank; ^Horst; ^Manfred; ^Helmut; ^Dieter; ^Gerhard; Martin; \
        Matthias; Alexander; Sebastian; Markus; Daniel; Tobias; Jan; +Lukas; +Jonas; +Leon; \
        +Felix; +Maximilian; Paul; +Tim; +Tom; +Niklas; +Finn; +Ben; +Elias; +Moritz; +Max; Florian; \
        Dirk; ^Karl; ^Heinz; ^Günter; ^Rolf; Ralf; Jörg; ^Joachim; ^Karl-Heinz; ^Hans-Jürgen; \
        ^Hans-Peter; ^Friedrich; ^Wilhelm; Johannes; +Philipp; +Julian; David; Simon; Kai; +Fabian; \
        Lars; Sven; Oliver; +Emil; +Noah",
    female: "Maria; ^Ursula; ^Monika; Petra; Elisabeth; Sabine; ^Renate; ^Helga; ^Karin; ^Brigitte; \
        ^Ingrid; ^Erika; Andrea; ^Gisela; Claudia; Susanne; ^Gabriele; ^Christa; Christine; \
        Birgit; Stefanie; +Julia; Anna; Katharina; Sandra; Nicole; Melanie; +Laura; +Lena; +Lea; \
        +Hannah; +Hanna; +Sophie; +Sophia; +Emma; +Mia; +Marie; +Lisa; +Sarah; +Jana; +Paula; Johanna; \
        Anja; ^Heike; Martina; ^Ute; ^Gertrud; ^Edith; ^Ilse; Anna Maria; Anne; ^Jutta; ^Doris; \
        Barbara; Katrin; Kerstin; Silke; Tanja; Franziska; Luise; +Charlotte; ^Anneliese; \
        ^Marie-Luise; Daniela; Michaela; Christiane; +Luisa",
    twins: "Jan|Jana; Paul|Paula; Lena|Lea; Max|Moritz; Tim|Tom; Anna|Hanna; Sophie|Sophia; \
        Daniel|Daniela; Michael|Michaela; Christian|Christiane; Stefan|Stefanie; \
        Lukas|Luisa; Jonas|Jana; Ben|Lena",
    places: "Berlin=10=3600; Hamburg=20=1800; München=80=1500; Köln=50=1080; \
        Frankfurt am Main=60=750; Stuttgart=70=630; Düsseldorf=40=620; Leipzig=04=600; \
        Dortmund=44=590; Essen=45=580; Bremen=28=570; Dresden=01=560; Hannover=30=540; \
        Nürnberg=90=520; Duisburg=47=500; Bochum=44=360; Wuppertal=42=355; Bielefeld=33=335; \
        Bonn=53=330; Münster=48=315; Mannheim=68=310; Karlsruhe=76=305; Augsburg=86=295; \
        Wiesbaden=65=280; Mönchengladbach=41=260; Gelsenkirchen=45=260; Aachen=52=250; \
        Braunschweig=38=250; Kiel=24=245; Chemnitz=09=245; Halle (Saale)=06=240; \
        Magdeburg=39=235; Freiburg im Breisgau=79=230; Krefeld=47=227; Mainz=55=218; \
        Lübeck=23=216; Erfurt=99=213; Oberhausen=46=210; Rostock=18=209; Kassel=34=201; \
        Lüdenscheid=58=72; Görlitz=02=56; Schwäbisch Gmünd=73=61; \
        Bad Homburg vor der Höhe=61=54; Garmisch-Partenkirchen=82=27; Weißenfels=06=40; \
        Fürth=90=128; Würzburg=97=127; Regensburg=93=153; Ingolstadt=85=138; Ulm=89=126; \
        Heilbronn=74=126; Pforzheim=75=126; Göttingen=37=118; Saarbrücken=66=180; \
        Potsdam=14=180; Oldenburg=26=170; Osnabrück=49=165; Cottbus=03=98; Jena=07=110; \
        Trier=54=110; Passau=94=52; Zwickau=08=88; Flensburg=24=90",
    streets: "Hauptstraße; Schulstraße; Gartenstraße; Bahnhofstraße; Dorfstraße; Bergstraße; \
        Birkenweg; Lindenstraße; Kirchstraße; Waldstraße; Ringstraße; Schillerstraße; \
        Goethestraße; Jahnstraße; Wiesenweg; Am Sportplatz; Rosenstraße; Friedhofstraße; \
        Mühlenweg; Feldstraße; Mozartstraße; Blumenstraße; Lindenallee; Kastanienallee; \
        Beethovenstraße; Amselweg; Poststraße; Friedrich-Ebert-Straße; Am Markt; Kirchweg",
    postcode: "#####",
    customs: Customs {
        second_given: 0.35,
        marriage_change_old: 0.9,
        marriage_change_new: 0.7,
        double_surname: 0.1,
        grandparent_naming: 0.05,
        junior: 0.02,
        registry_upper: 0.03,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::Pseudonym,
};
