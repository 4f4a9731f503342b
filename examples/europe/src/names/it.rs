//! Italy: apostrophes and particles (D'Angelo, De Luca, Lo Russo), near-namesakes
//! (Rossi/Russo/Rosso, D'Amico/Damico), naming after grandparents. A wife keeps her
//! surname.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "IT",
    script: Script::Latin,
    weight: 10.0,
    rule: SurnameRule::Same,
    compound: Compound::Single,
    surnames: "Rossi; Russo; Ferrari; Esposito; Bianchi; Romano; Colombo; Ricci; Marino; \
        Greco; Bruno; Gallo; Conti; De Luca; Mancini; Costa; Giordano; Rizzo; Lombardi; \
        Moretti; Barbieri; Fontana; Santoro; Mariani; Rinaldi; Caruso; Ferrara; Galli; \
        Martini; Leone; Longo; Gentile; Martinelli; Vitale; Lombardo; Serra; Coppola; \
        De Santis; D'Angelo; Marchetti; Parisi; Villa; Conte; Ferraro; Ferri; Fabbri; Bianco; \
        Marini; Grasso; Valentini; Messina; Sala; De Angelis; Gatti; Pellegrini; Palumbo; \
        Sanna; Farina; Rizzi; Monti; Cattaneo; Morelli; Amato; Silvestri; Mazza; Testa; \
        Grassi; Pellegrino; Carbone; Giuliani; Benedetti; Barone; Rossetti; Caputo; \
        Montanari; Guerra; Palmieri; Bernardi; Martino; Fiore; De Rosa; Ferretti; Bellini; \
        Basile; Riva; Donati; Piras; Vitali; Battaglia; Sartori; Neri; Costantini; Milani; \
        Pagano; Ruggiero; Sorrentino; D'Amico; Damico; Orlando; Dell'Acqua; Lo Russo; \
        La Rosa; Di Stefano; Di Giovanni; Rosso; Rossini; Russi",
    male: "Giuseppe; Giovanni; Antonio; Mario; Luigi; Francesco; Angelo; Vincenzo; Pietro; \
        Salvatore; Carlo; ^Franco; Domenico; ^Bruno; Paolo; Michele; Giorgio; ^Aldo; ^Sergio; \
        ^Luciano; Marco; Alessandro; Andrea; Luca; +Matteo; +Lorenzo; +Leonardo; +Riccardo; \
        +Gabriele; +Tommaso; +Davide; Stefano; Roberto; Massimo; Fabio; Simone; Emanuele; \
        +Federico; Alberto; Claudio; Maurizio; Gianluca; Gian Luca; Giancarlo; Gianni; Enrico; \
        +Filippo; +Edoardo; Diego; Nicola; Raffaele; Vittorio; ^Renato; ^Umberto; ^Gino; Daniele; \
        +Alessio; +Cristian; +Mattia; +Christian; Giulio; Cosimo; Damiano",
    female: "Maria; Anna; ^Giuseppina; ^Rosa; Angela; Giovanna; Teresa; Lucia; ^Carmela; \
        Caterina; Francesca; Anna Maria; ^Antonietta; Carla; Elena; ^Concetta; ^Rita; \
        Margherita; ^Franca; Paola; Laura; +Giulia; +Sofia; +Aurora; +Alice; +Ginevra; +Emma; \
        +Giorgia; +Greta; +Beatrice; +Chiara; +Martina; +Sara; Valentina; +Federica; Silvia; \
        Alessandra; Roberta; Daniela; Monica; Barbara; Simona; Cristina; Patrizia; \
        Elisabetta; ^Maria Grazia; ^Maria Rosaria; ^Assunta; Gabriella; Luisa; ^Marisa; \
        Raffaella; Stefania; Nadia; +Ilaria; +Alessia; +Noemi; +Camilla; +Vittoria; +Bianca; Emanuela",
    twins: "Francesco|Francesca; Giulio|Giulia; Mario|Maria; Daniele|Daniela; \
        Alessandro|Alessandra; Luca|Lucia; Matteo|Marco; Simone|Simona; Federico|Federica; \
        Roberto|Roberta; Emanuele|Emanuela; Gabriele|Gabriella; Cosimo|Damiano",
    places: "Roma=00=2750; Milano=20=1370; Napoli=80=910; Torino=10=850; Palermo=90=630; \
        Genova=16=560; Bologna=40=390; Firenze=50=360; Bari=70=315; Catania=95=300; \
        Venezia=30=255; Verona=37=255; Messina=98=225; Padova=35=208; Trieste=34=200; \
        Brescia=25=196; Parma=43=196; Taranto=74=190; Prato=59=195; Modena=41=185; \
        Reggio Calabria=89=172; Reggio Emilia=42=170; Perugia=06=162; Ravenna=48=156; \
        Livorno=57=155; Cagliari=09=150; Foggia=71=147; Rimini=47=150; Salerno=84=128; \
        Ferrara=44=130; Sassari=07=125; Latina=04=127; Monza=20=123; Siracusa=96=117; \
        Pescara=65=118; Bergamo=24=121; Trento=38=118; Forlì=47=117; Vicenza=36=110; \
        Terni=05=107; Bolzano=39=107; Novara=28=104; Piacenza=29=103; Ancona=60=100; \
        Andria=76=98; Udine=33=99; Arezzo=52=97; Cesena=47=96; Lecce=73=95; La Spezia=19=92; \
        L'Aquila=67=69; Sant'Antonio Abate=80=20; Potenza=85=65; Aosta=11=34; \
        Campobasso=86=48",
    streets: "Via Roma; Via Garibaldi; Via Giuseppe Mazzini; Via Vittorio Emanuele II; \
        Via Dante Alighieri; Via Cavour; Via Marconi; Piazza della Repubblica; Via Verdi; \
        Via Matteotti; Corso Italia; Via XX Settembre; Via della Libertà; Via San Francesco; \
        Via Nazionale; Via Umberto I; Via Europa; Via Manzoni; Via Kennedy; Via dei Mille; \
        Corso Vittorio Emanuele; Via Trieste; Via Trento; Via Puccini; Via Leopardi",
    postcode: "#####",
    customs: Customs {
        second_given: 0.15,
        marriage_change_old: 0.03,
        marriage_change_new: 0.01,
        double_surname: 0.0,
        grandparent_naming: 0.35,
        junior: 0.03,
        registry_upper: 0.05,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::CodiceFiscale,
};
