//! France: accents, hyphenated given names (Jean-Pierre, Marie-Claire), several given
//! names per person, particles (Le Gall, de la Fontaine), near-namesakes
//! (Lefebvre/Lefèvre, Leclerc/Leclercq, Gautier/Gauthier). Registries often write the
//! surname in capitals.

use super::{Compound, CountryData, Customs, IdScheme, Script, SurnameRule};

pub static DATA: CountryData = CountryData {
    code: "FR",
    script: Script::Latin,
    weight: 10.0,
    rule: SurnameRule::Same,
    compound: Compound::Single,
    surnames: "Martin; Bernard; Thomas; Petit; Robert; Richard; Durand; Dubois; Moreau; \
        Laurent; Simon; Michel; Lefebvre; Leroy; Roux; David; Bertrand; Morel; Fournier; \
        Girard; Bonnet; Dupont; Lambert; Fontaine; Rousseau; Vincent; Muller; Lefèvre; Faure; \
        André; Mercier; Blanc; Guérin; Boyer; Garnier; Chevalier; François; Legrand; \
        Gauthier; Garcia; Perrin; Robin; Clément; Morin; Nicolas; Henry; Roussel; Mathieu; \
        Gautier; Masson; Marchand; Duval; Denis; Dumont; Marie; Lemaire; Noël; Meyer; Dufour; \
        Meunier; Brun; Blanchard; Giraud; Joly; Rivière; Lucas; Brunet; Gaillard; Barbier; \
        Arnaud; Martinez; Gérard; Roche; Renard; Schmitt; Roy; Leroux; Colin; Vidal; Caron; \
        Picard; Roger; Fabre; Aubert; Lemoine; Renaud; Dumas; Lacroix; Olivier; Philippe; \
        Bourgeois; Pierre; Benoît; Rey; Leclerc; Leclercq; Chevallier; Renault; Reynaud; \
        Lefeuvre; Le Gall; Le Goff; Le Roux; de la Fontaine; Du Pont; Da Silva; Lévêque; \
        Prévost; Étienne; Maréchal; Lemaître; Barthélemy",
    male: "^Jean; Pierre; ^Michel; ^André; ^Philippe; ^Alain; ^Jacques; ^Bernard; ^René; Louis; \
        Daniel; ^Claude; ^Christian; ^Patrick; Nicolas; Christophe; Éric; Frédéric; Laurent; \
        Stéphane; David; Julien; Sébastien; Thomas; Alexandre; Olivier; Guillaume; Antoine; \
        +Maxime; +Romain; +Lucas; +Hugo; +Théo; +Nathan; +Léo; +Gabriel; +Raphaël; +Arthur; +Jules; \
        +Mathis; +Enzo; +Clément; Vincent; ^Jean-Pierre; ^Jean-Claude; ^Jean-Luc; ^Jean-François; \
        ^Jean-Marc; ^Jean-Michel; ^Jean-Paul; ^Marcel; ^Georges; ^Henri; ^Roger; ^Yves; ^Gérard; \
        François; ^Thierry; ^Dominique; ^Pascal; Bruno; ^Didier; Mathieu; Matthieu; +Kévin; \
        +Quentin; Paul; Camille",
    female: "Marie; ^Jeanne; ^Françoise; ^Monique; Catherine; Nathalie; Isabelle; ^Jacqueline; \
        Anne; Sylvie; ^Martine; ^Nicole; Christine; Valérie; Sandrine; Sophie; Céline; \
        Stéphanie; ^Chantal; ^Brigitte; Véronique; ^Christiane; ^Madeleine; ^Denise; ^Simone; \
        ^Suzanne; Hélène; +Camille; Julie; Aurélie; Émilie; Laura; +Manon; +Léa; +Chloé; +Emma; \
        +Inès; +Jade; +Louise; +Alice; +Lina; Sarah; Marion; +Pauline; Claire; ^Marie-Claire; \
        ^Marie-Christine; Anne-Marie; ^Marie-Thérèse; ^Marie-France; Marie-Hélène; +Élodie; \
        +Audrey; +Mathilde; Charlotte; +Juliette; +Margaux; +Océane; +Clara; +Lucie",
    twins: "Louis|Louise; Jules|Julie; Lucas|Lucie; Léo|Léa; Hugo|Théo; Emma|Chloé; \
        Nathan|Nathalie; Paul|Pauline; Mathis|Mathilde; Julien|Julie; \
        Jean-Pierre|Jean-Paul; Marie|Manon",
    places: "Paris=75=2100; Marseille=13=870; Lyon=69=520; Toulouse=31=500; Nice=06=340; \
        Nantes=44=320; Montpellier=34=300; Strasbourg=67=290; Bordeaux=33=260; Lille=59=235; \
        Rennes=35=222; Reims=51=180; Saint-Étienne=42=173; Le Havre=76=168; Toulon=83=178; \
        Grenoble=38=157; Dijon=21=160; Angers=49=157; Nîmes=30=151; Villeurbanne=69=152; \
        Clermont-Ferrand=63=147; Le Mans=72=143; Aix-en-Provence=13=145; Brest=29=139; \
        Tours=37=136; Amiens=80=133; Limoges=87=130; Annecy=74=130; Perpignan=66=120; \
        Besançon=25=117; Metz=57=118; Orléans=45=116; Rouen=76=113; Mulhouse=68=108; \
        Caen=14=106; Nancy=54=104; Argenteuil=95=110; Saint-Denis=93=113; Montreuil=93=110; \
        Roubaix=59=98; Avignon=84=91; Poitiers=86=89; Pau=64=77; La Rochelle=17=77; \
        Calais=62=73; Cannes=06=74; Ajaccio=20=72; Colmar=68=67; Quimper=29=63; \
        Bourg-en-Bresse=01=41; Châlons-en-Champagne=51=44; Saint-Malo=35=46; \
        Lons-le-Saunier=39=17",
    streets: "rue de la Paix; rue Victor Hugo; rue de la République; Grande Rue; rue Pasteur; \
        rue Jean Jaurès; place de la Mairie; rue de l'Église; avenue du Général de Gaulle; \
        rue du Moulin; rue des Écoles; rue de la Gare; rue Nationale; rue du Château; \
        boulevard Gambetta; rue Voltaire; rue des Lilas; chemin des Vignes; \
        allée des Tilleuls; rue du Stade; rue Émile Zola; avenue Jean Moulin; rue de Verdun; \
        impasse des Roses; rue Carnot",
    postcode: "#####",
    customs: Customs {
        second_given: 0.55,
        marriage_change_old: 0.9,
        marriage_change_new: 0.65,
        double_surname: 0.05,
        grandparent_naming: 0.03,
        junior: 0.02,
        registry_upper: 0.05,
        registry_upper_surname: 0.35,
        patronymic: false,
    },
    id: IdScheme::Pseudonym,
};
