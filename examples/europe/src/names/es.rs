//! Spain: two surnames (the father's first, then the mother's first: García Márquez),
//! compound given names (María José, José Luis, Francisco Javier), particles (de la
//! Fuente, del Río) and near-namesakes (Giménez/Jiménez, Sanz/Sáez/Sáenz, Díaz/Díez).
//! A wife keeps her surnames.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "ES",
    script: Script::Latin,
    weight: 9.0,
    rule: SurnameRule::Same,
    compound: Compound::Spanish,
    surnames: "García; Rodríguez; González; Fernández; López; Martínez; Sánchez; Pérez; Gómez; \
        Martín; Jiménez; Hernández; Ruiz; Díaz; Moreno; Muñoz; Álvarez; Romero; Gutiérrez; \
        Alonso; Navarro; Torres; Domínguez; Ramos; Vázquez; Ramírez; Gil; Serrano; Morales; \
        Molina; Blanco; Suárez; Castro; Ortega; Delgado; Ortiz; Marín; Rubio; Núñez; Medina; \
        Sanz; Castillo; Iglesias; Cortés; Garrido; Santos; Guerrero; Lozano; Cano; Cruz; \
        Méndez; Flores; Prieto; Herrera; Peña; León; Márquez; Cabrera; Gallego; Calvo; Vidal; \
        Campos; Reyes; Vega; Fuentes; Carrasco; Díez; Aguilar; Caballero; Nieto; Santana; \
        Vargas; Pascual; Giménez; Herrero; Hidalgo; Montero; Lorenzo; Santiago; Benítez; \
        Durán; Ibáñez; Arias; Mora; Ferrer; Carmona; Vicente; Rojas; Soto; Crespo; Román; \
        Pastor; Velasco; Parra; Sáez; Sáenz; Moya; Bravo; Velázquez; Ximénez; de la Fuente; \
        del Río; de la Torre; de los Santos; Goikoetxea; Etxeberria; Puig; Vilanova",
    male: "Antonio; José; Manuel; Francisco; David; Juan; Javier; José Antonio; Daniel; \
        José Luis; Francisco Javier; Carlos; Jesús; Alejandro; Miguel; José Manuel; Rafael; \
        Pedro; Ángel; Miguel Ángel; Pablo; Fernando; Sergio; Luis; Jorge; Alberto; \
        Juan Carlos; Juan José; +Álvaro; Diego; +Adrián; Raúl; Enrique; ^Ramón; ^Vicente; +Iván; \
        +Rubén; Óscar; Andrés; ^Joaquín; Santiago; Eduardo; Víctor; Roberto; Jaime; Mario; \
        Ignacio; ^Alfonso; +Hugo; +Marcos; Jordi; +Iker; +Lucas; +Martín; +Mateo; +Leo; Aitor; \
        Xavier; Gonzalo; Guillermo; José María",
    female: "^María Carmen; María; ^Carmen; Ana María; Laura; ^María Pilar; ^María Dolores; \
        Isabel; ^Josefa; Ana; Cristina; Marta; María Teresa; +Lucía; ^Francisca; ^Antonia; \
        ^Dolores; Sara; +Paula; Elena; María Ángeles; Raquel; Rosa María; ^Pilar; ^Manuela; \
        ^Concepción; María José; ^Mercedes; Julia; Beatriz; Nuria; Silvia; ^Rosario; ^Juana; \
        +Alba; +Irene; Teresa; ^Encarnación; Patricia; ^Montserrat; +Andrea; Rocío; Mónica; Rosa; \
        Alicia; Sonia; Sandra; +Marina; Susana; Ángela; Yolanda; Natalia; ^Margarita; +Sofía; \
        +Martina; +Noelia; +Claudia; Eva; Inmaculada; +Carla; +Daniela; ^María del Carmen; +Lorena; +Alejandra",
    twins: "Pablo|Paula; Daniel|Daniela; Mario|María; Carlos|Carla; Lucas|Lucía; \
        Martín|Martina; Hugo|Lucía; Alejandro|Alejandra; Andrés|Andrea; Sergio|Sara; \
        Javier|Jaime; María|Marta",
    places: "Madrid=28=3300; Barcelona=08=1640; Valencia=46=800; Sevilla=41=685; \
        Zaragoza=50=675; Málaga=29=580; Murcia=30=460; Palma=07=420; \
        Las Palmas de Gran Canaria=35=380; Bilbao=48=345; Alicante=03=337; Córdoba=14=320; \
        Valladolid=47=298; Vigo=36=296; Gijón=33=270; L'Hospitalet de Llobregat=08=265; \
        A Coruña=15=245; Vitoria-Gasteiz=01=255; Granada=18=230; Elche=03=235; Oviedo=33=220; \
        Badalona=08=220; Cartagena=30=216; Terrassa=08=223; Jerez de la Frontera=11=213; \
        Sabadell=08=216; Móstoles=28=210; Santa Cruz de Tenerife=38=209; Pamplona=31=203; \
        Almería=04=200; Alcalá de Henares=28=195; San Sebastián=20=188; Burgos=09=175; \
        Albacete=02=173; Santander=39=172; Castellón de la Plana=12=170; Logroño=26=151; \
        Badajoz=06=150; Salamanca=37=144; Huelva=21=143; León=24=122; Cádiz=11=114; \
        Jaén=23=112; Tarragona=43=135; Lleida=25=140; Ourense=32=105; Girona=17=103; \
        Lugo=27=98; Cáceres=10=96; Toledo=45=85; Cuenca=16=54; Soria=42=40; Teruel=44=36; \
        Ceuta=51=84; Melilla=52=86",
    streets: "Calle Mayor; Calle Real; Calle de la Iglesia; Plaza Mayor; Calle Nueva; \
        Avenida de la Constitución; Calle del Sol; Calle San José; Calle Santiago; \
        Calle de Alcalá; Gran Vía; Calle Cervantes; Calle Larga; Avenida de Andalucía; \
        Calle de la Paz; Calle Castilla; Calle Estación; Paseo de la Castellana; Calle Goya; \
        Calle Príncipe; Calle Colón; Calle Huertas; Rambla de Catalunya; Calle Santa María; \
        Avenida de España",
    postcode: "#####",
    customs: Customs {
        second_given: 0.05,
        marriage_change_old: 0.0,
        marriage_change_new: 0.0,
        double_surname: 0.0,
        grandparent_naming: 0.15,
        junior: 0.08,
        registry_upper: 0.1,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::Dni,
};
