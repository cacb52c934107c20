"""Word lists the demo-data generator combines into company names, people and addresses.

One ``Locale`` per country: the words its companies are named with, its legal suffixes, the
ways people write the country's name, its cities, states and postcode shape. Words within and
across lists avoid near-duplicates (``Stone``/``Stove``) so that two different generated companies
are rarely one typo apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    """Everything the generator needs to invent companies in one country."""

    alpha2: str
    currency: str
    tld: str
    first_words: tuple[str, ...]
    second_words: tuple[str, ...]
    industries: tuple[str, ...]
    suffixes: tuple[str, ...]
    # Ways the country is written on Salesforce Accounts; the first is the most common.
    country_spellings: tuple[str, ...]
    cities: tuple[str, ...]
    states: tuple[str, ...]
    streets: tuple[str, ...]
    # Postcode shape: "9" = digit, "A" = capital letter, anything else literal.
    postcode_pattern: str
    street_number_first: bool
    weight: float


# fmt: off
_EN_FIRST = (
    "Blue", "Red", "Green", "Silver", "Golden", "Bright", "Swift", "Northern", "Southern", "Eastern",
    "Western", "Summit", "Harbor", "River", "Maple", "Cedar", "Oak", "Pine", "Granite", "Iron", "Copper",
    "Crystal", "Coral", "Falcon", "Eagle", "Lion", "Tiger", "Wolf", "Bear", "Fox", "Apex", "Vertex",
    "Pioneer", "Liberty", "Frontier", "Atlas", "Orion", "Nova", "Stellar", "Lunar", "Solar", "Quantum",
    "Vector", "Matrix", "Prime", "Pinnacle", "Horizon", "Meridian", "Keystone", "Beacon", "Anchor",
    "Compass", "Lighthouse", "Evergreen", "Willow", "Aspen", "Sequoia", "Juniper", "Highland", "Lakeside",
    "Bayview", "Riverside", "Hillcrest", "Brook", "Canyon", "Desert", "Prairie", "Glacier", "Thunder",
    "Lightning", "Rapid", "Clever", "Smart", "Bold", "Noble", "Royal", "Crown", "Sterling", "Platinum",
    "Cobalt", "Indigo", "Scarlet", "Amber", "Ivory", "Onyx", "Jade", "Ruby",
)
_EN_SECOND = (
    "Ridge", "Valley", "Peak", "Point", "Bridge", "Gate", "Field", "Stone", "Wood", "Works", "Path", "Way",
    "Line", "Wave", "Spark", "Forge", "Mill", "Port", "Bay", "Creek", "Grove", "Park", "Square", "Tower",
    "Castle", "Hill", "Lake", "Shore", "Island", "Haven", "Star", "Sky", "Cloud", "Rain", "Wind", "Fire",
    "Leaf", "Root", "Seed", "Bloom", "Arrow", "Shield", "Sword", "Hammer", "Key", "Lock", "Wheel", "Engine",
    "Signal", "Circuit",
)
_EN_INDUSTRIES = (
    "Analytics", "Logistics", "Software", "Consulting", "Capital", "Ventures", "Media", "Labs", "Dynamics",
    "Robotics", "Energy", "Foods", "Pharma", "Health", "Insurance", "Security", "Networks", "Telecom",
    "Motors", "Aerospace", "Textiles", "Apparel", "Furniture", "Design", "Studios", "Marketing", "Realty",
    "Properties", "Construction", "Engineering", "Manufacturing", "Biotech", "Chemicals", "Plastics",
    "Metals", "Mining", "Shipping", "Freight", "Travel", "Hospitality", "Brewing", "Coffee", "Bakery",
    "Farms", "Outdoors", "Sports", "Games", "Education", "Learning", "Recruiting", "Staffing", "Payments",
    "Finance", "Advisors", "Partners", "Holdings", "Group", "Technologies", "Systems", "Solutions",
    "Services", "Industries", "Enterprises", "Trading",
)
# Appended to most names, which widens the space of distinct company names.
QUALIFIERS = (
    "International", "Global", "Worldwide", "Europe", "America", "Pacific", "Atlantic", "Digital", "Direct",
    "Online", "United", "Consolidated",
)
_DE_FIRST = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Maier",
    "Huber", "Kaiser", "Fuchs", "Peters", "Möller", "Jäger", "Günther", "Alpen", "Rhein", "Donau", "Nord",
    "Süd", "Elbe", "Isar", "Main", "Berg", "Wald", "Sonnen",
)
_DE_SECOND = (
    "Technik", "Werk", "Bau", "Handel", "Logistik", "Maschinenbau", "Elektro", "Metall", "Holz", "Glas",
    "Papier", "Druck", "Medien", "Verlag", "Software", "Systeme", "Anlagen", "Stahl", "Kunststoff",
    "Chemie", "Pharma", "Optik", "Feinmechanik", "Energie", "Solar", "Wasser", "Umwelt", "Immobilien",
    "Beratung", "Versicherung", "Reisen", "Brauerei", "Bäckerei", "Möbel",
)
_DE_INDUSTRIES = (
    "", "Gruppe", "Service", "Partner", "Zentrum", "Vertrieb", "Industrie", "Werke", "Union",
)
_FR_FIRST = (
    "Dupont", "Durand", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel", "Garnier", "Bernard", "Rousseau",
    "Fontaine", "Chevalier", "Girard", "Bonnet", "Mercier", "Lambert", "Faure", "André", "Léon", "Clément",
    "Gauthier", "Perrin", "Morel", "Blanc", "Guérin", "Boyer", "Roux", "Vincent", "Atlantique", "Provence",
    "Bretagne", "Alsace", "Lumière", "Étoile", "Soleil", "Océan", "Azur",
)
_FR_SECOND = (
    "Conseil", "Informatique", "Transports", "Énergie", "Bâtiment", "Immobilier", "Édition", "Distribution",
    "Ingénierie", "Services", "Industrie", "Électronique", "Alimentaire", "Santé", "Voyages", "Assurances",
    "Finance", "Médias", "Télécom", "Logistique", "Chimie", "Textile",
)
_FR_INDUSTRIES = (
    "", "Groupe", "et Fils", "& Associés", "Partenaires", "France", "International",
)
_ES_FIRST = (
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
    "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Ibérica",
    "Levante", "Mediterránea", "Andaluza", "Castellana", "Cantábrica", "Galaica",
)
_ES_SECOND = (
    "Construcciones", "Transportes", "Consultores", "Ingeniería", "Alimentación", "Distribuciones",
    "Inmobiliaria", "Tecnología", "Energía", "Comunicaciones", "Seguros", "Viajes", "Textil",
)
_ES_INDUSTRIES = (
    "", "Grupo", "e Hijos", "Asociados", "Servicios", "Global",
)
_NL_FIRST = (
    "de Vries", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Oranje",
    "Polder", "Delta", "Tulp", "Molen", "Zeeland", "Noordzee", "Grachten",
)
_NL_SECOND = (
    "Techniek", "Bouw", "Handel", "Transport", "Logistiek", "Installatie", "Advies", "Media", "Software",
    "Energie", "Groenten", "Bloemen", "Zuivel", "Vastgoed", "Metaal", "Scheepvaart",
)
_NL_INDUSTRIES = (
    "", "Groep", "Holland", "Nederland", "Partners", "Service",
)
_NORDIC_FIRST = (
    "Nordisk", "Svensk", "Fjäll", "Skog", "Sjö", "Ström", "Björk", "Lind", "Berg", "Dahl", "Ek", "Lund",
    "Holm", "Nyström", "Lindqvist", "Johansson", "Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsen",
    "Hansen", "Jensen", "Nielsen", "Pedersen", "Østergaard", "Fjord", "Viking", "Aurora", "Polar",
    "Midnatt", "Havs", "Vinter", "Isbjørn", "Kvarts",
)
_NORDIC_SECOND = (
    "Teknik", "Bygg", "Data", "Konsult", "Energi", "Maskin", "Trä", "Papper", "Stål", "Frakt", "Marin",
    "Fisk", "Møbler", "Design", "Media", "System", "Invest", "Elektronik",
)
_NORDIC_INDUSTRIES = (
    "", "Gruppen", "Nordic", "Scandinavia", "Partner", "Service",
)
_JP_FIRST = (
    "Sakura", "Fuji", "Yamato", "Nippon", "Tokai", "Kanto", "Kansai", "Hokuriku", "Kyushu", "Shikoku",
    "Yamamoto", "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito", "Nakamura", "Kobayashi", "Kato",
    "Yoshida", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori", "Ikeda", "Hashimoto", "Asahi",
    "Hikari", "Midori", "Aozora", "Tsubasa", "Kaze",
)
_JP_SECOND = (
    "Denki", "Shoji", "Kogyo", "Seisakusho", "Kensetsu", "Unyu", "Shokuhin", "Seiyaku", "Tsushin", "Kagaku",
    "Tekko", "Sangyo", "Bussan", "Jidosha", "Kikai", "Gakki", "Koki", "Densetsu",
)
_JP_INDUSTRIES = (
    "", "Holdings", "Group", "Systems", "Trading", "Japan",
)
_US_STATES = (
    "CA", "NY", "TX", "WA", "IL", "MA", "FL", "CO", "GA", "OR", "NC", "PA", "NJ", "VA", "AZ",
)
_CA_STATES = (
    "ON", "QC", "BC", "AB", "MB", "NS",
)
_AU_STATES = (
    "NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT",
)
_EN_STREETS = (
    "Main St", "Oak Avenue", "Maple Street", "Market Street", "Broadway", "Park Avenue", "2nd Street",
    "Elm Street", "Pine Road", "Cedar Lane", "Lake Drive", "Hill Road", "Church Street", "High Street",
    "Station Road", "Mill Lane", "King Street", "Queen Street", "Victoria Road", "George Street",
)

LOCALES: tuple[Locale, ...] = (
    Locale(
        "US", "USD", "com", _EN_FIRST, _EN_SECOND, _EN_INDUSTRIES,
        ("Inc", "Inc.", "LLC", "Corp", "Corporation", "Co", "Incorporated", "LP", "LLP"),
        ("United States", "USA", "US", "U.S.A.", "United States of America", "U.S.", "usa", "America"),
        ("New York", "San Francisco", "Austin", "Seattle", "Chicago", "Boston", "Miami", "Denver", "Atlanta",
         "Portland", "Raleigh", "Philadelphia", "Newark", "Richmond", "Phoenix"),
        _US_STATES, _EN_STREETS, "99999", True, 0.3,
    ),
    Locale(
        "GB", "GBP", "co.uk", _EN_FIRST, _EN_SECOND, _EN_INDUSTRIES,
        ("Ltd", "Limited", "plc", "LLP", "Ltd."),
        ("United Kingdom", "UK", "GB", "Great Britain", "England", "U.K.", "GBR", "United Kingdon"),
        ("London", "Manchester", "Birmingham", "Leeds", "Bristol", "Edinburgh", "Glasgow", "Cardiff"), (),
        _EN_STREETS, "AA9 9AA", True, 0.12,
    ),
    Locale(
        "DE", "EUR", "de", _DE_FIRST, _DE_SECOND, _DE_INDUSTRIES,
        ("GmbH", "AG", "GmbH & Co. KG", "KG", "SE", "e.K.", "GmbH"),
        ("Germany", "Deutschland", "DE", "DEU", "germany", "GERMANY", "Germnay",
         "Federal Republic of Germany"),
        ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf",
         "Leipzig"),
        (), ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schulstraße", "Lindenallee", "Marktplatz"),
        "99999", False, 0.14,
    ),
    Locale(
        "AT", "EUR", "at", _DE_FIRST, _DE_SECOND, _DE_INDUSTRIES, ("GmbH", "AG", "KG", "GesmbH"),
        ("Austria", "Österreich", "AT", "AUT", "Oesterreich"),
        ("Wien", "Graz", "Linz", "Salzburg", "Innsbruck"), (),
        ("Hauptstraße", "Ringstraße", "Kirchengasse"), "9999", False, 0.02,
    ),
    Locale(
        "CH", "CHF", "ch", _DE_FIRST, _DE_SECOND, _DE_INDUSTRIES, ("AG", "GmbH", "SA", "Sàrl"),
        ("Switzerland", "Schweiz", "Suisse", "CH", "CHE", "Swiss Confederation"),
        ("Zürich", "Genève", "Basel", "Bern", "Lausanne"), (),
        ("Bahnhofstrasse", "Seestrasse", "Dorfstrasse"), "9999", False, 0.03,
    ),
    Locale(
        "FR", "EUR", "fr", _FR_FIRST, _FR_SECOND, _FR_INDUSTRIES,
        ("SA", "SAS", "SARL", "S.A.", "S.A.S.", "EURL"),
        ("France", "FR", "FRA", "france", "République française", "Frankreich"),
        ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux", "Lille", "Strasbourg"), (),
        ("rue de la Paix", "avenue Victor Hugo", "boulevard Haussmann", "rue du Commerce"), "99999", True,
        0.08,
    ),
    Locale(
        "ES", "EUR", "es", _ES_FIRST, _ES_SECOND, _ES_INDUSTRIES, ("SL", "S.L.", "SA", "S.A.", "SLU"),
        ("Spain", "España", "ES", "ESP", "Espana", "Spanien"),
        ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga"), (),
        ("Calle Mayor", "Gran Vía", "Avenida de la Constitución", "Calle Real"), "99999", False, 0.05,
    ),
    Locale(
        "NL", "EUR", "nl", _NL_FIRST, _NL_SECOND, _NL_INDUSTRIES, ("BV", "B.V.", "NV", "N.V."),
        ("Netherlands", "The Netherlands", "Holland", "NL", "NLD", "Nederland", "Netherland"),
        ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen"), (),
        ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg"), "9999 AA", False, 0.05,
    ),
    Locale(
        "SE", "SEK", "se", _NORDIC_FIRST, _NORDIC_SECOND, _NORDIC_INDUSTRIES,
        ("AB", "Aktiebolag", "AB (publ)", "HB"), ("Sweden", "Sverige", "SE", "SWE", "Schweden"),
        ("Stockholm", "Göteborg", "Malmö", "Uppsala", "Västerås"), (),
        ("Storgatan", "Drottninggatan", "Kungsgatan"), "999 99", False, 0.04,
    ),
    Locale(
        "DK", "DKK", "dk", _NORDIC_FIRST, _NORDIC_SECOND, _NORDIC_INDUSTRIES, ("A/S", "ApS", "AS", "I/S"),
        ("Denmark", "Danmark", "DK", "DNK", "Dänemark"), ("København", "Aarhus", "Odense", "Aalborg"), (),
        ("Vestergade", "Østergade", "Nørregade"), "9999", False, 0.02,
    ),
    Locale(
        "NO", "NOK", "no", _NORDIC_FIRST, _NORDIC_SECOND, _NORDIC_INDUSTRIES, ("AS", "ASA", "A/S"),
        ("Norway", "Norge", "NO", "NOR", "Norwegen"), ("Oslo", "Bergen", "Trondheim", "Stavanger"), (),
        ("Storgata", "Kirkegata", "Strandgata"), "9999", False, 0.02,
    ),
    Locale(
        "FI", "EUR", "fi", _NORDIC_FIRST, _NORDIC_SECOND, _NORDIC_INDUSTRIES, ("Oy", "Oyj", "Ab"),
        ("Finland", "Suomi", "FI", "FIN"), ("Helsinki", "Espoo", "Tampere", "Turku"), (),
        ("Mannerheimintie", "Aleksanterinkatu", "Hämeenkatu"), "99999", False, 0.02,
    ),
    Locale(
        "JP", "JPY", "co.jp", _JP_FIRST, _JP_SECOND, _JP_INDUSTRIES,
        ("KK", "K.K.", "Co., Ltd.", "Kabushiki Kaisha", "GK"), ("Japan", "JP", "JPN", "Nippon", "japan"),
        ("Tokyo", "Osaka", "Nagoya", "Yokohama", "Fukuoka", "Sapporo", "Kyoto"), (),
        ("Ginza", "Shibuya", "Umeda", "Sakae", "Tenjin"), "999-9999", True, 0.04,
    ),
    Locale(
        "CA", "CAD", "ca", _EN_FIRST, _EN_SECOND, _EN_INDUSTRIES, ("Inc", "Ltd", "Corp", "Limited", "Inc."),
        ("Canada", "CA", "CAN", "canada"),
        ("Toronto", "Montréal", "Vancouver", "Calgary", "Ottawa", "Halifax"), _CA_STATES, _EN_STREETS,
        "A9A 9A9", True, 0.04,
    ),
    Locale(
        "AU", "AUD", "com.au", _EN_FIRST, _EN_SECOND, _EN_INDUSTRIES,
        ("Pty Ltd", "Pty. Ltd.", "Ltd", "Pty Limited"),
        ("Australia", "AU", "AUS", "australia", "Commonwealth of Australia"),
        ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Hobart", "Canberra"), _AU_STATES,
        _EN_STREETS, "9999", True, 0.03,
    ),
)
FREE_MAIL = (
    "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "gmx.de", "web.de", "orange.fr",
    "yahoo.co.uk", "hotmail.fr", "libero.it", "live.com",
)
GIVEN_NAMES = (
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Karin", "Lars",
    "Maria", "Noah", "Olivia", "Paul", "Rosa", "Sven", "Tina", "Umar", "Vera", "William", "Yuki", "Zoe",
    "Hiroshi", "Sophie", "Lucas", "Elena", "Mateo", "Ingrid", "Pierre", "Camille", "Javier", "Lotte",
)
FAMILY_NAMES = (
    "Smith", "Jones", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Clark", "Lewis", "Walker", "Young",
    "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Carter", "Mitchell", "Roberts",
    "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Sato", "Dubois",
    "Keller", "Novak", "Rossi", "Berg", "Olsen", "Silva", "Costa", "Weiss",
)
# fmt: on
