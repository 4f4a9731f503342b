//! Portugal: two or more surnames (the mother's last, then the father's last: da Silva
//! Santos), particles (da, dos, de), compound given names (Maria José, João Pedro),
//! near-namesakes (Silva/da Silva, Sousa/de Sousa, Batista/Baptista). A wife may add her
//! husband's last surname to hers.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "PT",
    script: Script::Latin,
    weight: 5.0,
    rule: SurnameRule::Same,
    compound: Compound::Portuguese,
    surnames: "da Silva; dos Santos; Ferreira; Pereira; Oliveira; Costa; Rodrigues; Martins; \
        Jesus; Sousa; Fernandes; Gonçalves; Gomes; Lopes; Marques; Alves; Almeida; Ribeiro; \
        Pinto; Carvalho; Teixeira; Moreira; Correia; Mendes; Nunes; Soares; Vieira; \
        Monteiro; Cardoso; Rocha; Raposo; Neves; Coelho; Cruz; Cunha; Pires; Ramos; Reis; \
        Simões; Antunes; Matos; Fonseca; Machado; Araújo; Barbosa; Tavares; Lourenço; \
        Castro; Figueiredo; Azevedo; Freitas; Silva; Santos; de Sousa; Nogueira; Campos; \
        Batista; Baptista; Cabral; Pacheco; Pinheiro; Brito; Miranda; Henriques; Leite; \
        Valente; Magalhães; Loureiro; Faria; Guerreiro; Andrade; Amaral; Vaz; Freire; \
        Morais; Moura; Sá; Borges; Paiva; Dias; Duarte; Jorge; Macedo; Esteves; Branco; \
        Melo; Mello; Assunção; Conceição; Abreu; Calado; Carneiro; Seixas; da Costa; \
        de Oliveira; do Carmo",
    male: "José; João; António; Manuel; Francisco; Carlos; ^Joaquim; Luís; Paulo; Pedro; \
        Jorge; Rui; Fernando; Miguel; Mário; Ricardo; Nuno; +Tiago; Bruno; +Diogo; André; \
        +Rafael; +Gonçalo; +Afonso; +Duarte; +Tomás; +Martim; +Rodrigo; +Santiago; +Gabriel; Vasco; \
        Hugo; Filipe; Nelson; Sérgio; Vítor; Alexandre; ^Armando; ^Domingos; ^Alberto; ^Artur; \
        ^Abílio; ^Américo; ^Adriano; Daniel; David; Eduardo; Henrique; Hélder; +Leonardo; \
        +Lourenço; +Simão; +Vicente; João Pedro; José Carlos; José Manuel; Luís Miguel",
    female: "Maria; Ana; Maria José; ^Maria de Fátima; ^Maria da Conceição; Maria Helena; \
        Maria João; Ana Maria; Joana; Sofia; +Beatriz; +Mariana; +Inês; +Carolina; +Leonor; \
        +Matilde; +Francisca; +Margarida; Rita; Catarina; Sara; Patrícia; Sandra; Cláudia; \
        Susana; Cristina; Paula; Isabel; Teresa; Rosa; ^Fernanda; ^Lurdes; ^Manuela; Olívia; \
        ^Filomena; ^Graça; Luísa; Marta; Alice; Clara; Diana; Helena; Raquel; Vera; Andreia; \
        Daniela; +Lara; +Madalena; +Benedita; Gabriela; ^Fátima; ^Conceição; Irene; ^Adelaide; \
        ^Amélia; ^Alzira; ^Célia; Natália; Lúcia",
    twins: "João|Joana; Francisco|Francisca; Miguel|Mariana; Rodrigo|Rita; Martim|Matilde; \
        Duarte|Diana; Gabriel|Gabriela; Daniel|Daniela; Luís|Luísa; Pedro|Paulo; \
        Tomás|Teresa; Diogo|Duarte",
    places: "Lisboa=1=545; Porto=40=232; Vila Nova de Gaia=44=303; Amadora=27=175; \
        Braga=47=193; Funchal=90=105; Coimbra=30=140; Setúbal=29=123; Almada=28=177; \
        Agualva-Cacém=27=80; Queluz=27=78; Barreiro=28=78; Aveiro=38=80; Viseu=35=99; \
        Leiria=24=128; Faro=80=64; Guimarães=48=156; Matosinhos=44=175; Odivelas=26=148; \
        Loures=26=201; Cascais=27=214; Sintra=27=385; Évora=70=57; Beja=78=35; \
        Bragança=53=35; Castelo Branco=60=56; Guarda=63=42; Portalegre=73=24; \
        Santarém=20=62; Viana do Castelo=49=88; Vila Real=50=51; Ponta Delgada=95=68; \
        Angra do Heroísmo=97=35; Póvoa de Varzim=44=63; Figueira da Foz=30=60; \
        Covilhã=62=51; Portimão=85=55; Olhão=87=45; Chaves=54=41; Tomar=23=40; \
        Caldas da Rainha=25=51",
    streets: "Rua Direita; Rua da Igreja; Rua Nova; Avenida da Liberdade; Rua do Comércio; \
        Rua de Santo António; Largo da Igreja; Rua 25 de Abril; Rua da Escola; Rua do Sol; \
        Rua Central; Rua da Estação; Avenida da República; Rua Almirante Reis; Rua Augusta; \
        Rua de São João; Rua da Fonte; Travessa do Carmo; Rua do Castelo; \
        Avenida dos Combatentes; Rua Dom Afonso Henriques; Rua Luís de Camões; \
        Praça do Comércio; Rua da Paz; Rua das Flores",
    postcode: "####-###",
    customs: Customs {
        second_given: 0.3,
        marriage_change_old: 0.5,
        marriage_change_new: 0.25,
        double_surname: 0.0,
        grandparent_naming: 0.2,
        junior: 0.06,
        registry_upper: 0.1,
        registry_upper_surname: 0.0,
        patronymic: false,
    },
    id: IdScheme::Nic,
};
