//! Poland: gendered surnames (Kowalski/Kowalska), Ł and the other Polish letters, two
//! given names in the PESEL register, near-namesakes (Nowak here and Novák in Czechia,
//! Kowalski/Kowalewski/Kowalczyk). A wife takes her husband's surname, sometimes
//! joined to her own (Kowalska-Nowak).

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "PL",
    script: Script::Latin,
    weight: 8.0,
    rule: SurnameRule::Polish,
    compound: Compound::Single,
    surnames: "Nowak; Kowalski; Wiśniewski; Wójcik; Kowalczyk; Kamiński; Lewandowski; \
        Zieliński; Szymański; Woźniak; Dąbrowski; Kozłowski; Jankowski; Mazur; \
        Wojciechowski; Kwiatkowski; Krawczyk; Kaczmarek; Piotrowski; Grabowski; Zając; \
        Pawłowski; Michalski; Król; Wieczorek; Jabłoński; Wróbel; Nowakowski; Majewski; \
        Olszewski; Stępień; Malinowski; Jaworski; Adamczyk; Dudek; Nowicki; Pawlak; Górski; \
        Witkowski; Walczak; Sikora; Baran; Rutkowski; Michalak; Szewczyk; Ostrowski; \
        Tomaszewski; Pietrzak; Zalewski; Wróblewski; Marciniak; Jasiński; Zawadzki; Bąk; \
        Jakubowski; Sadowski; Duda; Włodarczyk; Wilk; Chmielewski; Borkowski; Sokołowski; \
        Szczepański; Sawicki; Lis; Kucharski; Mazurek; Kubiak; Kalinowski; Wysocki; \
        Kołodziej; Czarnecki; Kaźmierczak; Sobczak; Konieczny; Urbański; Głowacki; \
        Zakrzewski; Krupa; Wasilewski; Krajewski; Adamski; Sikorski; Mróz; Laskowski; \
        Ziółkowski; Gajewski; Szulc; Makowski; Baranowski; Brzeziński; Kaczmarczyk; \
        Przybylski; Cieślak; Szymczak; Kowalewski; Wiśniowski; Grzybowski; Żak; Łuczak; \
        Ślusarczyk; Gradzki",
    male: "Jan; Andrzej; Piotr; Krzysztof; ^Stanisław; Tomasz; Paweł; ^Józef; Marcin; Marek; \
        Michał; Grzegorz; ^Jerzy; ^Tadeusz; Adam; Łukasz; ^Zbigniew; ^Ryszard; Dariusz; ^Henryk; \
        Mariusz; ^Kazimierz; Wojciech; Robert; +Mateusz; ^Marian; Rafał; Jacek; ^Janusz; \
        ^Mirosław; Maciej; Sławomir; Jarosław; +Kamil; ^Wiesław; Roman; ^Władysław; +Jakub; \
        Artur; ^Zdzisław; ^Edward; ^Mieczysław; +Damian; +Dawid; Przemysław; +Sebastian; ^Czesław; \
        ^Leszek; Daniel; ^Waldemar; +Szymon; +Antoni; +Filip; +Aleksander; +Franciszek; +Wiktor; \
        +Bartosz; +Igor; +Oskar; +Hubert; +Kacper; +Julian; +Oliwer",
    female: "Anna; Maria; Katarzyna; Małgorzata; Agnieszka; ^Krystyna; Barbara; Ewa; Elżbieta; \
        Zofia; ^Janina; Teresa; Joanna; Magdalena; Monika; ^Jadwiga; ^Danuta; ^Irena; ^Halina; \
        Helena; Beata; Aleksandra; Marta; Dorota; ^Marianna; ^Grażyna; ^Jolanta; ^Stanisława; \
        Iwona; +Karolina; ^Bożena; ^Urszula; Justyna; Renata; Alicja; +Paulina; Sylwia; +Natalia; \
        ^Wanda; Agata; Aneta; Izabela; Ewelina; Marzena; ^Wiesława; ^Genowefa; +Patrycja; \
        ^Kazimiera; Edyta; ^Stefania; +Julia; +Zuzanna; +Hanna; +Lena; +Maja; +Oliwia; +Amelia; \
        +Wiktoria; +Emilia; Jana; +Kinga; +Martyna; Ada",
    twins: "Adam|Ada; Paweł|Paulina; Piotr|Paweł; Julia|Julian; Maja|Lena; Kacper|Kinga; \
        Wiktor|Wiktoria; Aleksander|Aleksandra; Oliwia|Oliwer; Bartosz|Barbara; \
        Marcin|Martyna; Jan|Jana; Jakub|Jan",
    places: "Warszawa=0=1860; Kraków=3=800; Wrocław=5=675; Łódź=9=660; Poznań=6=540; \
        Gdańsk=80=470; Szczecin=7=395; Bydgoszcz=85=330; Lublin=20=335; Białystok=15=295; \
        Katowice=40=285; Gdynia=81=245; Częstochowa=42=215; Radom=26=200; Rzeszów=35=197; \
        Toruń=87=196; Sosnowiec=41=193; Kielce=25=186; Gliwice=44=174; Olsztyn=10=170; \
        Zabrze=41=170; Bielsko-Biała=43=168; Bytom=41=160; Zielona Góra=65=140; \
        Rybnik=44=136; Ruda Śląska=41=135; Opole=45=127; Tychy=43=126; \
        Gorzów Wielkopolski=66=121; Elbląg=82=117; Płock=09=117; Wałbrzych=58=110; \
        Włocławek=87=108; Tarnów=33=107; Chorzów=41=106; Koszalin=75=106; Kalisz=62=98; \
        Legnica=59=98; Grudziądz=86=93; Słupsk=76=89; Jaworzno=43=90; \
        Jastrzębie-Zdrój=44=88; Nowy Sącz=33=83; Jelenia Góra=58=78; Siedlce=08=77; \
        Mysłowice=41=74; Konin=62=72; Piła=64=72; Piotrków Trybunalski=97=72; \
        Inowrocław=88=71; Lubin=59=71; Ostrów Wielkopolski=63=71; Suwałki=16=69; \
        Zakopane=34=27; Sandomierz=27=23",
    streets: "Polna; Leśna; Słoneczna; Krótka; Szkolna; Ogrodowa; Lipowa; Łąkowa; Brzozowa; \
        Kwiatowa; Kościelna; Sosnowa; Zielona; Parkowa; Akacjowa; Kolejowa; Mickiewicza; \
        Kościuszki; Sienkiewicza; Długa; Piłsudskiego; Jana Pawła II; 3 Maja; Słowackiego; \
        Wiejska; Żeromskiego; Reymonta; Konopnickiej",
    postcode: "##-###",
    customs: Customs {
        second_given: 0.55,
        marriage_change_old: 0.95,
        marriage_change_new: 0.85,
        double_surname: 0.12,
        grandparent_naming: 0.05,
        junior: 0.03,
        registry_upper: 0.05,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::Pesel,
};
